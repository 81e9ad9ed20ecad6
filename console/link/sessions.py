"""What the terminal link keeps per connection, and its counters."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Session:
    """One live connection of an enrolled terminal."""

    rid: bytes
    key: str
    unit_id: int
    call_sign: str
    idx: int
    last_seen: float
    refused_at: float = 0.0


@dataclass
class Push:
    """A hub -> terminal message confirmed by the terminal (cancel, update, text)."""

    unit_id: int
    data: bytes
    rev: int
    next_at: float
    until: float


REFUSAL_CODES = ("malformed", "oversize", "version", "invalid")
"""Always named in a refusal summary, in this order (zeros too, so lines read alike)."""


@dataclass
class RefusalTally:
    """Refusals of one sender not yet in the log (past the first few logged one by one).

    Kept per key, so a flood of 100,000 bad frames costs a counter increment
    each and one summary line per period instead of a line per frame.
    """

    call_sign: str
    key: str
    counts: collections.Counter[str] = field(default_factory=collections.Counter)

    def summary(self) -> tuple[int, str]:
        """(frames, "malformed=a, oversize=b, version=c, invalid=d[, other=e]")."""
        codes = [*REFUSAL_CODES, *sorted(set(self.counts) - set(REFUSAL_CODES))]
        return sum(self.counts.values()), ", ".join(f"{c}={self.counts[c]}" for c in codes)


@dataclass
class LinkStats:
    """Counters for tests, the benchmark and the operator's log."""

    frames: int = 0
    positions: int = 0
    applied: int = 0
    positions_refused: collections.Counter[str] = field(default_factory=collections.Counter)
    """Decoded fixes not believed (console.link.posbatch.PositionGate): future, outside, speed."""
    photos_refused: collections.Counter[str] = field(default_factory=collections.Counter)
    """Photos not taken (console.link.attachments): photo_invalid, photo_quota, order_closed."""
    invalid: collections.Counter[str] = field(default_factory=collections.Counter)
    invalid_by_sender: collections.Counter[str] = field(default_factory=collections.Counter)
    untrusted: int = 0
    orders_sent: int = 0
    receipts: int = 0
    moved: int = 0
    send_full: int = 0
    unreachable: int = 0
    revoked_cut: int = 0

    @property
    def invalid_total(self) -> int:
        return sum(self.invalid.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "positions": self.positions,
            "applied": self.applied,
            "positions_refused": dict(self.positions_refused),
            "photos_refused": dict(self.photos_refused),
            "invalid": dict(self.invalid),
            "invalid_total": self.invalid_total,
            "untrusted": self.untrusted,
            "orders_sent": self.orders_sent,
            "receipts": self.receipts,
            "moved": self.moved,
            "send_full": self.send_full,
            "unreachable": self.unreachable,
            "revoked_cut": self.revoked_cut,
        }
