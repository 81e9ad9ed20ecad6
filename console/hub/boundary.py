"""The hub's command boundary: who is asking, may they, is it on record, and what they
are told.

Every command passes here, on the hub thread, in this order:

1. the session token names the actor and role (never what the envelope claims);
2. the rights table says whether that role may send the command, and a command holding
   NaN or an infinity is refused naming the field (:func:`~console.audit.check_finite`);
3. in the safe state (the database cannot be written) anything that would change
   something is refused with a plain reason, reads go on;
4. a person's state-changing command is checked against the audit log before it runs
   (:mod:`console.hub.auditing`): no record, no action;
5. the handler runs; a refusal (:class:`CommandError`) goes to the user as is, any other
   failure in plain words (:func:`~console.hub.guard.plain_error`: never SQL), with the
   detail in the log; a failure to write trips the safe state, while another writer's
   lock is only waited out (:meth:`~console.hub.guard.StoreGuard.watch`);
6. the command and its outcome are written to the audit log.

Signing in is the one command that does not run here: the password check (argon2, 0.1-0.2
s of CPU by design) runs on the authenticator's worker pool (:meth:`login_async`) and the
reply goes out when it is done, so a flood of sign-ins never holds up a dispatcher.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from console.audit import NonFiniteNumber, check_finite
from console.auth import Authenticator, AuthError, Session
from console.hub.auditing import CommandAudit, is_read
from console.hub.errors import CommandError
from console.hub.guard import StoreGuard, plain_error
from console.hub.messages import Command, Envelope, Login, Logout, Reply

log = logging.getLogger(__name__)

Handler = Callable[[Any, Envelope], Any]
ALWAYS = (Login, Logout)
"""Commands the safe state does not refuse (the authenticator says if it cannot record)."""


def signed_in(s: Session) -> dict[str, str]:
    """The reply to a good sign-in."""
    return {"token": s.token, "actor": s.username, "role": s.role, "display_name": s.display_name}


class CommandBoundary:
    """Admits, runs and records one command at a time (see the module text)."""

    def __init__(
        self,
        auth: Authenticator,
        rights: Callable[[], dict[type[Command], frozenset[str]]],
        handlers: Callable[[], dict[type[Command], Handler]],
        audit: CommandAudit,
        guard: StoreGuard,
    ) -> None:
        self.auth = auth
        self.rights = rights
        self.handlers = handlers
        self.audit = audit
        self.guard = guard

    # -------------------------------------------------------------- commands

    def handle(self, env: Envelope) -> Reply:
        """Run one command now (on the calling thread)."""
        env, early = self.admit(env)
        if early is not None:
            return early
        cmd = env.command
        try:
            result = self.handlers()[type(cmd)](cmd, env)
        except CommandError as exc:
            reply = Reply(env.request_id, False, error=str(exc))
        except Exception as exc:  # a bug or a broken database must not take the hub down
            log.exception("command %s failed", type(cmd).__name__)
            self.guard.watch(exc)
            reply = Reply(env.request_id, False, error=plain_error(exc))
        else:
            reply = Reply(env.request_id, True, result=result)
        self.record(env, reply)
        return reply

    def admit(self, env: Envelope) -> tuple[Envelope, Reply | None]:
        """The envelope with the signed-in actor, and the refusal if it may not run."""
        if env.token:
            try:
                session = self.auth.resolve(env.token)
            except Exception as exc:
                log.exception("session check failed")
                self.guard.watch(exc)
                return env, Reply(env.request_id, False, error=plain_error(exc))
            if session is None:
                reply = Reply(env.request_id, False, error="session expired: sign in again")
                self.record(env, reply)
                return env, reply
            env = Envelope(
                request_id=env.request_id,
                command=env.command,
                actor=session.username,
                role=session.role,
                workstation=env.workstation,
                token=env.token,
                source=env.source,  # the connection (live camera pictures go to it)
            )
        cmd = env.command
        name = type(cmd).__name__
        allowed = self.rights().get(type(cmd))
        if allowed is None or type(cmd) not in self.handlers():
            return env, Reply(env.request_id, False, error=f"unknown command {name}")
        if env.role not in allowed:
            reply = Reply(env.request_id, False, error=f"role {env.role!r} may not {name}")
            self.record(env, reply)
            return env, reply
        try:
            check_finite(cmd)
        except NonFiniteNumber as exc:  # bad input: refused naming the field, on record
            reply = Reply(env.request_id, False, error=str(exc))
            self.record(env, reply)
            return env, reply
        if is_read(cmd):
            return env, None
        if self.guard.safe and not isinstance(cmd, ALWAYS):
            return env, Reply(env.request_id, False, error=self.guard.reason)
        if self.audit.needs_check(env):
            try:
                self.audit.check(env)
            except Exception as exc:  # no record, no action
                log.critical("audit check failed: %s of %s refused", name, env.actor, exc_info=True)
                self.guard.watch(exc)
                return env, Reply(env.request_id, False, error=plain_error(exc))
        return env, None

    def record(self, env: Envelope, reply: Reply) -> None:
        """The command's audit row; a failure to write it trips the safe state."""
        failed = self.audit.record(env, reply)
        if failed is not None:
            self.guard.watch(failed)

    # -------------------------------------------------------------- signing in

    def login_async(self, env: Envelope, fut: Future[Reply]) -> None:
        """Answer a :class:`Login` from the authenticator's workers: ``fut`` is resolved when
        the password check is done (at once when the limits refuse the attempt)."""
        cmd = env.command
        assert isinstance(cmd, Login)
        allowed = self.rights().get(Login, frozenset())
        if env.role not in allowed:
            fut.set_result(Reply(env.request_id, False, error=f"role {env.role!r} may not Login"))
            return

        def done(f: Future[Session]) -> None:
            try:
                reply = Reply(env.request_id, True, result=signed_in(f.result()))
            except AuthError as exc:
                reply = Reply(env.request_id, False, error=str(exc))
            except Exception as exc:
                log.exception("sign-in of %r failed", cmd.username[:64])
                reply = Reply(env.request_id, False, error=plain_error(exc))
            if not fut.done():
                fut.set_result(reply)

        try:
            source = env.source or env.workstation  # the connection over tcp; the seat in process
            self.auth.login_async(
                cmd.username, cmd.password, source, callback=done, address=env.peer
            )
        except Exception as exc:
            log.exception("sign-in of %r could not start", cmd.username[:64])
            if not fut.done():
                fut.set_result(Reply(env.request_id, False, error=plain_error(exc)))
