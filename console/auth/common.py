"""Sign-in texts, settings, password hashing and the session record (shared by the rest of
:mod:`console.auth`)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, fields
from typing import Any

from argon2 import PasswordHasher

LOGIN_FAILED = "wrong user name or password"
THROTTLED = "too many failed sign-ins: wait {s} s before trying again"
LOCKED = (
    "too many failed sign-ins: this account is locked until an administrator unlocks it "
    "(python main.py admin unlock --username NAME)"
)
BUSY = "sign-in is busy: try again in a moment"
NOT_RECORDED = "sign-in refused: it cannot be put on record in the audit log"
STOPPING = "sign-in refused: the hub is stopping"
MIN_PASSWORD = 10
FIRST_RUN_HINT = (
    "no administrator account exists yet, so nobody can sign in to manage users or enrol "
    "terminals. There is no default password: create the first administrator with "
    "'python main.py admin create --username NAME' (add --db URL for another database)"
)
TRACKED_NAMES = 50_000
"""Most account names and sources whose failures are remembered (oldest forgotten first)."""
SUMMARY_TOP = 20
"""Accounts and sources named in one failure summary (the busiest)."""

HASHER = PasswordHasher()
DUMMY_HASH = HASHER.hash(secrets.token_hex(16))


class AuthError(Exception):
    """Sign-in or account management refused; the text is safe to show."""


@dataclass(frozen=True)
class Session:
    """A signed-in user; the token is what envelopes present."""

    token: str
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class AuthSettings:
    """Sign-in limits and session lifetimes (``config/console.toml [auth]``, same key names)."""

    session_idle_seconds: float = 7200.0
    session_max_seconds: float = 43200.0
    free_failures: int = 3
    source_free_failures: int = 10
    address_free_failures: int = 30
    """Failures from one network address (every connection from it together) before its
    attempts wait: a command room behind one NAT shares an address, and 30 wrong passwords
    in a row with no success between them is no shift change (docs/deployment.md)."""
    delay_max_seconds: float = 60.0
    lockout_failures: int = 10
    login_workers: int = 1
    login_queue: int = 16
    summary_seconds: float = 60.0
    touch_seconds: float = 60.0

    @classmethod
    def from_config(cls, config: Any) -> AuthSettings:
        """The ``auth`` section of a loaded config if it has one, defaults for the rest."""
        section = getattr(config, "auth", None)
        if section is None:
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: getattr(section, k) for k in known if hasattr(section, k)}
        return cls(**values)


def hash_password(password: str) -> str:
    """An argon2id hash of a password that meets the minimum length."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    return HASHER.hash(password)


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
