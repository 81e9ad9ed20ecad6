"""``main.py hub --standby``: a hub that waits for the primary lease, then serves.

Run the same command on two (or more) machines against one PostgreSQL, with the same hub
key (terminals check the hub's public key, so both hubs must hold ``hub.key_secret``).
Each starts as a standby: it opens and migrates the database, prints ``hub standby``
and waits for the lease (:mod:`console.hub.lease`).  The one that gets it fences every
commit of this process with its token and goes on exactly like ``main.py hub``: it
loads incidents, plans and the order outbox from the database, binds its ports and
prints ``hub ready``; the outbox resends whatever was not acknowledged, and terminals
drop repeats by order id.  A standby binds no port, so terminals given every hub
(``--hub tcp://a:5555,tcp://b:5555``) only ever reach the primary.

A primary that loses the lease, or cannot renew it because the database is gone, or
whose last renewal is older than the lease (it was paused), ends the process at once
(exit code :data:`EXIT_NOT_PRIMARY`) instead of shutting down in order: a clean stop
would flush positions and close orders, writes that are no longer its to make.  The
kernel then closes its sockets, so terminals drop the connection, and PostgreSQL rolls
back whatever it had open.  Run each hub under a supervisor that starts it again
(systemd ``Restart=always``): it comes back as the new standby.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from console.hub.lease import PrimaryLease, default_holder, session_name
from console.store.db import Store, mask_url, open_store
from console.store.errors import StoreError

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)

EXIT_NOT_PRIMARY = 4
"""Exit code of a hub that stopped because it is not the primary any more."""
WATCH_S = 0.1
"""How often the watchdog looks at the lease (a renewal may hang on a dead network)."""
IDLE_TX_TIMEOUT_MS = 5000
"""PostgreSQL ends any session of this process left idle inside a transaction this long:
a primary paused mid-write must not hold row locks the new primary needs."""


_STEPPING_DOWN = threading.Lock()


def _step_down(reason: str) -> None:
    """Stop acting as primary now: say so on stdout and stderr, and end the process."""
    if not _STEPPING_DOWN.acquire(blocking=False):
        return  # the renewal thread and the watchdog both saw it: the first one says it
    line = f"hub not primary: {reason}"
    log.critical("%s; exiting (code %d)", line, EXIT_NOT_PRIMARY)
    try:
        print(line, flush=True)
        sys.stderr.flush()
    finally:
        os._exit(EXIT_NOT_PRIMARY)


class Primacy:
    """This process's hold on the lease once it has it: renewal, fence and watchdog."""

    def __init__(self, lease: PrimaryLease) -> None:
        self.lease = lease
        self._done = threading.Event()
        self._watch = threading.Thread(target=self._watchdog, name="hub-lease-watch", daemon=True)
        self._took_m = time.monotonic()
        self.prepared: object = None
        """What the standby read while it waited (``wait_for_lease(prepare=...)``)."""

    def start(self) -> Primacy:
        self.lease.install_fence(None)
        self.lease.keep(self._lost)
        self._watch.start()
        return self

    def mark(self, step: str) -> None:
        """Log how long after taking the lease a start-up step was done (the takeover's
        time split in the log; ``bench/failover.py`` prints these lines)."""
        log.info("takeover: %s %.3f s after the lease", step, time.monotonic() - self._took_m)

    def _lost(self, reason: str) -> None:
        if not self._done.is_set():
            _step_down(reason)

    def _watchdog(self) -> None:
        while not self._done.wait(WATCH_S):
            if not self.lease.is_primary() and not self._done.is_set():
                _step_down(self.lease.lost_reason or "the lease lapsed before it was renewed")

    def announce(self, hub: CommandHub) -> None:
        """This hub now serves: an audit entry always, and an alert on every workstation's
        board when another hub served before (token above 1: a failover or a handover)."""
        self.record(hub.store)
        if self.lease.token <= 1:
            return
        who, before, token = self.lease.holder, self.lease.taken_from, self.lease.token
        if before:
            zh = f"指挥中心服务器切换：{who} 接管（原主服务器 {before} 失联），令牌 {token}"
            en = f"Hub failover: {who} took over from {before} (lost), token {token}"
        else:
            zh = f"指挥中心服务器切换：{who} 接班（原主服务器正常停止），令牌 {token}"
            en = f"Hub handover: {who} serves now (the previous hub stopped), token {token}"

        def raise_once() -> None:  # on the hub thread: the alert board is its state
            if raise_once in hub.tick_hooks:
                hub.tick_hooks.remove(raise_once)
            key = f"hub_failover:{token}"
            hub.workflow.alerts.raise_alert(key, "warning", "hub_failover", zh, en, None)

        hub.tick_hooks.append(raise_once)

    def record(self, store: Store) -> None:
        """Put the takeover on record in the audit log: which hub, which token, from whom
        (a failover is an event the command room must be able to reconstruct)."""
        from console.audit import trail_for

        payload = {
            "holder": self.lease.holder,
            "token": self.lease.token,
            "taken_from": self.lease.taken_from,
            "lease_s": self.lease.ttl_s,
        }
        try:
            trail_for(store).record(actor="hub", action="hub.primary", payload=payload)
        except Exception:
            log.critical("the takeover could not be put on record in the audit log", exc_info=True)

    def release(self) -> None:
        """Clean stop (SIGTERM), after the hub has stopped: hand the lease on at once."""
        self._done.set()
        self.lease.release()
        self.lease.close()


def _idle_transaction_limit() -> None:
    opt = f"-c idle_in_transaction_session_timeout={IDLE_TX_TIMEOUT_MS}"
    have = os.environ.get("PGOPTIONS", "")
    if "idle_in_transaction_session_timeout" not in have:
        os.environ["PGOPTIONS"] = f"{have} {opt}".strip()


def _name_sessions(holder: str) -> None:
    """Every database session this process opens from now on carries ``holder`` (libpq
    reads ``PGAPPNAME``): the hub that takes over from this one ends them by that name
    (:meth:`PrimaryLease.end_sessions_of`)."""
    os.environ["PGAPPNAME"] = session_name(holder)


WARM_MODULES = (
    "console.config",
    "console.heap",
    "console.hub.bootstrap",
    "console.link.hubport",
    "console.link.node",
)
"""Imported while on standby: about three of the four seconds a cold hub needs to start
on a 2-core machine are imports (numpy, scipy, the plan engine), not the database."""


def warm_up() -> None:
    """Import what the hub will need, before the lease is ours: a faster takeover."""
    for name in WARM_MODULES:
        importlib.import_module(name)


PREPARE_EVERY_S = 600.0
"""How often a standby reads its prepared state again while it waits (the call history
it holds is only used at a takeover while the database still has exactly those calls)."""


class _Prepared:
    """What the standby read so far (``prepare(store)``), kept fresh on a thread."""

    def __init__(self, store: Store, prepare: Callable[[Store], object]) -> None:
        self.store = store
        self.prepare = prepare
        self.value: object = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh, name="hub-prepare", daemon=True)

    def first(self) -> None:
        self.value = self._one()
        self._thread.start()

    def _one(self) -> object:
        try:
            return self.prepare(self.store)
        except Exception:  # the takeover then reads it all itself, and says what is wrong
            log.warning("standby: could not prepare the hub's state", exc_info=True)
            return None

    def _refresh(self) -> None:
        try:
            while not self._stop.wait(PREPARE_EVERY_S):
                value = self._one()
                if not self._stop.is_set():
                    self.value = value
        finally:
            self.store.close()

    def take(self) -> object:
        """The latest complete preparation; the refresher stops (without waiting for it)."""
        self._stop.set()
        return self.value


def wait_for_lease(
    db_url: str | None,
    *,
    ttl_s: float,
    prepare: Callable[[Store], object] | None = None,
) -> Primacy | None:
    """Block as a standby until this process is the primary; None if told to stop first.

    ``prepare(store)``: read (never write) what the hub will need, before ``hub standby``
    is printed and again every :data:`PREPARE_EVERY_S`; the latest result is
    :attr:`Primacy.prepared` (a hot standby: the takeover does not read it).

    Raises :class:`StoreError` for a database a standby cannot use (SQLite, unreachable
    at start, not migratable)."""
    if not db_url:
        raise StoreError("a standby hub needs --db postgresql+psycopg://... (shared by the hubs)")
    try:
        url = make_url(db_url)
    except ArgumentError:
        raise StoreError(f"invalid database URL {mask_url(db_url)!r}") from None
    if url.get_backend_name() != "postgresql":
        raise StoreError(f"a standby hub needs PostgreSQL (the hubs share it), not {mask_url(url)}")
    if "application_name" in url.query:
        raise StoreError(
            "a standby hub names its database sessions itself (application_name: the hub "
            "that takes over ends a lost primary's sessions by it); remove application_name "
            f"from {mask_url(url)}"
        )
    holder = default_holder()
    _idle_transaction_limit()
    _name_sessions(holder)
    store = open_store(url)  # migrated: the lease row exists
    warm_up()
    ready = _Prepared(store, prepare) if prepare is not None else None
    if ready is not None:
        ready.first()
    else:
        store.close()
    from console.heap import settle_after_start

    settle_after_start()  # what it loaded out of the collector's sight: the takeover's
    # own collection (before "hub ready") then only looks at what the start adds
    lease = PrimaryLease(url, ttl_s=ttl_s, renew_s=ttl_s / 3.0, holder=holder)
    stop = threading.Event()

    def on_signal(_sig: int, _frame: FrameType | None) -> None:
        stop.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"hub standby holder={lease.holder}", flush=True)
        if not lease.wait(stop, poll_s=min(0.5, ttl_s / 6.0)):
            lease.close()
            if ready is not None:
                ready.take()
            return None
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    print(f"hub primary token={lease.token} holder={lease.holder}", flush=True)
    primacy = Primacy(lease).start()
    if ready is not None:
        primacy.prepared = ready.take()
    return primacy
