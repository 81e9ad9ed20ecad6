"""Consecutive failures per account and per source, the delays they earn, and the
failed sign-ins waiting to be summarised in the audit log."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from console.auth.common import SUMMARY_TOP, TRACKED_NAMES, AuthSettings, Session


@dataclass
class Strikes:
    failures: int = 0
    last: float = 0.0
    unknown: bool = False
    """The name is no account: its lock lives here only (a real account's lives in the store)."""


class Limiter:
    """Consecutive failures per account name, per source (the connection) and per network
    address; the delays they earn.  The address catches a flooder that opens a new
    connection with a new CURVE key for every try (each a fresh source)."""

    def __init__(self, settings: AuthSettings) -> None:
        self.s = settings
        self.accounts: collections.OrderedDict[str, Strikes] = collections.OrderedDict()
        self.sources: collections.OrderedDict[str, Strikes] = collections.OrderedDict()
        self.inflight: collections.Counter[str] = collections.Counter()

    def _delay(self, k: int, free: int) -> float:
        return 0.0 if k < free else min(2.0 ** (k - free), self.s.delay_max_seconds)

    def _origins(self, source: str, address: str) -> list[tuple[str, int]]:
        """The keys failures are counted under besides the account, with their free failures:
        the connection (``source``) and the peer's network address (``address``)."""
        out = []
        if source:
            out.append((source, self.s.source_free_failures))
        if address:
            out.append((f"ip:{address}", self.s.address_free_failures))
        return out

    def wait_s(self, username: str, source: str, now: float, address: str = "") -> float:
        """Seconds until an attempt for this account from this source may be checked.

        Attempts still being checked count as failures until they are known, so a
        burst cannot slip past the delays while the first few are in the workers.
        """
        wait = 0.0
        a = self.accounts.get(username)
        busy = self.inflight[username]
        if a is not None or busy:
            k, last = (a.failures, a.last) if a is not None else (0, now)
            wait = (now if busy else last) + self._delay(k + busy, self.s.free_failures) - now
        for origin, free in self._origins(source, address):
            src = self.sources.get(origin)
            busy = self.inflight[f"src:{origin}"]
            if src is not None or busy:
                k, last = (src.failures, src.last) if src is not None else (0, now)
                wait = max(wait, (now if busy else last) + self._delay(k + busy, free) - now)
        return max(0.0, wait)

    def begin(self, username: str, source: str, address: str = "") -> None:
        """An attempt goes to be checked."""
        self.inflight[username] += 1
        for origin, _ in self._origins(source, address):
            self.inflight[f"src:{origin}"] += 1

    def end(self, username: str, source: str, address: str = "") -> None:
        """Its result is known (and recorded by :meth:`failed` or :meth:`clear`)."""
        for k in (username, *(f"src:{o}" for o, _ in self._origins(source, address))):
            if k and self.inflight[k] > 0:
                self.inflight[k] -= 1
                if not self.inflight[k]:
                    del self.inflight[k]

    def locked_unknown(self, username: str) -> bool:
        a = self.accounts.get(username)
        return a is not None and a.unknown and a.failures >= self.s.lockout_failures

    def _get(self, table: collections.OrderedDict[str, Strikes], name: str) -> Strikes:
        st = table.get(name)
        if st is None:
            st = table[name] = Strikes()
            if len(table) > TRACKED_NAMES:
                table.popitem(last=False)
        else:
            table.move_to_end(name)
        return st

    def failed(
        self,
        username: str,
        source: str,
        now: float,
        *,
        unknown: bool,
        failures: int,
        address: str = "",
    ) -> None:
        a = self._get(self.accounts, username)
        a.failures, a.last, a.unknown = failures, now, unknown
        for origin, _ in self._origins(source, address):
            src = self._get(self.sources, origin)
            src.failures += 1
            src.last = now

    def account_failures(self, username: str) -> int:
        a = self.accounts.get(username)
        return a.failures if a is not None else 0

    def clear(self, username: str, source: str = "", address: str = "") -> None:
        """A sign-in succeeded: the account's, the connection's and the address's counts
        start again (a success shows the address is a command room's, whose seats behind
        one NAT share it; the per-account limits still hold for every other account)."""
        self.accounts.pop(username, None)
        for origin, _ in self._origins(source, address):
            self.sources.pop(origin, None)


@dataclass
class FailureSummary:
    """Failed and refused sign-ins not yet written to the audit log."""

    since: float
    failed: int = 0
    throttled: int = 0
    locked: int = 0
    busy: int = 0
    accounts: collections.Counter[str] = field(default_factory=collections.Counter)
    sources: collections.Counter[str] = field(default_factory=collections.Counter)
    addresses: collections.Counter[str] = field(default_factory=collections.Counter)

    @property
    def total(self) -> int:
        return self.failed + self.throttled + self.locked + self.busy

    def add(self, kind: str, username: str, source: str, address: str = "") -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.accounts[username[:64]] += 1
        self.sources[(source or "-")[:200]] += 1
        self.addresses[(address or "-")[:64]] += 1

    def payload(self, until: float) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": until,
            "failed": self.failed,
            "throttled": self.throttled,
            "locked": self.locked,
            "busy": self.busy,
            "accounts": dict(self.accounts.most_common(SUMMARY_TOP)),
            "sources": dict(self.sources.most_common(SUMMARY_TOP)),
            "other_accounts": max(0, len(self.accounts) - SUMMARY_TOP),
            "other_sources": max(0, len(self.sources) - SUMMARY_TOP),
            "addresses": dict(self.addresses.most_common(SUMMARY_TOP)),
            "other_addresses": max(0, len(self.addresses) - SUMMARY_TOP),
        }


@dataclass
class Live:
    session: Session
    expires_at: float
    last_seen: float
    stored_seen: float
