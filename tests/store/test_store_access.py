"""Terminal enrolment/revocation and console users."""

from __future__ import annotations

import pytest
import zmq

from console.domain import Role
from console.store import Store, StoreError
from console.store.repos import TerminalRepo, UnitRepo, UserRepo, check_public_key

pytestmark = pytest.mark.store


def _keys(n: int) -> list[str]:
    return [zmq.curve_keypair()[0].decode("ascii") for _ in range(n)]


def test_enroll_revoke_and_trust(district_store: Store) -> None:
    k1, k2, k3 = _keys(3)
    with district_store.transaction() as s:
        u1, u2 = (u.id for u in UnitRepo(s).list_units()[:2])
        repo = TerminalRepo(s)
        t1 = repo.enroll(u1, k1, enrolled_by="admin", t=10.0)
        assert repo.enroll(u1, k1, enrolled_by="admin", t=11.0).id == t1.id  # idempotent
        repo.enroll(u2, k2, enrolled_by="admin", t=12.0)
        assert repo.is_trusted(k1) and repo.is_trusted(k2) and not repo.is_trusted(k3)
        assert repo.unit_for_key(k2) == u2
    with district_store.transaction() as s:
        repo = TerminalRepo(s)
        assert repo.revoke(k1, t=20.0)
        assert not repo.revoke(k1, t=21.0)  # already revoked
        assert not repo.revoke(k3, t=21.0)  # unknown
    with district_store.transaction() as s:
        repo = TerminalRepo(s)
        assert not repo.is_trusted(k1) and repo.unit_for_key(k1) is None
        assert repo.is_trusted(k2)
        assert [t.public_key for t in repo.list_terminals()] == [k1, k2]
        assert [t.public_key for t in repo.list_terminals(include_revoked=False)] == [k2]
        revoked = repo.list_terminals()[0]
        assert (revoked.enrolled_at, revoked.revoked_at, revoked.enrolled_by) == (
            10.0,
            20.0,
            "admin",
        )
        with pytest.raises(StoreError, match="revoked and cannot be re-enrolled"):
            repo.enroll(u1, k1, enrolled_by="admin", t=30.0)
        with pytest.raises(StoreError, match="already enrolled for unit"):
            repo.enroll(u1, k2, enrolled_by="admin", t=30.0)
        with pytest.raises(StoreError, match="no unit with id 777"):
            repo.enroll(777, k3, enrolled_by="admin", t=30.0)


@pytest.mark.parametrize("bad", ["", "short", "x" * 41, "~" * 40, "é" * 40])
def test_malformed_keys_are_refused(bad: str) -> None:
    with pytest.raises(StoreError, match="Z85 CURVE public key"):
        check_public_key(bad)


def test_users(store: Store) -> None:
    with store.transaction() as s:
        repo = UserRepo(s)
        u = repo.create(
            "zhang.wei",
            display_name="张伟",
            password_hash="$argon2id$x",
            role=Role.SUPERVISOR,
            t=5.0,
        )
        assert u.id > 0 and u.role == "supervisor" and u.disabled is False
        with pytest.raises(StoreError, match="already exists"):
            repo.create("zhang.wei", display_name="x", password_hash="h", role="operator")
        with pytest.raises(StoreError, match="invalid role 'god'"):
            repo.create("li.na", display_name="李娜", password_hash="h", role="god")
    with store.transaction() as s:
        repo = UserRepo(s)
        got = repo.get_by_username("zhang.wei")
        assert got is not None and got.display_name == "张伟" and got.created_at == 5.0
        assert repo.get_by_username("nobody") is None
        assert repo.set_disabled("zhang.wei", True) and not repo.set_disabled("nobody", True)
        assert repo.set_password_hash("zhang.wei", "$argon2id$y")
    with store.session() as s:
        got = UserRepo(s).get_by_username("zhang.wei")
        assert got is not None and got.disabled is True and got.password_hash == "$argon2id$y"
        assert [x.username for x in UserRepo(s).list_users()] == ["zhang.wei"]
