"""Sign-in, sessions and the first administrator.

Passwords are hashed with argon2id (argon2-cffi).  A failed sign-in says the
same thing, and costs the same time, whether the user exists or not, so the
console never reveals which accounts exist.  There is no default password:
the first administrator is created by ``python main.py admin create``, which
asks for one.
"""

from __future__ import annotations

import getpass
import secrets
import sys
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from console.domain import Role
from console.store import repos
from console.store.db import Store

LOGIN_FAILED = "wrong user name or password"
MIN_PASSWORD = 10
FIRST_RUN_HINT = (
    "no administrator account exists yet, so nobody can sign in to manage users or enrol "
    "terminals. There is no default password: create the first administrator with "
    "'python main.py admin create --username NAME' (add --db URL for another database)"
)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AuthError(Exception):
    """Sign-in or account management refused; the text is safe to show."""


@dataclass(frozen=True)
class Session:
    """A signed-in user; the token is what envelopes present."""

    token: str
    username: str
    display_name: str
    role: str


def hash_password(password: str) -> str:
    """An argon2id hash of a password that meets the minimum length."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


class Authenticator:
    """Checks passwords against the store and keeps the live sessions."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def login(self, username: str, password: str) -> Session:
        """A new session, or AuthError with one message for every failure."""
        with self.store.session() as s:
            row = repos.UserRepo(s).get_by_username(username)
            stored = row.password_hash if row is not None else _DUMMY_HASH
            try:
                _hasher.verify(stored, password)
                ok = row is not None and not row.disabled
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
            if not ok or row is None:
                raise AuthError(LOGIN_FAILED)
            session = Session(secrets.token_urlsafe(32), row.username, row.display_name, row.role)
        with self._lock:
            self._sessions[session.token] = session
        return session

    def resolve(self, token: str) -> Session | None:
        """The session behind a token, if it is live."""
        with self._lock:
            return self._sessions.get(token)

    def logout(self, token: str) -> None:
        """Forget a session."""
        with self._lock:
            self._sessions.pop(token, None)

    def end_sessions(self, username: str) -> int:
        """Forget every session of a user (disabled, or password reset); returns how many."""
        with self._lock:
            gone = [t for t, s in self._sessions.items() if s.username == username]
            for t in gone:
                del self._sessions[t]
        return len(gone)

    def create_user(self, username: str, display_name: str, password: str, role: str) -> None:
        """Add an account (the hub checks that only an administrator may)."""
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
        except Exception as exc:
            raise AuthError(str(exc)) from None

    def has_admin(self) -> bool:
        """Whether an active administrator account exists (first-run check)."""
        with self.store.session() as s:
            return any(
                u.role == Role.ADMIN.value and not u.disabled
                for u in repos.UserRepo(s).list_users()
            )


def admin_main(argv: list[str]) -> int:
    """``python main.py admin create --username NAME [--db URL]``: asks for the password twice."""
    import argparse

    from console.store.db import default_db_url, open_store

    p = argparse.ArgumentParser(prog="dispatch-console admin")
    p.add_argument("action", choices=["create"])
    p.add_argument("--username", required=True)
    p.add_argument("--name", default="", help="display name")
    p.add_argument("--role", default="admin", choices=["admin", "supervisor", "operator"])
    p.add_argument("--db", metavar="URL")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    args = p.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("passwords differ", file=sys.stderr)
            return 2
    store = open_store(args.db or default_db_url())
    try:
        Authenticator(store).create_user(
            args.username, args.name or args.username, password, args.role
        )
    except AuthError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"created {args.role} {args.username}")
    return 0
