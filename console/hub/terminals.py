"""Which units can receive an order on a terminal now, and who answers for the others.

An order only counts as delivered when a device reported it (or an operator recorded
delivering it by radio or phone).  So the hub must know, at the moment it writes an
order, whether the unit has a trusted terminal connected:

- a hub with a terminal link asks the link (:mod:`console.link.node` attaches the link's
  live sessions and the enrolled keys here);
- a hub without a link has no terminals at all: every order is "no terminal";
- only the labelled embedded demo has stand-in terminals
  (:mod:`console.hub.virtual_terminals`), and even there never for a unit that has an
  enrolled terminal of its own.

The register is polled once per hub tick (:meth:`TerminalRegister.changes`), which is how
the hub is told that a terminal came on or went off the air.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

CallSigns = Callable[[], set[str]]


def _nobody() -> set[str]:
    return set()


class TerminalRegister:
    """Terminal presence per call sign: connected (link), stand-in (demo), or none."""

    def __init__(self, stand_ins: bool = False) -> None:
        self.stand_ins = stand_ins
        """The labelled demo: units without an enrolled terminal are answered by stand-ins."""
        self._online: CallSigns = _nobody
        self._enrolled: CallSigns = _nobody
        self._linked = False
        self._seen: set[str] = set()

    @property
    def linked(self) -> bool:
        """Whether a terminal link is attached (else no unit has a terminal)."""
        return self._linked

    def attach(self, online: CallSigns, enrolled: CallSigns) -> None:
        """The terminal link: ``online()`` the call signs with a live session of a trusted
        key, ``enrolled()`` those with an enrolled, unrevoked key (both safe from any
        thread, each a fresh set)."""
        self._online = online
        self._enrolled = enrolled
        self._linked = True
        self._seen = self._safe(online)

    @staticmethod
    def _safe(fn: CallSigns) -> set[str]:
        try:
            return set(fn())
        except Exception:  # the link's answer must never take an order path down
            log.exception("terminal presence: the link did not answer")
            return set()

    def online(self) -> set[str]:
        """Call signs whose terminal is connected now (none without a link)."""
        return self._safe(self._online) if self._linked else set()

    def stand_in_answers(self, call_sign: str) -> bool:
        """Whether the demo's stand-in terminal answers for this unit (demo only, and only
        for a unit with no enrolled terminal of its own)."""
        return self.stand_ins and call_sign not in self._safe(self._enrolled)

    def reachable(self, call_signs: Iterable[str]) -> set[str]:
        """Those of ``call_signs`` whose orders a terminal (real or the demo's stand-in)
        receives now; one look at the link for the whole batch."""
        wanted = set(call_signs)
        if not wanted:
            return set()
        out = wanted & self.online()
        if self.stand_ins:
            enrolled = self._safe(self._enrolled)
            out |= {cs for cs in wanted if cs not in enrolled}
        return out

    def connected(self, call_sign: str) -> bool:
        """Whether ``call_sign`` can receive an order on a terminal now."""
        return call_sign in self.reachable([call_sign])

    def changes(self) -> tuple[set[str], set[str]]:
        """(came on the air, went off the air) since the last call: the hub's tick asks."""
        if not self._linked:
            return set(), set()
        now = self.online()
        came, went = now - self._seen, self._seen - now
        self._seen = now
        return came, went
