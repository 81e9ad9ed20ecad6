"""Who may connect: terminal enrolment, revocation, and the ZAP handler enforcing both.

Every CURVE handshake on the hub's context is put to :class:`ZapHandler`
(ZeroMQ's RFC 27 authentication protocol).  For the ``terminal`` domain it
admits only keys that are enrolled and not revoked, answering from an
in-memory :class:`TrustCache` so a reconnect storm never queries the
database per handshake.  The cache notices enrolments and revocations made by
any process (e.g. ``main.py enroll --revoke`` on another desk) by polling a
cheap aggregate every 200 ms; keys newly revoked are queued for the link,
which drops their live sessions at once, so revocation bites in well under 1 s.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import zmq
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from zmq.utils import z85

from console.link.keys import KeyPair, TerminalKey, write_terminal_key
from console.store.access_repo import TerminalRepo
from console.store.db import Store
from console.store.errors import StoreError
from console.store.models import TerminalRow, UnitRow

log = logging.getLogger(__name__)

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
TERMINAL_DOMAIN = "terminal"
WORKSTATION_DOMAIN = "workstation"
EVENTS_DOMAIN = "workstation-events"
REFRESH_S = 0.2
MISS_LOOKUPS_PER_S = 50.0


@dataclass(frozen=True)
class TrustedKey:
    """An enrolled, unrevoked terminal key and the unit it speaks for."""

    unit_id: int
    call_sign: str


class TrustCache:
    """Enrolled, unrevoked terminal keys, refreshed from the store when they change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.trusted: dict[str, TrustedKey] = {}
        self.event_keys: set[str] = set()
        """Workstation keys whose connection signed in: only they may subscribe to events."""
        self.revoked: collections.deque[str] = collections.deque()
        """Keys that lost trust since the last look (consumed by the link thread)."""
        self._signature: tuple[object, ...] | None = None
        self._last_check = 0.0
        self._lock = threading.Lock()
        self._tokens = MISS_LOOKUPS_PER_S
        self._token_t = time.monotonic()

    def get(self, key: str) -> TrustedKey | None:
        """The unit a key speaks for, if trusted (lock-free read of the current map)."""
        return self.trusted.get(key)

    def refresh(self, force: bool = False) -> bool:
        """Reload if the terminals table changed; returns True if it was reloaded."""
        with self._lock:
            self._last_check = time.monotonic()
            try:
                with self.store.session() as s:
                    sig = tuple(
                        s.execute(
                            select(
                                func.count(TerminalRow.id),
                                func.max(TerminalRow.id),
                                func.count(TerminalRow.revoked_at),
                                func.max(TerminalRow.revoked_at),
                            )
                        ).one()
                    )
                    if sig == self._signature and not force:
                        return False
                    rows = s.execute(
                        select(TerminalRow.public_key, TerminalRow.unit_id, UnitRow.call_sign)
                        .join(UnitRow, UnitRow.id == TerminalRow.unit_id)
                        .where(TerminalRow.revoked_at.is_(None))
                    ).all()
            except Exception:
                log.exception("cannot read the terminals table; keeping the last trust list")
                return False
            new = {k: TrustedKey(u, c) for k, u, c in rows}
            lost = set(self.trusted) - set(new)
            self.trusted = new
            self._signature = sig
            self.revoked.extend(sorted(lost))
            if lost:
                log.warning("terminal keys revoked: %s", ", ".join(k[:8] + "..." for k in lost))
            return True

    def lookup(self, key: str) -> bool:
        """Ask the store about one key missing from the cache (enrolled a moment ago?).

        Rate-limited (a token bucket of :data:`MISS_LOOKUPS_PER_S`) so a flood
        of unknown keys costs the database nothing.
        """
        now = time.monotonic()
        self._tokens = min(
            MISS_LOOKUPS_PER_S, self._tokens + (now - self._token_t) * MISS_LOOKUPS_PER_S
        )
        self._token_t = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        try:
            with self.store.session() as s:
                row = s.execute(
                    select(TerminalRow.unit_id, UnitRow.call_sign)
                    .join(UnitRow, UnitRow.id == TerminalRow.unit_id)
                    .where(TerminalRow.public_key == key, TerminalRow.revoked_at.is_(None))
                ).first()
        except Exception:
            log.exception("cannot look up a terminal key")
            return False
        if row is None:
            return False
        self.trusted = {**self.trusted, key: TrustedKey(row[0], row[1])}
        return True

    def refresh_if_stale(self, max_age_s: float = REFRESH_S) -> None:
        """Refresh unless that was done in the last ``max_age_s`` seconds."""
        if time.monotonic() - self._last_check >= max_age_s:
            self.refresh()


class ZapHandler:
    """A thread answering ZAP requests for one ZeroMQ context.

    Start it before binding any CURVE socket in that context (libzmq asks the
    handler for every handshake once one is bound).  The ``workstation``
    (command) domain admits any key: operators authenticate by login there, and
    only keys whose connection signed in are admitted to ``workstation-events``,
    so the event stream never reaches an anonymous subscriber.  ``User-Id`` of
    admitted terminal connections is their Z85 key.
    """

    def __init__(self, ctx: zmq.Context[zmq.Socket[bytes]], trust: TrustCache) -> None:
        self.ctx = ctx
        self.trust = trust
        self.allowed = 0
        self.denied = 0
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="zap-handler", daemon=True)
        self._error: Exception | None = None
        self._denied_log_at = 0.0

    def start(self) -> ZapHandler:
        self._thread.start()
        self._ready.wait(5.0)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        sock = self.ctx.socket(zmq.REP)
        sock.linger = 0
        try:
            sock.bind(ZAP_ENDPOINT)
        except zmq.ZMQError as exc:
            self._error = exc
            self._ready.set()
            sock.close()
            return
        self.trust.refresh(force=True)
        self._ready.set()
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        try:
            while not self._stop.is_set():
                if poller.poll(int(REFRESH_S * 1000)):
                    req = sock.recv_multipart()
                    try:
                        reply = self._answer(req)
                    except Exception:  # never leave a handshake unanswered
                        log.exception("ZAP handler failed; refusing the connection")
                        reply = [
                            b"1.0",
                            req[1] if len(req) > 1 else b"",
                            b"500",
                            b"error",
                            b"",
                            b"",
                        ]
                    sock.send_multipart(reply)
                self.trust.refresh_if_stale()
        finally:
            sock.close()

    def _answer(self, req: list[bytes]) -> list[bytes]:
        if len(req) < 6:
            return [b"1.0", b"", b"500", b"bad ZAP request", b"", b""]
        version, rid, domain, address, _identity, mechanism = req[:6]
        creds = req[6:]
        status, text, user = self._decide(domain.decode("utf-8", "replace"), mechanism, creds)
        if status == b"200":
            self.allowed += 1
        else:
            self.denied += 1
            now = time.monotonic()
            if now - self._denied_log_at > 1.0:  # a key-guessing flood must not flood the log
                self._denied_log_at = now
                log.warning(
                    "refused connection from %s: %s", address.decode(errors="replace"), text
                )
        return [version, rid, status, text.encode(), user.encode(), b""]

    def _decide(self, domain: str, mechanism: bytes, creds: list[bytes]) -> tuple[bytes, str, str]:
        if mechanism != b"CURVE" or len(creds) != 1 or len(creds[0]) != 32:
            return b"400", "CURVE required", ""
        key = z85.encode(creds[0]).decode("ascii")
        if domain == WORKSTATION_DOMAIN:
            return b"200", "OK", "workstation:" + key
        if domain == EVENTS_DOMAIN:
            if key in self.trust.event_keys:
                return b"200", "OK", "workstation:" + key
            return b"400", "sign in before subscribing to events", ""
        if domain != TERMINAL_DOMAIN:
            return b"400", f"unknown domain {domain!r}", ""
        if self.trust.get(key) is None and not self.trust.lookup(key):
            return b"400", f"terminal key {key[:8]}... is not enrolled or was revoked", ""
        return b"200", "OK", key


# ------------------------------------------------------------------ enrolment


def _unit_row(s: Session, unit: str) -> UnitRow:
    row = s.scalars(select(UnitRow).where(UnitRow.call_sign == unit)).first()
    if row is None and unit.isdigit():
        row = s.get(UnitRow, int(unit))
    if row is None:
        n = s.scalar(select(func.count(UnitRow.id))) or 0
        hint = "the database has no units yet: start the hub once" if n == 0 else f"{n} units known"
        raise StoreError(f"no unit with call sign or id {unit!r} ({hint})")
    return row


def enroll_terminal(
    store: Store,
    unit: str,
    out: Path,
    hub_public: str,
    *,
    endpoint: str = "",
    enrolled_by: str = "admin",
) -> TerminalKey:
    """Make a key pair for ``unit``, register its public key, write the key file (0600).

    The file is written next to its final name first and renamed only after
    the database commit, so a failure leaves neither a dangling trusted key
    nor a key file the hub does not know.
    """
    kp = KeyPair.generate()
    if out.exists():
        raise StoreError(f"{out} exists; refusing to overwrite a terminal key")
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    with store.session() as s, s.begin():
        row = _unit_row(s, unit)
        key = TerminalKey(unit=row.call_sign, keys=kp, hub_public=hub_public, endpoint=endpoint)
        write_terminal_key(tmp, key)
        try:
            TerminalRepo(s).enroll(row.id, kp.public, enrolled_by=enrolled_by)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    tmp.rename(out)
    return key


def enroll_keys(store: Store, pairs: list[tuple[str, str]], enrolled_by: str = "admin") -> None:
    """Register many (call sign, public key) pairs in one transaction (simulators, tests)."""
    with store.session() as s, s.begin():
        ids = dict(s.execute(select(UnitRow.call_sign, UnitRow.id)).all())
        repo = TerminalRepo(s)
        for call_sign, public in pairs:
            if call_sign not in ids:
                raise StoreError(f"no unit with call sign {call_sign!r}")
            repo.enroll(ids[call_sign], public, enrolled_by=enrolled_by)


def revoke_terminals(store: Store, *, unit: str | None = None, key: str | None = None) -> list[str]:
    """Revoke one key, or every live key of a unit (a lost phone); returns the revoked keys."""
    if (unit is None) == (key is None):
        raise ValueError("revoke needs exactly one of unit or key")
    with store.session() as s, s.begin():
        repo = TerminalRepo(s)
        if key is not None:
            return [key] if repo.revoke(key) else []
        row = _unit_row(s, unit or "")
        keys = list(
            s.scalars(
                select(TerminalRow.public_key).where(
                    TerminalRow.unit_id == row.id, TerminalRow.revoked_at.is_(None)
                )
            )
        )
        return [k for k in keys if repo.revoke(k)]
