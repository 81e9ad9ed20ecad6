"""The :class:`Authenticator`: password checks off the caller's thread, limits, lockout,
failure summaries and stored sessions (see :mod:`console.auth` for why)."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from console.auth.common import (
    BUSY,
    DUMMY_HASH,
    HASHER,
    LOCKED,
    LOGIN_FAILED,
    NOT_RECORDED,
    STOPPING,
    THROTTLED,
    AuthError,
    AuthSettings,
    Session,
    hash_password,
    token_hash,
)
from console.auth.limits import FailureSummary, Limiter, Live
from console.domain import Role
from console.store import repos
from console.store.access_repo import LockoutRepo, SessionRepo
from console.store.db import Store
from console.store.locks import retry_locked

if TYPE_CHECKING:
    from console.audit.trail import AuditTrail

log = logging.getLogger(__name__)

LOCK_PATIENCE_S = 10.0
"""How long a sign-in's write waits out other writers' locks (the hub, the link, the audit
checkpoints share the database) before the sign-in is refused as not recorded: a failed
sign-in lost to a lock would be one the lockout never counted."""


SIGN_IN_NICE = 10
"""How much lower the sign-in workers run than the hub's other threads (Linux nice)."""


def _yield_to_commands() -> None:
    """A sign-in worker gives way to the hub's command and link threads: on Linux its own
    thread runs at a lower priority (a flood of wrong passwords keeps a core busy with
    argon2, which must not slow a supervisor's command on a small machine).  Elsewhere,
    or where it is not allowed, nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SIGN_IN_NICE)


class Authenticator:
    """Checks passwords (off the caller's thread if asked), limits attempts, keeps sessions."""

    def __init__(
        self,
        store: Store,
        *,
        audit: AuditTrail | None = None,
        settings: AuthSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings or AuthSettings()
        self.clock = clock
        self._audit = audit
        self._sessions: dict[str, Live] = {}
        self._lock = threading.Lock()
        self._limits = Limiter(self.settings)
        self._summary = FailureSummary(clock())
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future[Session]] = set()
        self._closed = False
        self.verified = 0
        """Password verifications done (argon2 runs), for tests and the benchmark."""

    @property
    def audit(self) -> AuditTrail:
        """The trail sign-ins are recorded in (the store's registered trail unless given)."""
        if self._audit is None:
            from console.audit.trail import trail_for

            self._audit = trail_for(self.store)
        return self._audit

    # ------------------------------------------------------------------ signing in

    def login(
        self, username: str, password: str, source: str = "", *, address: str = ""
    ) -> Session:
        """A new session, checked on the calling thread; AuthError with the reason shown."""
        refusal = self._admit(username, source, address)
        if refusal:
            raise AuthError(refusal)
        return self._attempt(username, password, source, address)

    def login_async(
        self,
        username: str,
        password: str,
        source: str = "",
        callback: Callable[[Future[Session]], None] | None = None,
        *,
        address: str = "",
    ) -> Future[Session]:
        """Sign in on the worker pool; the future holds the Session or an AuthError.

        Attempts refused by the limits (too early, locked, queue full) resolve at
        once on the calling thread, without argon2.  ``callback`` (also any
        ``add_done_callback``) runs on whichever thread resolves the future.
        ``source`` is the connection, ``address`` the network address it came from
        (over tcp: the workstation server sets both from the wire, never the client).
        """
        fut: Future[Session] = Future()
        if callback is not None:
            fut.add_done_callback(callback)
        refusal = self._admit(username, source, address)
        if refusal:
            fut.set_exception(AuthError(refusal))
            return fut
        with self._lock:
            if self._closed:
                refusal = STOPPING
            elif len(self._pending) >= self.settings.login_queue:
                self._summary.add("busy", username, source, address)
                refusal = BUSY
            else:
                self._pending.add(fut)
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(
                        max_workers=max(1, self.settings.login_workers),
                        thread_name_prefix="sign-in",
                        initializer=_yield_to_commands,
                    )
                pool = self._pool
        if refusal:
            with self._lock:
                self._limits.end(username, source, address)  # admitted, but it will not be checked
            fut.set_exception(AuthError(refusal))
            return fut

        def job() -> None:
            try:
                result = self._attempt(username, password, source, address)
            except AuthError as exc:
                _settle(fut, exc=exc)
            except Exception as exc:  # a bug must not leave the workstation waiting
                log.exception("sign-in of %r failed", username[:64])
                _settle(fut, exc=AuthError(f"sign-in failed: internal error ({exc})"))
            else:
                _settle(fut, result=result)
            finally:
                with self._lock:
                    self._pending.discard(fut)

        try:
            pool.submit(job)
        except RuntimeError:  # closed between our look and the submit
            with self._lock:
                self._pending.discard(fut)
                self._limits.end(username, source, address)
            _settle(fut, exc=AuthError(STOPPING))
        return fut

    def _admit(self, username: str, source: str, address: str = "") -> str:
        """The refusal for an attempt that may not be checked now, or "" (cheap: no database)."""
        now = self.clock()
        with self._lock:
            due = bool(self._summary.total) and (
                now - self._summary.since >= self.settings.summary_seconds
            )
            wait = self._limits.wait_s(username, source, now, address)
            if wait > 0:
                self._summary.add("throttled", username, source, address)
                refusal = THROTTLED.format(s=max(1, round(wait)))
            elif self._limits.locked_unknown(username):  # answered as a real locked account is
                k = self._limits.account_failures(username) + 1
                self._limits.failed(
                    username, source, now, unknown=True, failures=k, address=address
                )
                self._summary.add("locked", username, source, address)
                refusal = LOCKED
            else:
                refusal = ""
                self._limits.begin(username, source, address)
        if due:
            self._flush_soon()
        return refusal

    def _attempt(self, username: str, password: str, source: str, address: str = "") -> Session:
        """Check the password (argon2) and open a session, or raise AuthError."""
        try:
            return self._check(username, password, source, address)
        finally:
            with self._lock:
                self._limits.end(username, source, address)

    def _check(self, username: str, password: str, source: str, address: str) -> Session:
        with self.store.session() as s:
            row = repos.UserRepo(s).get_by_username(username)
            lock = LockoutRepo(s).get(username) if row is not None else None
            user = (
                (row.username, row.display_name, row.role, row.disabled, row.password_hash)
                if row is not None
                else None
            )
            locked = lock is not None and lock.locked_at is not None
        if locked:  # no argon2 for a locked account; the delays keep even this rare
            with self._lock:
                k = max(self._limits.account_failures(username) + 1, self.settings.lockout_failures)
                self._limits.failed(
                    username, source, self.clock(), unknown=False, failures=k, address=address
                )
                self._summary.add("locked", username, source, address)
            raise AuthError(LOCKED)
        stored = user[4] if user is not None else DUMMY_HASH
        try:
            HASHER.verify(stored, password)
            ok = user is not None and not user[3]
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        with self._lock:
            self.verified += 1
        if not ok or user is None:
            self._failed(username, source, address, exists=user is not None)
            raise AuthError(LOGIN_FAILED)
        return self._open_session(user[0], user[1], user[2], source, address)

    def _failed(self, username: str, source: str, address: str, *, exists: bool) -> None:
        now = self.clock()
        failures = self._limits.account_failures(username) + 1
        just_locked = False
        if exists:

            def count_it() -> tuple[int, bool]:
                with self.store.transaction() as s:
                    row = LockoutRepo(s).failed(username, now, self.settings.lockout_failures)
                    locked = row.locked_at is not None and (
                        row.failures == self.settings.lockout_failures
                    )
                    if locked:
                        self.audit.write(
                            s,
                            actor="system",
                            action="auth.locked",
                            payload={
                                "username": username,
                                "failures": row.failures,
                                "source": source,
                                "address": address,
                            },
                            t=now,
                        )
                    return int(row.failures), locked

            try:
                failures, just_locked = retry_locked(
                    count_it, patience_s=LOCK_PATIENCE_S, what="recording a failed sign-in"
                )
            except Exception:
                log.exception("cannot record a failed sign-in of %r", username)
        with self._lock:
            self._limits.failed(
                username, source, now, unknown=not exists, failures=failures, address=address
            )
            self._summary.add("failed", username, source, address)
            due = now - self._summary.since >= self.settings.summary_seconds
        if just_locked:
            log.warning("account %r locked after %d failed sign-ins", username, failures)
        if due:
            self.flush_summary()

    def _open_session(
        self, username: str, display_name: str, role: str, source: str, address: str = ""
    ) -> Session:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        h = token_hash(token)
        expires = now + self.settings.session_max_seconds

        def record_it() -> None:
            with self.store.transaction() as s:
                SessionRepo(s).add(
                    h,
                    username=username,
                    display_name=display_name,
                    role=role,
                    source=source,
                    now=now,
                    expires_at=expires,
                )
                LockoutRepo(s).clear(username)
                self.audit.write(
                    s,
                    actor=username,
                    workstation=source[:64],
                    action="auth.login",
                    payload={
                        "username": username,
                        "role": role,
                        "source": source,
                        "address": address,
                    },
                    t=now,
                )

        try:
            retry_locked(record_it, patience_s=LOCK_PATIENCE_S, what="recording a sign-in")
        except Exception:
            log.exception("sign-in of %r could not be recorded; refused", username)
            raise AuthError(NOT_RECORDED) from None
        session = Session(token, username, display_name, role)
        with self._lock:
            self._sessions[h] = Live(session, expires, now, now)
            self._limits.clear(username, source, address)
        return session

    # ------------------------------------------------------------------ summaries

    def _flush_soon(self) -> None:
        with self._lock:
            pool = self._pool
        if pool is None:
            self.flush_summary()
        else:
            pool.submit(self.flush_summary)

    def flush_summary(self) -> bool:
        """Write the failed and refused sign-ins counted so far as one audit row and a log line."""
        now = self.clock()
        with self._lock:
            summary = self._summary
            if not summary.total:
                return False
            self._summary = FailureSummary(now)
        payload = summary.payload(now)
        log.warning(
            "sign-in failures in the last %.0f s: failed %d, too early %d, locked %d, busy %d "
            "(accounts %s; sources %s; addresses %s)",
            now - summary.since,
            summary.failed,
            summary.throttled,
            summary.locked,
            summary.busy,
            ", ".join(f"{k}={v}" for k, v in summary.accounts.most_common(5)),
            ", ".join(f"{k}={v}" for k, v in summary.sources.most_common(5)),
            ", ".join(f"{k}={v}" for k, v in summary.addresses.most_common(5)),
        )
        try:
            self.audit.record(actor="system", action="auth.failures", payload=payload, t=now)
        except Exception:
            log.critical("the sign-in failure summary could not be audited", exc_info=True)
            return False
        return True

    # ------------------------------------------------------------------ sessions

    def resolve(self, token: str) -> Session | None:
        """The session behind a token if it is live (not idle too long, not past its end)."""
        if not token:
            return None
        h = token_hash(token)
        now = self.clock()
        with self._lock:
            live = self._sessions.get(h)
        if live is None:
            live = self._load(h)
            if live is None:
                return None
        st = self.settings
        if now > live.expires_at or now - live.last_seen > st.session_idle_seconds:
            self._forget(h)
            return None
        live.last_seen = max(live.last_seen, now)
        if now - live.stored_seen >= st.touch_seconds:
            try:
                with self.store.transaction() as s:
                    still = SessionRepo(s).touch(h, now)
            except Exception:
                log.exception("cannot record session activity")
                still = True
            if not still:  # ended by another hub (logout, password reset, account disabled)
                with self._lock:
                    self._sessions.pop(h, None)
                return None
            live.stored_seen = now
        return live.session

    def _load(self, h: str) -> Live | None:
        """A session stored by an earlier run of the hub (or by another hub on the same store)."""
        try:
            with self.store.session() as s:
                row = SessionRepo(s).get(h)
                if row is None:
                    return None
                live = Live(
                    Session("", row.username, row.display_name, row.role),
                    row.expires_at,
                    row.last_seen_at,
                    row.last_seen_at,
                )
        except Exception:
            log.exception("cannot read the stored sessions")
            return None
        with self._lock:
            return self._sessions.setdefault(h, live)

    def _forget(self, h: str) -> None:
        with self._lock:
            self._sessions.pop(h, None)
        try:
            with self.store.transaction() as s:
                SessionRepo(s).end(h)
        except Exception:
            log.exception("cannot remove an ended session")

    def logout(self, token: str) -> None:
        """End a session (here and in the store)."""
        if token:
            self._forget(token_hash(token))

    def end_sessions(self, username: str) -> int:
        """End every session of a user (disabled, or password reset); returns how many."""
        with self._lock:
            gone = [h for h, live in self._sessions.items() if live.session.username == username]
            for h in gone:
                del self._sessions[h]
        try:
            with self.store.transaction() as s:
                stored = SessionRepo(s).end_user(username)
        except Exception:
            log.exception("cannot end the stored sessions of %r", username)
            stored = 0
        return max(len(gone), stored)

    def purge_sessions(self) -> int:
        """Remove expired sessions from the store (housekeeping; the hub may call it hourly)."""
        with self.store.transaction() as s:
            return SessionRepo(s).purge_expired(self.clock(), self.settings.session_idle_seconds)

    # ------------------------------------------------------------------ accounts

    def create_user(
        self,
        username: str,
        display_name: str,
        password: str,
        role: str,
        *,
        audit_as: tuple[str, str] | None = None,
    ) -> None:
        """Add an account (the hub checks that only an administrator may).

        ``audit_as`` = (actor, workstation): write the ``user.create`` audit row in
        the same transaction (the shell commands do; the hub audits its command itself).
        """
        try:
            r = Role(role)
        except ValueError:
            raise AuthError(f"unknown role {role!r}") from None
        if r is Role.TERMINAL:
            raise AuthError("terminals are enrolled with keys, not passwords")
        h = hash_password(password)
        try:
            with self.store.transaction() as s:
                repos.UserRepo(s).create(
                    username, display_name=display_name, password_hash=h, role=r
                )
                if audit_as is not None:
                    self.audit.write(
                        s,
                        actor=audit_as[0],
                        workstation=audit_as[1],
                        action="user.create",
                        payload={
                            "username": username,
                            "display_name": display_name,
                            "role": r.value,
                        },
                        t=self.clock(),
                    )
        except Exception as exc:
            raise AuthError(str(exc)) from None

    def unlock(self, username: str, *, actor: str, workstation: str = "") -> bool:
        """Unlock an account and forget its failures (audited); False if it was not locked."""
        now = self.clock()
        try:
            with self.store.transaction() as s:
                row = LockoutRepo(s).get(username)
                was_locked = row is not None and row.locked_at is not None
                LockoutRepo(s).clear(username)
                self.audit.write(
                    s,
                    actor=actor,
                    workstation=workstation,
                    action="auth.unlock",
                    payload={"username": username, "was_locked": was_locked},
                    t=now,
                )
        except Exception as exc:
            raise AuthError(f"cannot unlock {username!r}: {exc}") from None
        with self._lock:
            self._limits.clear(username)
        return was_locked

    def locked_accounts(self) -> list[dict[str, Any]]:
        """Accounts locked by failed sign-ins (for the administrator)."""
        with self.store.session() as s:
            return [
                {"username": r.username, "failures": r.failures, "locked_at": r.locked_at}
                for r in LockoutRepo(s).locked()
            ]

    def has_admin(self) -> bool:
        """Whether an active administrator account exists (first-run check)."""
        with self.store.session() as s:
            return any(
                u.role == Role.ADMIN.value and not u.disabled
                for u in repos.UserRepo(s).list_users()
            )

    def close(self) -> None:
        """Stop the workers (waiting sign-ins are refused) and write the last summary."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
            pending = list(self._pending)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for fut in pending:
            _settle(fut, exc=AuthError(STOPPING))
        self.flush_summary()


def _settle(
    fut: Future[Session], *, result: Session | None = None, exc: BaseException | None = None
) -> None:
    """Resolve ``fut`` unless it already is (close() may have refused it meanwhile)."""
    try:
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(result)  # type: ignore[arg-type]
    except Exception:  # InvalidStateError: already settled
        pass
