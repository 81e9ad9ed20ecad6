"""The officer's loop on real parts: a command hub on the demo district, its terminal link
over CURVE on loopback, and terminals of enrolled units (the library the apps use).

``loop`` gives a started :class:`Loop`; its clock is frozen (the hub, the link and every
terminal read the same one), so nothing depends on today's date or the time of day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from console.config import Config
from console.hub.bootstrap import start_embedded_hub
from console.hub.client import InprocClient
from console.hub.hub import CommandHub
from console.hub.messages import ApprovePlan, Command, CreateIncident, GetPlan, PlanChanged
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.link.officer_loop import attach
from console.link.trust import enroll_keys
from console.terminal.client import TerminalClient
from console.terminal.localstore import SqliteStore
from tests.conftest import FrozenClock
from tests.link.helpers import free_port_block
from tests.link.helpers import wait_until as link_wait_until

# 南京东路步行街, on the demo district's roads
SCENE = (121.4737, 31.2304)
REPORT = "一名男子持刀在步行街追砍路人，已有一人受伤倒地"
CALLER = "13800138000"


def wait_until(pred: Callable[[], bool], timeout: float = 30.0, step: float = 0.02) -> bool:
    """The shared poll, with more patience (a busy 2-core machine is slow)."""
    return link_wait_until(pred, timeout, step)


@dataclass
class Terminal:
    """One officer's terminal: the client and every event it raised."""

    key: TerminalKey
    client: TerminalClient
    store: SqliteStore
    events: list[tuple[str, Any]] = field(default_factory=list)

    def of(self, kind: str) -> list[Any]:
        return [p for k, p in list(self.events) if k == kind]


class Loop:
    """A hub, its node (cards, messages attached) and the terminals started on it."""

    def __init__(
        self, config: Config, tmp: Path, keys: KeyPair, clock: Callable[[], float], db: str
    ) -> None:
        self.config, self.tmp, self.keys, self.clock, self.db = config, tmp, keys, clock, db
        self.terminals: list[Terminal] = []
        self.hub: CommandHub
        self.node: HubNode
        self.bind = ""
        self.start()

    def start(self) -> None:
        """(Re)start the hub and its node on the same database, hub key and ports.

        The ports are a block below the kernel's ephemeral range (``free_port_block``),
        not port 0: a restart binds them again, and a port the kernel once handed out can
        meanwhile be the local end of any outgoing connection on the machine (tests run
        in parallel processes)."""
        self.hub = start_embedded_hub(self.db, self.config, simulate=False, clock=self.clock)
        if not self.bind:
            self.bind = f"tcp://127.0.0.1:{free_port_block(3)}"  # terminals, commands, events
        self.node = HubNode(self.hub.store, self.keys, self.bind, hub=self.hub, clock=self.clock)
        attach(self.hub, self.node.link)
        self.node.start()
        self.op = InprocClient(self.hub, actor="op", role="operator", workstation="desk")
        self.sup = [
            InprocClient(self.hub, actor=f"sup{k}", role="supervisor", workstation="desk")
            for k in (1, 2)
        ]

    def stop_hub(self) -> None:
        self.node.stop()
        self.hub.stop()
        self.hub.store.close()

    def close(self) -> None:
        for t in self.terminals:
            t.client.stop()
            t.store.close()
        self.stop_hub()

    def ok(self, cmd: Command, client: InprocClient | None = None) -> Any:
        r = (client or self.op).call(cmd, timeout=60.0)
        assert r.ok, r.error
        return r.result

    def enroll(self, call_sign: str) -> TerminalKey:
        key = TerminalKey(call_sign, KeyPair.generate(), self.keys.public)
        enroll_keys(self.hub.store, [(call_sign, key.keys.public)])
        return key

    def terminal(self, call_sign: str, key: TerminalKey | None = None) -> Terminal:
        """An enrolled terminal for ``call_sign`` (its SQLite store in the test's folder)."""
        key = key or self.enroll(call_sign)
        store = SqliteStore(self.tmp / f"terminal-{call_sign}-{len(self.terminals)}.sqlite3")
        events: list[tuple[str, Any]] = []
        client = TerminalClient(
            key, self.bind, store, on_event=lambda k, p: events.append((k, p)), clock=self.clock
        )
        t = Terminal(key, client, store, events)
        self.terminals.append(t)
        client.start()
        assert wait_until(lambda: client.connected), f"{call_sign} never got the hub's welcome"
        return t

    def knife_attack(self) -> tuple[int, PlanChanged]:
        """The issue's incident: a knife attack on 南京东路步行街 with the caller's report."""
        res = self.ok(
            CreateIncident(
                incident_type="knife_attack",
                lon=SCENE[0],
                lat=SCENE[1],
                address="南京东路步行街",
                caller=CALLER,
                description=REPORT,
            )
        )
        plan = self.ok(GetPlan(incident_id=res["incident_id"]))
        return res["incident_id"], plan

    def approve(self, plan: PlanChanged) -> None:
        for k in range(plan.approvals_needed):
            self.ok(ApprovePlan(plan_id=plan.plan_id), self.sup[k])


@pytest.fixture
def loop(tmp_path: Path, config: Config) -> Iterator[Loop]:
    keys = load_or_create_hub_keys(tmp_path / "hubkeys")
    lp = Loop(config, tmp_path, keys, FrozenClock(), f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    try:
        yield lp
    finally:
        lp.close()
