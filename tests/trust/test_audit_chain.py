"""The audit log against someone with write access to the database (issue 13, 5).

Through the real command-line tools in child processes (``main.py admin``, ``main.py audit``),
as an administrator and an attacker would use them: an edited entry whose whole chain was
recomputed with the public ``row_hash``, rows cut off the end, the chain record removed, a
log written with another key; ``audit verify`` prints the true count; an administration
command whose audit row cannot be written does not happen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update

from console.audit import AuditTrail
from console.store.audit_repo import GENESIS, row_hash
from console.store.db import Store, open_store
from console.store.models import AuditRow, UserRow
from console.store.models_trust import AuditChainRow
from tests.trust.helpers import PASSWORD, add_user, create_user, run_audit, run_main


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'audit.sqlite3'}"


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


def _verify(url: str, key_dir: Path) -> tuple[int, str]:
    r = run_main(["audit", "verify", "--db", url, "--key-dir", str(key_dir)], key_dir)
    return r.returncode, r.stdout + r.stderr


def _approvals(url: str, key_dir: Path, n: int) -> None:
    """``n`` more audited entries written the way the hub writes them (keyed, own transaction)."""
    store = open_store(url)
    try:
        trail = AuditTrail.open(store, key_dir, create=False)
        for i in range(n):
            trail.record(
                actor=f"sup{i % 2}",
                workstation="desk-2",
                action="ApprovePlan",
                payload={"command": {"plan_id": 100 + i}, "ok": True},
            )
    finally:
        store.close()


def _rechain_from(store: Store, seq: int) -> None:
    """What an attacker with the database can do: recompute every hash from ``seq`` on."""
    with store.transaction() as s:
        rows = s.execute(select(AuditRow).where(AuditRow.seq >= seq).order_by(AuditRow.seq)).all()
        prev = s.scalar(
            select(AuditRow.hash).where(AuditRow.seq < seq).order_by(AuditRow.seq.desc())
        )
        prev = prev or GENESIS
        for (r,) in rows:
            h = row_hash(prev, r.seq, r.t, r.actor, r.workstation, r.action, r.payload)
            s.execute(update(AuditRow).where(AuditRow.seq == r.seq).values(prev_hash=prev, hash=h))
            prev = h


def test_admin_create_is_audited_and_the_count_is_the_number_of_entries(
    url: str, key_dir: Path
) -> None:
    create_user(url, key_dir, "root", "admin")
    _approvals(url, key_dir, 3)
    store = open_store(url)
    with store.session() as s:
        first = s.scalars(select(AuditRow).order_by(AuditRow.seq)).first()
        assert first is not None and first.action == "user.create"
        assert first.actor.startswith("cli:") and first.payload["username"] == "root"
        assert "password" not in str(first.payload)
    with store.transaction() as s:  # seqs need not be dense (a rolled-back append on PostgreSQL)
        s.execute(text("UPDATE sqlite_sequence SET seq = 40 WHERE name = 'audit_log'"))
    store.close()
    _approvals(url, key_dir, 1)
    rc, out = _verify(url, key_dir)
    assert rc == 0, out
    assert "intact: 5 entries" in out and "sealed" in out  # 5 entries, the last is seq 41


def test_an_edited_approval_is_found_even_with_the_whole_chain_recomputed(
    url: str, key_dir: Path
) -> None:
    add_user(url, key_dir, "root", "admin")
    _approvals(url, key_dir, 6)
    store = open_store(url)
    with store.transaction() as s:  # sup1 now approved plan 103 instead of sup0 ... or so it says
        s.execute(update(AuditRow).where(AuditRow.seq == 4).values(actor="sup-somebody-else"))
    _rechain_from(store, 4)
    store.close()
    rc, out = _verify(url, key_dir)
    assert rc == 1, out
    assert "TAMPERED" in out and "entry seq 4 was changed" in out


def test_a_log_rewritten_with_another_key_is_found(url: str, key_dir: Path, tmp_path: Path) -> None:
    add_user(url, key_dir, "root", "admin")
    _approvals(url, key_dir, 2)
    store = open_store(url)
    with store.transaction() as s:  # an attacker's own audit key, chain record and all
        s.execute(delete(AuditRow))
        s.execute(delete(AuditChainRow))
    store.close()
    other = tmp_path / "attacker-keys"
    add_user(url, other, "root2", "admin")
    rc, out = _verify(url, key_dir)
    assert rc == 2 and "does not open this log" in out


def test_rows_cut_off_the_end_are_found(url: str, key_dir: Path) -> None:
    add_user(url, key_dir, "root", "admin")  # checkpoints its own entry when done
    _approvals(url, key_dir, 5)
    r = run_audit(["checkpoint", "--db", url, "--key-dir", str(key_dir)], key_dir)
    assert r.returncode == 0 and '"seq": 6' in r.stdout  # a line fit for a printout
    store = open_store(url)
    with store.transaction() as s:
        s.execute(delete(AuditRow).where(AuditRow.seq >= 5))
    store.close()
    rc, out = _verify(url, key_dir)
    assert rc == 1, out
    assert "entry seq 6" in out and "is missing (the log now ends at seq 4)" in out
    # an exported copy of the checkpoints (another host, a printout) finds it too
    export = key_dir.parent / "anchors-copy.log"
    r = run_audit(
        ["anchors", "--db", url, "--key-dir", str(key_dir), "--export", str(export)], key_dir
    )
    assert r.returncode == 0, r.stderr
    r = run_audit(
        ["verify", "--db", url, "--key-dir", str(key_dir), "--anchors", str(export)], key_dir
    )
    assert r.returncode == 1 and "entry seq 6" in r.stdout


def test_a_removed_chain_record_and_rehashed_log_are_found(url: str, key_dir: Path) -> None:
    add_user(url, key_dir, "root", "admin")
    _approvals(url, key_dir, 3)
    store = open_store(url)
    with store.transaction() as s:  # pass the log off as one that was never sealed
        s.execute(delete(AuditChainRow))
    _rechain_from(store, 1)
    store.close()
    rc, out = _verify(url, key_dir)
    assert rc == 1, out
    assert "holds checkpoints of this database" in out


def test_an_admin_command_whose_audit_row_cannot_be_written_does_not_happen(
    url: str, key_dir: Path
) -> None:
    create_user(url, key_dir, "root", "admin")
    store = open_store(url)
    with store.transaction() as s:
        s.execute(
            text(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
            )
        )
    store.close()
    r = run_main(
        [
            "admin",
            "create",
            "--username",
            "sneaky",
            "--db",
            url,
            "--key-dir",
            str(key_dir),
            "--password-stdin",
        ],
        key_dir,
        PASSWORD + "\n",
    )
    assert r.returncode == 2 and "audit entry for user.create cannot be written" in r.stderr
    store = open_store(url)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(UserRow)) == 1  # only root
    store.close()
    rc, out = _verify(url, key_dir)
    assert rc == 0 and "intact: 1 entries" in out


SPLIT_SCRIPT = """
import json, sys
from pathlib import Path
import console.audit.check as check
from console.store.db import open_store
check.SPLIT_FROM = 10
store = open_store(sys.argv[1])
r = check.verify_store(store, Path(sys.argv[2]), jobs=3)
print(json.dumps({"count": r.count, "bad": r.bad_seq, "problems": r.problems}))
"""


def test_a_walk_split_between_processes_finds_what_one_walk_finds(url: str, key_dir: Path) -> None:
    import json
    import subprocess
    import sys

    from tests.trust.helpers import ROOT, env_with_keys

    add_user(url, key_dir, "root", "admin")
    _approvals(url, key_dir, 59)  # seqs 1..60: three parts of 20

    def split() -> dict[str, object]:
        r = subprocess.run(
            [sys.executable, "-c", SPLIT_SCRIPT, url, str(key_dir)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env_with_keys(key_dir),
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        return dict(json.loads(r.stdout.strip().splitlines()[-1]))

    assert split() == {"count": 60, "bad": None, "problems": []}
    store = open_store(url)
    with store.transaction() as s:  # the first row of the second part
        s.execute(update(AuditRow).where(AuditRow.seq == 21).values(action="RejectPlan"))
    store.close()
    assert split()["bad"] == 21
    store = open_store(url)
    with store.transaction() as s:
        s.execute(update(AuditRow).where(AuditRow.seq == 21).values(action="ApprovePlan"))
        s.execute(delete(AuditRow).where(AuditRow.seq == 41))  # the last row of the second
    store.close()
    found = split()
    assert found["bad"] == 42 and "does not chain" in str(found["problems"])


def test_a_shell_command_is_on_record_before_it_acts(url: str, key_dir: Path) -> None:
    from console.audit import AuditError, audited_cli

    add_user(url, key_dir, "root", "admin")
    store = open_store(url)
    done: list[str] = []
    with audited_cli(store, key_dir, "terminal.enroll", {"unit": "T-1"}):
        done.append("enrolled")
    with pytest.raises(ValueError), audited_cli(store, key_dir, "terminal.revoke", {"unit": "X"}):
        raise ValueError("no unit X")
    with store.transaction() as s:
        s.execute(
            text(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
            )
        )
    with pytest.raises(AuditError), audited_cli(store, key_dir, "terminal.enroll", {"unit": "T-2"}):
        done.append("enrolled unrecorded")
    with store.session() as s:
        actions = list(s.scalars(select(AuditRow.action).order_by(AuditRow.seq)))
    store.close()
    assert done == ["enrolled"]
    assert actions == [
        "user.create",
        "terminal.enroll",
        "terminal.revoke",
        "terminal.revoke.failed",
    ]
