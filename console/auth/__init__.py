"""Sign-in, sessions, sign-in limits and lockout, and the administrator's shell commands.

Passwords are hashed with argon2id (argon2-cffi).  A failed sign-in says the
same thing, and costs the same time, whether the user exists or not, so the
console never reveals which accounts exist.  There is no default password:
the first administrator is created by ``python main.py admin create``.

Why it is built this way:

- **argon2 never runs on the hub's command thread.**  A verification costs
  0.1-0.2 s of CPU and 64 MiB by design; :meth:`Authenticator.login_async` hands
  it to a small worker pool (``login_workers``, default 1, so the hub keeps a
  core) with a bounded queue (``login_queue``): when the queue is full a
  sign-in is refused at once as busy instead of piling up.
- **Growing delays, per account, per source and per address**: the first
  ``free_failures`` mistakes for an account (``source_free_failures`` for one
  connection, i.e. CURVE key; ``address_free_failures`` for one network address,
  every connection from it together) cost nothing, then each further attempt must
  wait 1, 2, 4 ... up to ``delay_max_seconds`` after the last failure, and an
  attempt that comes too early is refused at once, before any argon2 work.
  Unknown user names are tracked exactly like real ones.  The address catches a
  flooder with a new key for every try; its bound leaves room for a command room
  behind one NAT (docs/deployment.md, "Sign-in limits in a command room").
- **Lockout**: ``lockout_failures`` failures in a row lock an account (stored,
  so a restart does not unlock it) until an administrator unlocks it
  (:meth:`Authenticator.unlock`, ``main.py admin unlock``).
- **Audited without flooding the log**: each good sign-in, each lockout and
  unlock is one audit row; failed and refused attempts are counted and written
  as one ``auth.failures`` summary row per ``summary_seconds``.  A sign-in
  whose audit row cannot be written is refused (fail closed).
- **Sessions survive a hub restart**: they are stored in ``auth_sessions`` by
  the SHA-256 of their token (a copy of the table signs nobody in), so a hub
  restart or a standby hub on the same database keeps workstations signed in.
  They end after ``session_idle_seconds`` without a command and in any case
  ``session_max_seconds`` after sign-in; a session ended on one hub (logout,
  password reset, account disabled) is dropped by the others within
  ``touch_seconds``.

Modules: :mod:`~console.auth.common` (texts, settings, hashing),
:mod:`~console.auth.limits` (delays and summaries), :mod:`~console.auth.authenticator`
(the :class:`Authenticator`), :mod:`~console.auth.shell` (``main.py admin``).
"""

from __future__ import annotations

from console.auth.authenticator import Authenticator
from console.auth.common import (
    BUSY,
    FIRST_RUN_HINT,
    LOCKED,
    LOGIN_FAILED,
    MIN_PASSWORD,
    NOT_RECORDED,
    STOPPING,
    THROTTLED,
    AuthError,
    AuthSettings,
    Session,
    hash_password,
    token_hash,
)
from console.auth.shell import admin_main

__all__ = [
    "BUSY",
    "FIRST_RUN_HINT",
    "LOCKED",
    "LOGIN_FAILED",
    "MIN_PASSWORD",
    "NOT_RECORDED",
    "STOPPING",
    "THROTTLED",
    "AuthError",
    "AuthSettings",
    "Authenticator",
    "Session",
    "admin_main",
    "hash_password",
    "token_hash",
]
