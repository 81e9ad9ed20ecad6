"""Incidents, chronology, plans and decisions."""

from __future__ import annotations

import pytest

from console.domain import IncidentStatus
from console.store import Store, StoreError
from console.store.repos import IncidentRepo, PlanRepo

pytestmark = pytest.mark.store


def _incident(repo: IncidentRepo, priority: int, t: float) -> int:
    return repo.create(
        incident_type="theft",
        priority=priority,
        force_level=1,
        manpower=2,
        lon=121.47,
        lat=31.23,
        created_by="op1",
        created_at=t,
        address="南京东路 100号",
        caller="138****0000",
        description="电动车被盗",
    ).id


def test_lifecycle_and_chronology(store: Store) -> None:
    with store.transaction() as s:
        repo = IncidentRepo(s)
        a, b, c = _incident(repo, 3, 10.0), _incident(repo, 1, 20.0), _incident(repo, 3, 5.0)
        assert [i.id for i in repo.list_open()] == [b, c, a]  # priority, then age
        assert repo.set_status(a, IncidentStatus.DISPATCHED, actor="op1", t=30.0)
        assert not repo.set_status(a, "dispatched", actor="op1", t=31.0)
        repo.add_event(a, t=35.0, actor="P01", kind="note", detail={"text": "到达现场"})
        assert repo.set_status(a, IncidentStatus.CLOSED, actor="op1", t=40.0, note="resolved")
        assert not repo.set_status(a, IncidentStatus.NEW, actor="op1", t=41.0)  # final
        assert repo.merge(c, b, actor="sup1", t=50.0)
        assert not repo.merge(c, b, actor="sup1", t=51.0)
    with store.session() as s:
        repo = IncidentRepo(s)
        assert [i.id for i in repo.list_open()] == [b]
        closed = repo.get(a)
        assert closed is not None and closed.status == "closed" and closed.closed_at == 40.0
        assert closed.address == "南京东路 100号" and closed.source == "call"
        merged = repo.get(c)
        assert merged is not None and merged.merged_into == b and merged.status == "cancelled"
        log = [(e.t, e.kind, e.detail) for e in repo.chronology(a)]
        assert log == [
            (10.0, "created", {"incident_type": "theft", "source": "call"}),
            (30.0, "status", {"from": "new", "to": "dispatched", "note": ""}),
            (35.0, "note", {"text": "到达现场"}),
            (40.0, "status", {"from": "dispatched", "to": "closed", "note": "resolved"}),
        ]
        assert [e.kind for e in repo.chronology(b)] == ["created", "merged"]
        assert repo.get(999) is None


def test_bad_incident_input(store: Store) -> None:
    with store.transaction() as s:
        repo = IncidentRepo(s)
        base = dict(
            incident_type="theft", force_level=1, manpower=2, lon=121.4, lat=31.2, created_by="op"
        )
        with pytest.raises(StoreError, match="priority must be an integer 1-4, got 9"):
            repo.create(priority=9, **base)  # type: ignore[arg-type]
        with pytest.raises(StoreError, match=r"priority must be an integer 1-4, got 1\.5"):
            repo.create(priority=1.5, **base)  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="no incident with id 42"):
            repo.set_status(42, "closed", actor="op")
        with pytest.raises(StoreError, match="invalid incident status 'done'"):
            repo.set_status(_incident(repo, 1, 1.0), "done", actor="op")
        with pytest.raises(StoreError, match="into itself"):
            repo.merge(1, 1, actor="op")


def test_plans_and_decisions(store: Store) -> None:
    with store.transaction() as s:
        inc = _incident(IncidentRepo(s), 2, 100.0)
        plans = PlanRepo(s)
        p1 = plans.create(inc, {"units": ["P01"]}, created_by="planner", t=101.0)
        p2 = plans.create(inc, {"units": ["P02"]}, created_by="planner", t=102.0)
        assert p1.status == "superseded" and p2.status == "proposed"
        assert plans.decide(p1.id, "approve", user="sup1", t=103.0) is None  # not proposed
        approved = plans.decide(p2.id, "approve", user="sup1", t=104.0, reason="ok")
        assert approved is not None and approved.id == p2.id and approved.status == "approved"
        assert plans.decide(p2.id, "reject", user="sup1", t=105.0) is None

        p3 = plans.create(inc, {"units": ["P03"]}, created_by="planner", t=110.0)
        assert plans.decide(p3.id, "reject", user="sup1", t=111.0, reason="too far")
        p4 = plans.create(inc, {"units": ["P04"]}, created_by="planner", t=120.0)
        amended = plans.decide(
            p4.id,
            "amend",
            user="sup1",
            t=121.0,
            reason="add SWAT",
            amended_body={"units": ["P04", "SWAT1"]},
        )
        assert amended is not None and amended.id != p4.id
        assert amended.status == "approved" and amended.body == {"units": ["P04", "SWAT1"]}
        assert p4.status == "superseded" and p4.body == {"units": ["P04"]}  # original kept
        with pytest.raises(StoreError, match="needs the amended plan body"):
            plans.decide(p4.id, "amend", user="sup1")
        with pytest.raises(StoreError, match="invalid plan decision 'maybe'"):
            plans.decide(p4.id, "maybe", user="sup1")
    with store.session() as s:
        plans = PlanRepo(s)
        assert [p.status for p in plans.for_incident(inc)] == [
            "superseded",
            "approved",
            "rejected",
            "superseded",
            "approved",
        ]
        assert [(d.decision, d.reason) for d in plans.decisions(p3.id)] == [("reject", "too far")]
        assert [(d.decision, d.user) for d in plans.decisions(p4.id)] == [("amend", "sup1")]
        kinds = [e.kind for e in IncidentRepo(s).chronology(inc)]
        assert kinds.count("plan_proposed") == 4
        assert kinds[-1] == "plan_amend" and "plan_reject" in kinds and "plan_approve" in kinds
