"""Every command a person sends is on record before it changes anything (fail closed).

The hub's parts each write in their own transactions, several per command, so the audit
row cannot share one transaction with all of them.  Instead, before a state-changing
command from a person runs, its row is written into the audit chain inside a transaction
that is then rolled back (:meth:`CommandAudit.check`): the same insert, the same
triggers, the same keyed MAC, the same disk.  If that fails, the command is refused and
nothing happens.  After the command, the row is written for real with its outcome
(:meth:`CommandAudit.record`), one row per command as before.  Should that last write
fail (the database broke in between), the failure is logged as CRITICAL and the hub's
:class:`~console.hub.guard.StoreGuard` takes the hub into its safe state.

Reports from terminals and the link (receipts, duty status) are facts that already
happened on a device: they are recorded after they are applied, as before.

A command holding NaN or an infinity (JSON has no such numbers) is bad input: it is
refused naming the field (:func:`~console.audit.check_finite`), and its row goes on
record with those numbers written as text.

Both writes wait out another writer's lock (the link, the audit checkpoints and the workers
write the same database) with a short backoff (:func:`~console.store.locks.retry_locked`):
a lock is not a reason to refuse a command, nor to lose the row of one that ran; only a
lock that outlasts :data:`~console.store.locks.LOCK_PATIENCE_S` is a failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from console.audit import READ_ONLY, SELF_AUDITED, check_finite, command_payload, trail_for
from console.hub.messages import Envelope, Reply
from console.store.db import Store
from console.store.locks import LOCK_PATIENCE_S, retry_locked

log = logging.getLogger(__name__)

PEOPLE = frozenset({"operator", "supervisor", "admin", "anonymous"})
"""Roles whose commands are checked against the audit log before they run."""
READ_PREFIXES = ("Get", "List", "Search")


def is_read(command: Any) -> bool:
    """Whether a command only reads (never audited, allowed in the safe state)."""
    name = type(command).__name__
    return name in READ_ONLY or name.startswith(READ_PREFIXES)


class CommandAudit:
    """The audit row of each hub command: checked before, written after."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], float],
        patience_s: float = LOCK_PATIENCE_S,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        """``patience_s``: how long a write waits out other writers' locks (``sleep``
        between tries) before it counts as failed."""
        self.store = store
        self.clock = clock
        self.patience_s = patience_s
        self.sleep = sleep

    @staticmethod
    def audited(command: Any) -> bool:
        """Whether the command gets an audit row from the hub at all."""
        name = type(command).__name__
        return name not in READ_ONLY and name not in SELF_AUDITED

    def needs_check(self, env: Envelope) -> bool:
        """Whether the row must be known writable before the command runs."""
        return env.role in PEOPLE and self.audited(env.command) and not is_read(env.command)

    def check(self, env: Envelope) -> None:
        """Write the command's row and roll it back: raises (AuditError, a store error) if
        the audit log cannot take it now, so the command must not run.  A command holding
        NaN or an infinity is refused first (:class:`~console.audit.NonFiniteNumber`,
        naming the field): that is bad input, not an audit log that cannot be written."""
        check_finite(env.command)
        trail = trail_for(self.store)
        name = type(env.command).__name__

        def write_and_undo() -> None:
            with self.store.session() as s, s.begin():  # SQLite: waits for the write lock
                trail.write(
                    s,
                    actor=env.actor,
                    workstation=env.workstation,
                    action=name,
                    payload=command_payload(env.command, True),
                    t=self.clock(),
                )
                s.rollback()

        retry_locked(
            write_and_undo,
            patience_s=self.patience_s,
            what=f"the audit check of {name}",
            sleep=self.sleep,
        )

    def record(self, env: Envelope, reply: Reply) -> BaseException | None:
        """The command's row with its outcome; the exception if it could not be written
        (logged CRITICAL here; never raised)."""
        if not self.audited(env.command):
            return None
        t = self.clock()
        try:
            trail = trail_for(self.store)
            retry_locked(
                lambda: trail.record_command(
                    actor=env.actor,
                    workstation=env.workstation,
                    command=env.command,
                    ok=reply.ok,
                    error=reply.error,
                    t=t,
                ),
                patience_s=self.patience_s,
                what=f"the audit row of {type(env.command).__name__}",
                sleep=self.sleep,
            )
        except Exception as exc:
            name = type(env.command).__name__
            log.critical("AUDIT WRITE FAILED for %s by %s", name, env.actor, exc_info=True)
            return exc
        return None
