"""The administrator's commands (accounts, units, terminal enrolment) and signing in.

The hub's rights table lets only the ``admin`` role reach the administrator's
commands (signing in is open to anyone); this module does the work.  Enrolment
makes the terminal's key pair here, registers only the public key, and hands
the key file text back once in the reply: the hub never writes the secret key
to its store or its disk, so a copy exists only where the administrator saves it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.auth import Authenticator, AuthError, hash_password
from console.domain import Role
from console.hub.errors import CommandError
from console.link.keys import (
    KeyFileError,
    KeyPair,
    TerminalKey,
    hub_public_key,
    key_file_name,
    terminal_key_text,
)
from console.store import repos
from console.store.access_repo import LockoutRepo, TerminalRepo
from console.store.db import Store
from console.store.errors import StoreError
from console.store.models import TerminalRow


class Administration:
    """Users and terminals, for the hub's admin-only commands."""

    def __init__(
        self,
        store: Store,
        auth: Authenticator,
        clock: Callable[[], float],
        hub_public: Callable[[], str] | None = None,
    ) -> None:
        self.store = store
        self.auth = auth
        self.clock = clock
        self._hub_public = hub_public

    # --------------------------------------------------------------- sessions

    def login(self, username: str, password: str) -> dict[str, str]:
        """Sign in: a session token and who it is for; one refusal text for every failure."""
        try:
            s = self.auth.login(username, password)
        except AuthError as exc:
            raise CommandError(str(exc)) from None
        return {
            "token": s.token,
            "actor": s.username,
            "role": s.role,
            "display_name": s.display_name,
        }

    def logout(self, token: str) -> None:
        """End the session of ``token`` (nothing if it is already over)."""
        self.auth.logout(token)

    def create_user(self, username: str, display_name: str, password: str, role: str) -> None:
        """A new account; weak passwords and unknown roles are refused with the reason."""
        try:
            self.auth.create_user(username, display_name, password, role)
        except AuthError as exc:
            raise CommandError(str(exc)) from None

    # ------------------------------------------------------------------ users

    def list_users(self) -> list[dict[str, Any]]:
        """Accounts without their hashes; ``locked``: locked by failed sign-ins."""
        with self.store.session() as s:
            locked = {r.username for r in LockoutRepo(s).locked()}
            return [
                {
                    "username": u.username,
                    "display_name": u.display_name,
                    "role": u.role,
                    "disabled": bool(u.disabled),
                    "locked": u.username in locked,
                    "created_at": u.created_at,
                }
                for u in repos.UserRepo(s).list_users()
            ]

    def set_disabled(self, username: str, disabled: bool, actor: str) -> None:
        """Lock or unlock an account; the last active administrator cannot be locked."""
        with self.store.transaction() as s:
            r = repos.UserRepo(s)
            row = r.get_by_username(username)
            if row is None:
                raise CommandError(f"no user {username!r}")
            if disabled and row.role == Role.ADMIN.value and not row.disabled:
                others = [
                    u
                    for u in r.list_users()
                    if u.role == Role.ADMIN.value and not u.disabled and u.username != username
                ]
                if not others:
                    raise CommandError(
                        f"{username!r} is the last active administrator and cannot be disabled"
                    )
            r.set_disabled(username, disabled)
        if disabled:
            self.auth.end_sessions(username)

    def unlock(self, username: str, actor: str, workstation: str = "") -> dict[str, Any]:
        """Unlock an account locked by failed sign-ins (audited ``auth.unlock``); whether it
        was locked.  Only administrators reach this (the hub's rights table)."""
        with self.store.session() as s:
            if repos.UserRepo(s).get_by_username(username) is None:
                raise CommandError(f"no user {username!r}")
        try:
            was = self.auth.unlock(username, actor=actor, workstation=workstation)
        except AuthError as exc:
            raise CommandError(str(exc)) from None
        return {"username": username, "was_locked": was}

    def reset_password(self, username: str, new_password: str) -> None:
        """Set a new argon2id hash; the user signs in again everywhere."""
        try:
            h = hash_password(new_password)
        except AuthError as exc:
            raise CommandError(str(exc)) from None
        with self.store.transaction() as s:
            if not repos.UserRepo(s).set_password_hash(username, h):
                raise CommandError(f"no user {username!r}")
        self.auth.end_sessions(username)

    # -------------------------------------------------------------- terminals

    def list_units(self) -> list[dict[str, Any]]:
        """Every unit with its terminal keys (live and revoked), by call sign."""
        with self.store.session() as s:
            units = repos.UnitRepo(s).list_units()
            keys: dict[int, list[dict[str, Any]]] = {}
            for t in TerminalRepo(s).list_terminals():
                keys.setdefault(t.unit_id, []).append(_terminal(t))
            return [
                {
                    "call_sign": u.call_sign,
                    "unit_type": u.unit_type,
                    "status": u.status,
                    "terminals": keys.get(u.id, []),
                    "enrolled": any(k["revoked_at"] is None for k in keys.get(u.id, [])),
                }
                for u in sorted(units, key=lambda u: u.call_sign)
            ]

    def hub_public(self) -> str:
        """The hub's public CURVE key, which every terminal key file must carry."""
        try:
            return self._hub_public() if self._hub_public else hub_public_key()
        except KeyFileError as exc:
            raise CommandError(f"the hub key is unavailable: {exc}") from None

    def enroll(self, call_sign: str, endpoint: str, actor: str) -> dict[str, Any]:
        """A new key pair for a unit's terminal; only the public key is kept."""
        hub = self.hub_public()
        kp = KeyPair.generate()
        try:
            with self.store.transaction() as s:
                unit = repos.UnitRepo(s).get_by_call_sign(call_sign)
                if unit is None:
                    raise CommandError(f"no unit with call sign {call_sign!r}")
                TerminalRepo(s).enroll(unit.id, kp.public, enrolled_by=actor, t=self.clock())
        except StoreError as exc:
            raise CommandError(str(exc)) from None
        key = TerminalKey(unit=call_sign, keys=kp, hub_public=hub, endpoint=endpoint.strip())
        return {
            "unit": call_sign,
            "public_key": kp.public,
            "file_name": key_file_name(call_sign),
            "key_text": terminal_key_text(key),
        }

    def revoke(self, public_key: str, call_sign: str) -> list[str]:
        """Revoke one key, or every live key of a unit (a lost phone); returns the keys revoked."""
        if bool(public_key) == bool(call_sign):
            raise CommandError("revoke needs exactly one of a public key or a call sign")
        now = self.clock()
        with self.store.transaction() as s:
            repo = TerminalRepo(s)
            if public_key:
                if not any(t.public_key == public_key for t in repo.list_terminals()):
                    raise CommandError(f"no terminal with key {public_key[:8]}...")
                return [public_key] if repo.revoke(public_key, t=now) else []
            unit = repos.UnitRepo(s).get_by_call_sign(call_sign)
            if unit is None:
                raise CommandError(f"no unit with call sign {call_sign!r}")
            live = [
                t.public_key
                for t in repo.list_terminals(include_revoked=False)
                if t.unit_id == unit.id
            ]
            return [k for k in live if repo.revoke(k, t=now)]


def _terminal(t: TerminalRow) -> dict[str, Any]:
    return {
        "public_key": t.public_key,
        "enrolled_at": t.enrolled_at,
        "enrolled_by": t.enrolled_by,
        "revoked_at": t.revoked_at,
    }
