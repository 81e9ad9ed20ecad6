"""Issue 13, 6 (a full disk while writing) against the real stand-alone hub: a child
process (``python -m console.link.cli hub --demo``) on its own SQLite database, real
workstations over CURVE.

The disk fills up under the running hub: the test lowers the process's file-size limit
(``RLIMIT_FSIZE``, set from outside with ``prlimit``, as the ``prlimit`` command does) to
one byte, so every write that would grow a file fails as on a full disk (the hub's
Python ignores ``SIGXFSZ``, so the write fails with ``EFBIG`` instead of killing the
process; SQLite reports it as a disk I/O error where a real full disk gives "database
or disk is full": the hub treats both alike).  Nothing needs root.  The hub must refuse
every change with a plain reason, say so to every workstation, keep serving reads and
keep everything it had accepted; once space returns (the limit raised again) it notices
on its own and carries on.  The in-process version (SQLite's page limit) is
tests/hubtrust/test_store_failure.py.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from console.hub.guard import UNWRITABLE_EN, UNWRITABLE_ZH, WRITABLE_ZH
from console.hub.messages import CreateIncident, GetSnapshot
from console.link import protocol as p
from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
from console.link.trust import enroll_keys
from console.store.db import Store, open_store
from console.store.models import IncidentEventRow, IncidentRow
from tests.hubtrust.helpers import PEOPLES_SQUARE, Desk, add_users
from tests.link.helpers import HubProcess, raw_terminal, wait_until

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(resource, "prlimit"),
    reason="prlimit on another process is Linux only",
)
SQL_WORDS = ("[SQL", "INSERT", "UPDATE ", "SELECT ", "Traceback", "sqlalchemy", "sqlite3.")


@dataclass
class Room:
    hub: HubProcess
    store: Store
    keys: KeyPair
    op: Desk
    sup: Desk

    @property
    def pid(self) -> int:
        assert self.hub.proc is not None
        return self.hub.proc.pid

    def disk_full(self, full: bool) -> None:
        """The hub's disk fills up (no file may grow) or has room again (soft limit only:
        raising it back needs no privilege)."""
        _, hard = resource.prlimit(self.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (1 if full else hard, hard))


@pytest.fixture
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    tmp = tmp_path_factory.mktemp("disk-full")
    url = f"sqlite:///{tmp / 'hub.sqlite3'}"
    keys = load_or_create_hub_keys(tmp / "keys")
    add_users(url, ("op", "operator"), ("sup", "supervisor"))
    hub = HubProcess(url, tmp / "keys", tmp / "hub.log", "--demo", link_only=False).start()
    store = open_store(url)
    desks: list[Desk] = []
    try:
        desks.append(Desk.to_process(hub, keys.public, "desk-op", "op"))
        desks.append(Desk.to_process(hub, keys.public, "desk-sup", "sup"))
        yield Room(hub, store, keys, *desks)
    finally:
        for d in desks:
            d.close()
        if hub.proc is not None and hub.proc.poll() is None:
            Room(hub, store, keys, *desks).disk_full(False)  # let it write its last words
        hub.stop()
        store.close()


def _incidents(store: Store) -> list[tuple[int, str]]:
    with store.session() as s:
        return [
            (int(i), str(d))
            for i, d in s.execute(select(IncidentRow.id, IncidentRow.description)).all()
        ]


def _feedback_lines(store: Store) -> int:
    with store.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(IncidentEventRow)
                .where(IncidentEventRow.kind == "feedback")
            )
            or 0
        )


def _acks(s: object, mids: set[int], seconds: float) -> set[int]:
    """The acks among ``mids`` that arrive within ``seconds`` (other frames skipped)."""
    import zmq

    assert isinstance(s, zmq.Socket)
    got: set[int] = set()
    end = time.monotonic() + seconds
    while not mids <= got and time.monotonic() < end:
        if s.poll(200):
            m = p.decode_hub(s.recv())
            if isinstance(m, p.Ack) and m.mid in mids:
                got.add(m.mid)
    return got


def test_a_full_disk_under_the_running_hub_refuses_changes_keeps_the_rest_and_recovers(
    room: Room,
) -> None:
    theft = CreateIncident(
        incident_type="theft", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1], description="before"
    )
    iid = int(room.op.call(theft)["incident_id"])
    before = _incidents(room.store)
    assert (iid, "before") in before
    # a terminal of one of its units, connected before the disk fills
    units = room.op.call(GetSnapshot()).units
    cs = next(u.call_sign for u in units if u.status == "available")
    key = TerminalKey(cs, KeyPair.generate(), room.keys.public)
    enroll_keys(room.store, [(key.unit, key.keys.public)])
    lines_before = _feedback_lines(room.store)

    with raw_terminal(room.hub.endpoint, key) as term:
        room.disk_full(True)
        during = CreateIncident(
            incident_type="theft",
            lon=PEOPLES_SQUARE[0],
            lat=PEOPLES_SQUARE[1],
            description="报警人称店内多人被盗, 嫌疑人向东逃离。" * 50,
        )
        err = room.op.refused(during, timeout=60)
        assert err == UNWRITABLE_EN, err
        assert not [w for w in SQL_WORDS if w in err], err
        # every workstation is told, Chinese first, and the process is still running
        for desk in (room.op, room.sup):
            assert wait_until(lambda d=desk: bool(d.alerts("store_unwritable")), timeout=60)  # type: ignore[misc]
        alert = room.sup.alerts("store_unwritable")[-1]
        assert alert.level == "critical" and alert.text == UNWRITABLE_ZH
        assert room.hub.proc is not None and room.hub.proc.poll() is None
        # any further change is refused at once; reads go on
        assert room.op.refused(theft) == UNWRITABLE_EN
        assert room.op.call(GetSnapshot()).incidents
        # a terminal's report cannot be filed: it is not acknowledged (the terminal keeps
        # it and sends it again), rather than acknowledged and lost
        term.send(
            p.encode_terminal(p.Feedback(mid=1, order_id=None, text="现场情况", t=time.time()))
        )
        assert _acks(term, {1}, 3.0) == set()
        # nothing half-written, everything accepted before is still there
        assert _incidents(room.store) == before
        assert _feedback_lines(room.store) == lines_before

        # space again: the hub notices by itself, tells everyone and carries on
        room.disk_full(False)
        assert wait_until(lambda: bool(room.sup.alerts("store_writable")), timeout=60)
        assert room.sup.alerts("store_writable")[-1].text == WRITABLE_ZH
        again = CreateIncident(
            incident_type="theft", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1], description="after"
        )
        new_id = int(room.op.call(again)["incident_id"])
        term.send(
            p.encode_terminal(p.Feedback(mid=1, order_id=None, text="现场情况", t=time.time()))
        )  # the terminal's resend
        assert _acks(term, {1}, 60.0) == {1}
    after = _incidents(room.store)
    assert set(before) < set(after) and (new_id, "after") in after
    assert len(after) == len(before) + 1
    assert room.hub.proc is not None and room.hub.proc.poll() is None
