"""Fixtures: a real SQLite store with synthetic units, a hub key, a running link, fleets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.link.hubport import SituationPort
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.node import HubNode
from console.store.db import Store
from console.terminal.fleet import Fleet, Member
from console.terminal.localstore import MemoryStore
from console.terminal.session import TerminalSession
from tests.link.helpers import enroll_fleet, make_store

N_UNITS = 60


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = make_store(tmp_path / "hub.sqlite3", N_UNITS)
    yield s
    s.close()


@pytest.fixture
def hub_keys(tmp_path: Path) -> KeyPair:
    return load_or_create_hub_keys(tmp_path / "hubkeys")


@pytest.fixture
def node(store: Store, hub_keys: KeyPair) -> Iterator[HubNode]:
    """The terminal link alone (no command hub), on a random loopback port."""
    n = HubNode(store, hub_keys, "tcp://127.0.0.1:0", port=SituationPort.from_store(store)).start()
    yield n
    n.stop()


@pytest.fixture
def port(node: HubNode) -> SituationPort:
    assert isinstance(node.port, SituationPort)
    return node.port


FleetFactory = Callable[..., tuple[Fleet, list[Member]]]


@pytest.fixture
def fleet_of(node: HubNode, store: Store, hub_keys: KeyPair) -> Iterator[FleetFactory]:
    """Start fleets of enrolled terminals against the node; all stopped at teardown."""
    fleets: list[Fleet] = []
    used = [0]

    def make(
        n: int, *, keys: list[TerminalKey] | None = None, **session_kw: object
    ) -> tuple[Fleet, list[Member]]:
        if keys is None:
            keys = enroll_fleet(store, n, hub_keys.public, start=used[0])
            used[0] += n
        members = [Member(k, TerminalSession(MemoryStore(), **session_kw)) for k in keys]  # type: ignore[arg-type]
        f = Fleet(node.link.endpoint, members).start()
        fleets.append(f)
        return f, members

    yield make
    for f in fleets:
        f.stop()
