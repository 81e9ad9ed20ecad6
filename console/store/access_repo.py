"""Who may connect: enrolled terminals (by CURVE key), console users, their sessions and
sign-in lockouts.

The hub's ZAP handler asks :meth:`TerminalRepo.is_trusted` for every
terminal connection, so revocation takes effect on the next handshake.
A revoked key stays in the table for the audit trail and can never be
enrolled again: a lost or stolen terminal gets a new key pair.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from console.domain import Role
from console.store.checks import enum_value, now_or, text
from console.store.errors import StoreError
from console.store.models import CODE, NAME, TerminalRow, UnitRow, UserRow
from console.store.models_trust import AuthLockoutRow, AuthSessionRow

# ZeroMQ Z85 alphabet; a CURVE public key is 32 bytes = 40 Z85 characters.
_Z85_KEY = re.compile(r"[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}")


def check_public_key(key: str) -> str:
    """The key if it is a 40-character Z85 CURVE public key, else StoreError."""
    if not isinstance(key, str) or _Z85_KEY.fullmatch(key) is None:
        shown = key[:12] + "..." if isinstance(key, str) and len(key) > 12 else key
        raise StoreError(f"not a Z85 CURVE public key (40 characters expected): {shown!r}")
    return key


class TerminalRepo:
    """Enrolment and revocation of front-line terminals."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _by_key(self, key: str) -> TerminalRow | None:
        return self.s.scalars(select(TerminalRow).where(TerminalRow.public_key == key)).first()

    def enroll(
        self, unit_id: int, public_key: str, *, enrolled_by: str, t: float | None = None
    ) -> TerminalRow:
        """Trust ``public_key`` for ``unit_id``; repeating an identical enrolment is a no-op.

        Raises StoreError if the key is revoked or already enrolled for another unit.
        """
        key = check_public_key(public_key)
        if self.s.get(UnitRow, unit_id) is None:
            raise StoreError(f"no unit with id {unit_id}")
        existing = self._by_key(key)
        if existing is not None:
            if existing.revoked_at is not None:
                raise StoreError(f"terminal key {key[:8]}... was revoked and cannot be re-enrolled")
            if existing.unit_id != unit_id:
                raise StoreError(
                    f"terminal key {key[:8]}... is already enrolled for unit id {existing.unit_id}"
                )
            return existing
        row = TerminalRow(
            unit_id=unit_id,
            public_key=key,
            enrolled_at=now_or(t),
            enrolled_by=text(enrolled_by, "enrolled_by", CODE),
        )
        self.s.add(row)
        self.s.flush()
        return row

    def revoke(self, public_key: str, *, t: float | None = None) -> bool:
        """Withdraw trust; False if the key is unknown or already revoked."""
        row = self._by_key(public_key)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = now_or(t)
        self.s.flush()
        return True

    def is_trusted(self, public_key: str) -> bool:
        row = self._by_key(public_key)
        return row is not None and row.revoked_at is None

    def unit_for_key(self, public_key: str) -> int | None:
        """The unit a trusted key speaks for, or None (unknown or revoked)."""
        row = self._by_key(public_key)
        return row.unit_id if row is not None and row.revoked_at is None else None

    def list_terminals(self, *, include_revoked: bool = True) -> list[TerminalRow]:
        q = select(TerminalRow).order_by(TerminalRow.id)
        if not include_revoked:
            q = q.where(TerminalRow.revoked_at.is_(None))
        return list(self.s.scalars(q))


class UserRepo:
    """Console accounts; the password hash is computed elsewhere (argon2)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def create(
        self,
        username: str,
        *,
        display_name: str,
        password_hash: str,
        role: Role | str,
        t: float | None = None,
    ) -> UserRow:
        name = text(username, "username", CODE)
        if self.get_by_username(name) is not None:
            raise StoreError(f"user {name!r} already exists")
        row = UserRow(
            username=name,
            display_name=text(display_name, "display name", NAME),
            password_hash=text(password_hash, "password hash", 255),
            role=enum_value(Role, role, "role").value,
            created_at=now_or(t),
            disabled=False,
        )
        self.s.add(row)
        self.s.flush()
        return row

    def get_by_username(self, username: str) -> UserRow | None:
        return self.s.scalars(select(UserRow).where(UserRow.username == username)).first()

    def list_users(self) -> list[UserRow]:
        return list(self.s.scalars(select(UserRow).order_by(UserRow.username)))

    def set_disabled(self, username: str, disabled: bool) -> bool:
        """Lock or unlock an account; False if the user does not exist."""
        row = self.get_by_username(username)
        if row is None:
            return False
        row.disabled = bool(disabled)
        self.s.flush()
        return True

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        row = self.get_by_username(username)
        if row is None:
            return False
        row.password_hash = text(password_hash, "password hash", 255)
        self.s.flush()
        return True


class SessionRepo:
    """Signed-in sessions by the SHA-256 of their token (the token itself is never stored)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        token_hash: str,
        *,
        username: str,
        display_name: str,
        role: str,
        source: str,
        now: float,
        expires_at: float,
    ) -> AuthSessionRow:
        row = AuthSessionRow(
            token_hash=text(token_hash, "token hash", 64),
            username=text(username, "username", CODE),
            display_name=display_name[:NAME],
            role=role,
            source=source[:NAME],
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
        self.s.add(row)
        self.s.flush()
        return row

    def get(self, token_hash: str) -> AuthSessionRow | None:
        return self.s.get(AuthSessionRow, token_hash)

    def touch(self, token_hash: str, now: float) -> bool:
        """Record activity; False if the session no longer exists (ended elsewhere)."""
        res = self.s.execute(
            update(AuthSessionRow)
            .where(AuthSessionRow.token_hash == token_hash)
            .values(last_seen_at=now)
        )
        return bool(getattr(res, "rowcount", 0))

    def end(self, token_hash: str) -> bool:
        res = self.s.execute(delete(AuthSessionRow).where(AuthSessionRow.token_hash == token_hash))
        return bool(getattr(res, "rowcount", 0))

    def end_user(self, username: str) -> int:
        res = self.s.execute(delete(AuthSessionRow).where(AuthSessionRow.username == username))
        return int(getattr(res, "rowcount", 0) or 0)

    def purge_expired(self, now: float, idle_s: float) -> int:
        """Drop sessions past their absolute end or idle for longer than ``idle_s``."""
        res = self.s.execute(
            delete(AuthSessionRow).where(
                or_(AuthSessionRow.expires_at < now, AuthSessionRow.last_seen_at < now - idle_s)
            )
        )
        return int(getattr(res, "rowcount", 0) or 0)


class LockoutRepo:
    """Consecutive failed sign-ins per account, and locked accounts."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, username: str) -> AuthLockoutRow | None:
        return self.s.get(AuthLockoutRow, username)

    def failed(self, username: str, now: float, lock_after: int) -> AuthLockoutRow:
        """Count one more failure; locks the account when the count reaches ``lock_after``."""
        row = self.get(username)
        if row is None:
            row = AuthLockoutRow(username=username, failures=0, last_failure_at=now)
            self.s.add(row)
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= lock_after and row.locked_at is None:
            row.locked_at = now
        self.s.flush()
        return row

    def clear(self, username: str) -> bool:
        """Forget the failures (a good sign-in) or unlock; False if there was nothing."""
        res = self.s.execute(delete(AuthLockoutRow).where(AuthLockoutRow.username == username))
        return bool(getattr(res, "rowcount", 0))

    def locked(self) -> list[AuthLockoutRow]:
        return list(
            self.s.scalars(
                select(AuthLockoutRow)
                .where(AuthLockoutRow.locked_at.is_not(None))
                .order_by(AuthLockoutRow.username)
            )
        )
