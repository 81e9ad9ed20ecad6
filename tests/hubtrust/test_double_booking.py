"""Issue 13, 3 (double booking): a unit held by one incident's plan can no longer be sent
to another by amendment, and every unit is checked again when a plan is approved.  The
real stand-alone hub and two workstations over tcp.

The database is prepared the way the issue found it: incident B's plan holds unit U, and
incident C's plan was amended to send U as well (an older hub allowed the amendment).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from console.hub.bootstrap import start_embedded_hub
from console.hub.client import InprocClient
from console.hub.messages import AmendPlan, ApprovePlan, CreateIncident, GetPlan
from console.link.keys import default_key_dir, load_or_create_hub_keys
from console.store import repos
from console.store.db import open_store
from console.store.models import OrderRow
from tests.hubtrust.helpers import (
    AWAITS_APPROVAL,
    NANJING_ROAD,
    PEOPLES_SQUARE,
    Desk,
    add_users,
    orders_of,
)
from tests.link.helpers import HubProcess

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")  # the demo district's zone: the room's clock


def test_a_unit_is_never_sent_to_two_incidents(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = load_or_create_hub_keys(default_key_dir())  # the audit key the test hub used
    add_users(url, ("op", "operator"), ("sup", "supervisor"))
    hub = start_embedded_hub(url, simulate=False)
    try:
        op = InprocClient(hub, actor="op", role="operator")
        made = [
            op.call(CreateIncident(incident_type=AWAITS_APPROVAL, lon=x, lat=y)).result
            for x, y in (PEOPLES_SQUARE, NANJING_ROAD)
        ]
        (b, plan_b), (c, plan_c) = ((r["incident_id"], r["plan_id"]) for r in made)
        body_b = op.call(GetPlan(incident_id=b)).result.body
        body_c = op.call(GetPlan(incident_id=c)).result.body
    finally:
        hub.stop()
        hub.store.close()
    u = str(body_b["slots"][0]["call_sign"])
    assert u not in {s["call_sign"] for s in body_c["slots"]}
    store = open_store(url)
    with store.transaction() as s:  # the amendment an older hub allowed: C sends U too
        plans = repos.PlanRepo(s)
        plans.decide(plan_c, "reject", user="sup", reason="amended: closer", t=hub.clock())
        amended = {**body_c, "slots": [*body_c["slots"], dict(body_b["slots"][0])]}
        plan_c2 = plans.create(c, amended, created_by="sup", t=hub.clock()).id

    proc = HubProcess(url, default_key_dir(), tmp_path / "hub.log", "--demo", link_only=False)
    proc.start()
    sup = Desk.to_process(proc, keys.public, "desk-sup", "sup")
    try:
        # amending again with U is refused, naming where U is held
        err = sup.refused(AmendPlan(plan_id=plan_c2, add=[u], remove=[u], reason="again"))
        assert err == f"unit {u} is held by the plan proposed for incident {b}", err
        err = sup.refused(AmendPlan(plan_id=plan_c2, reason="keep everyone"))
        assert f"unit {u} is held by the plan proposed for incident {b}" in err
        # approving the amended plan C is refused too: U is still B's
        err = sup.refused(ApprovePlan(plan_id=plan_c2))
        assert err.startswith(f"plan {plan_c2} cannot be approved: unit {u} is held by")
        # both plans hold U, so neither may go out with it: the supervisor takes U out of
        # C (the plan the amendment added it to), and B goes out with U
        fixed = sup.call(AmendPlan(plan_id=plan_c2, remove=[u], reason="U is B's"))
        sup.call(ApprovePlan(plan_id=plan_b))
        (order_u,) = [oid for oid, cs, _ in orders_of(store, b) if cs == u]
        with store.session() as s:
            row = s.get(OrderRow, order_u)
            assert row is not None
            sent = dt.datetime.fromtimestamp(row.created_at, SHANGHAI).strftime("%H:%M")
        # adding U to C now names the incident U is committed to, and when it was sent
        err = sup.refused(AmendPlan(plan_id=fixed["plan_id"], add=[u], reason="closer"))
        assert err == f"unit {u} is committed to incident {b} (dispatched, order sent {sent})"
        sup.call(ApprovePlan(plan_id=fixed["plan_id"]))
    finally:
        sup.close()
        proc.stop()
    assert u not in {cs for _, cs, _ in orders_of(store, c)}
    assert [cs for _, cs, _ in orders_of(store, b)].count(u) == 1
    store.close()
