"""The duty roster at work: units go on and off duty at their shift times, through the hub.

A :class:`DutyDriver` watches the hub's clock (its own thread, one look a
second, so a frozen test clock works too) and, at every shift boundary,
sends the hub an ordinary ``SetUnitStatus`` from the actor ``duty-roster``:
the change is checked, stored, audited and published like one made by hand.
The units a step moved then go into the shift log, the room's chronology of
what is not an incident, as one ``duty_change`` line (``LogDutyChange``):
which units came on or went off duty, by which roster line, at the hub's
time.  Only the step between *available* and
*off duty* is taken: a unit still busy on an incident when its shift ends
goes off duty when it becomes available; a unit set off duty by hand during
its shift stays so until the next boundary.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout

from console.district.roster import DutyRoster
from console.domain import UnitStatus
from console.hub.hub import CommandHub
from console.hub.messages import Command, Envelope, SetUnitStatus
from console.hub.messages_shift import DutyMove, LogDutyChange

log = logging.getLogger(__name__)

ACTOR = "duty-roster"
POLL_S = 1.0
REPLY_TIMEOUT_S = 10.0


class DutyDriver:
    """Applies the roster's shift changes to a running hub."""

    def __init__(
        self,
        hub: CommandHub,
        roster: DutyRoster,
        clock: Callable[[], float],
        poll_s: float = POLL_S,
    ) -> None:
        self.hub = hub
        self.roster = roster
        self.clock = clock
        self.poll_s = poll_s
        self.last = clock()
        self.pending_off: set[str] = set()  # shift over, unit still busy
        self.applied = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- one step ---------------------------------------------------------------------------

    def _status(self, call_sign: str) -> UnitStatus | None:
        i = self.hub.situation.index.get(call_sign)
        return None if i is None else self.hub.situation.status_of(i)

    def _submit(self, command: Command, role: str) -> str | None:
        """Run one command on the hub; the refusal's text, or None when done."""
        env = Envelope(
            request_id=0, command=command, actor=ACTOR, role=role, workstation="duty-roster"
        )
        try:
            reply = self.hub.submit(env).result(timeout=REPLY_TIMEOUT_S)
        except FutureTimeout:
            return "no reply from the hub"
        return None if reply.ok else reply.error

    def _send(self, call_sign: str, status: UnitStatus) -> bool:
        error = self._submit(SetUnitStatus(call_sign=call_sign, status=status.value), "supervisor")
        if error is not None:
            log.warning("duty roster: %s -> %s refused: %s", call_sign, status.value, error)
            return False
        self.applied += 1
        log.info("duty roster: %s %s", call_sign, status.value)
        return True

    def _line(self, call_sign: str, t: float) -> str:
        """The roster line behind a move, as the shift log names it."""
        s = self.roster.line_at(call_sign, t)
        if s is None:
            return ""
        clock = self.hub.local.clock_text
        return f"{s.day} {s.shift} {clock(s.start)}-{clock(s.end)}"

    def _want(self, call_sign: str, on: bool, moves: list[DutyMove], t: float) -> None:
        status = self._status(call_sign)
        if status is None:
            return
        move = DutyMove(call_sign=call_sign, on=on, line=self._line(call_sign, t))
        if on:
            self.pending_off.discard(call_sign)
            if status is UnitStatus.OFF_DUTY and self._send(call_sign, UnitStatus.AVAILABLE):
                moves.append(move)
        elif status is UnitStatus.AVAILABLE:
            self.pending_off.discard(call_sign)
            if self._send(call_sign, UnitStatus.OFF_DUTY):
                moves.append(move)
        elif status is not UnitStatus.OFF_DUTY:
            self.pending_off.add(call_sign)

    def _log(self, moves: list[DutyMove]) -> None:
        """The step's moves into the shift log (a refusal is logged, never raised)."""
        if not moves:
            return
        error = self._submit(LogDutyChange(moves=moves), "system")
        if error is not None:
            log.warning("duty roster: shift log line refused: %s", error)

    def sync(self) -> None:
        """Bring every unit to the roster's state now (at start)."""
        now = self.clock()
        self.last = now
        moves: list[DutyMove] = []
        for spec in self.hub.situation.specs:
            self._want(spec.call_sign, self.roster.on_duty(spec.call_sign, now), moves, now)
        self._log(moves)

    def step(self) -> None:
        """Apply the shift boundaries passed since the last step."""
        now = self.clock()
        if now < self.last:  # the clock went back: re-sync rather than replay
            self.sync()
            return
        moves: list[DutyMove] = []
        for t, call_sign, on in self.roster.changes(self.last, now):
            self._want(call_sign, on, moves, t)
        for call_sign in list(self.pending_off):
            if not self.roster.on_duty(call_sign, now):
                self._want(call_sign, False, moves, now)
            else:
                self.pending_off.discard(call_sign)
        self.last = now
        self._log(moves)

    # ---- thread ------------------------------------------------------------------------------

    def start(self) -> DutyDriver:
        self.sync()
        self._thread = threading.Thread(target=self._run, name="duty-roster", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.step()
            except Exception:  # the roster must never take the hub down
                log.exception("duty roster step failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
