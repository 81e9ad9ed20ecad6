"""One hub process's network side: ZAP handler, terminal link, workstation server.

Both the stand-alone hub (``main.py hub``) and tests assemble the same parts
through :class:`HubNode`, in the order ZeroMQ requires: the ZAP handler first
(CURVE sockets bound before it would admit anyone), then the sockets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import zmq

from console.link.hubport import CommandHubPort, HubPort
from console.link.keys import KeyPair
from console.link.server import TerminalLink
from console.link.trust import TrustCache, ZapHandler
from console.link.workstation import HubServer, derived_endpoints
from console.store.db import Store

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)


@dataclass
class Endpoints:
    """Where a running node listens (resolved, e.g. after binding port 0)."""

    terminals: str
    commands: str
    events: str


class HubNode:
    """Terminal link (+ workstation server when a command hub is given) on one context."""

    def __init__(
        self,
        store: Store,
        hub_keys: KeyPair,
        bind: str,
        *,
        hub: CommandHub | None = None,
        port: HubPort | None = None,
        heartbeat_s: float = 1.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if hub is None and port is None:
            raise ValueError("a hub node needs a command hub or a hub port")
        self.store = store
        self.hub = hub
        self.port: HubPort = port if port is not None else CommandHubPort(hub)  # type: ignore[arg-type]
        self.hub_keys = hub_keys
        self.ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self.ctx.set(zmq.MAX_SOCKETS, 65_536)
        self.trust = TrustCache(store)
        self.zap = ZapHandler(self.ctx, self.trust)
        term, cmd, ev = derived_endpoints(bind)
        kw = {"clock": clock} if clock is not None else {}
        self.link = TerminalLink(
            self.ctx,
            store,
            self.port,
            self.trust,
            hub_keys,
            term,
            heartbeat_s=heartbeat_s,
            check_deadlines=hub is None,  # the command hub's workflow escalates and expires
            **kw,
        )
        if hub is not None:  # one gate for every fix the hub takes in (console/hub/fixes.py)
            self.link.gate = hub.position_gate
        self.server: HubServer | None = None
        self._ws_bind = (cmd, ev)

    def start(self) -> HubNode:
        self.zap.start()
        if self.hub is not None:  # order cards, card updates and messages (docs/protocol.md)
            from console.link.officer_loop import attach

            attach(self.hub, self.link)
        self.link.start()
        if self.hub is not None:
            from console.link.hubcmd import INTERNAL_COMMANDS

            # terminals enrolled through the admin dialog must trust this link's key
            self.hub.link_public_key = self.hub_keys.public
            wf = getattr(self.hub, "workflow", None)
            if wf is not None:  # a dispatch sends its orders now, not at the next poll
                wf.order_listeners.append(lambda *_: self.link.kick())
                wf.cancel_listeners.append(self.link.push_cancel)  # and withdrawals at once
            # the hub learns which units have a trusted terminal on the air from the link
            trust = self.trust
            self.hub.attach_terminals(
                self.link.online_units,
                lambda: {k.call_sign for k in list(trust.trusted.values())},
            )
            commands = [c for c in self.hub.rights if c not in INTERNAL_COMMANDS]
            self.server = HubServer(
                self.ctx,
                self.hub,
                commands,
                self.hub_keys,
                self._ws_bind[0],
                self._ws_bind[1],
                event_keys=self.trust.event_keys,
            ).start()
        return self

    @property
    def endpoints(self) -> Endpoints:
        s = self.server
        return Endpoints(
            self.link.endpoint, s.command_endpoint if s else "", s.event_endpoint if s else ""
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.link.stop()
        self.zap.stop()
        self.ctx.destroy(linger=0)
