"""Issue 13 (bad input): a command holding NaN or an infinity is refused with an error that
names the field.  It used to reach the audit pre-check, where JSON refused the number and
the operator was told "the audit log cannot be written" (and the row of the refusal was
lost too).  Now the command is refused before it runs, the audit log and the hub carry on,
and the refusal itself is on record with the number written as text."""

from __future__ import annotations

import math

import msgspec
import pytest
from sqlalchemy import select

from console.audit import NonFiniteNumber, check_finite, command_payload
from console.audit.trail import nonfinite_fields
from console.hub.client import InprocClient
from console.hub.messages import AddCrowdCount, CreateIncident
from console.store.models import AuditRow
from tests.conftest import HubFactory

PEOPLES_SQUARE = (121.4737, 31.2304)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_command_with_a_number_that_is_not_finite_is_refused_naming_the_field(
    hub_factory: HubFactory, bad: float
) -> None:
    hub = hub_factory("nan")
    op = InprocClient(hub, actor="op", role="operator", workstation="desk")
    r = op.call(CreateIncident(incident_type="theft", lon=bad, lat=PEOPLES_SQUARE[1]), timeout=60)
    assert not r.ok
    assert "'lon'" in r.error and "finite" in r.error and "'lat'" not in r.error
    assert "audit" not in r.error  # not blamed on the audit log
    assert not hub.guard.safe and hub.guard.trips == 0
    # the refusal is on record, the number written as text
    with hub.store.session() as s:
        row = s.scalars(
            select(AuditRow).where(AuditRow.action == "CreateIncident").order_by(AuditRow.seq)
        ).one()
    assert row.payload["ok"] is False and row.payload["command"]["lon"] == repr(bad)
    assert "'lon'" in row.payload["error"]
    # the hub, its audit log included, carries on
    good = op.call(
        CreateIncident(incident_type="theft", lon=PEOPLES_SQUARE[0], lat=PEOPLES_SQUARE[1])
    )
    assert good.ok, good.error


def test_every_field_that_is_not_finite_is_named() -> None:
    cmd = CreateIncident(incident_type="theft", lon=math.inf, lat=math.nan)
    with pytest.raises(NonFiniteNumber, match=r"fields 'lon', 'lat' are not finite"):
        check_finite(cmd)
    check_finite(CreateIncident(incident_type="theft", lon=1.0, lat=2.0))  # fine


def test_nested_numbers_are_named_by_their_path() -> None:
    """A number deep in a list (a camera's release times, an outline's points)."""
    cmd = Throw(camera_id="fuxing_e_12", release=[1.0, math.nan])
    assert nonfinite_fields(cmd) == ["release[1]"]
    assert nonfinite_fields({"outline": [[1.0, 2.0], [3.0, -math.inf]]}) == ["outline[1][1]"]
    payload = command_payload(cmd, False, "refused")
    assert payload["command"]["release"] == [1.0, "nan"]
    msgspec.json.encode(payload)  # a payload that JSON can hold


def test_an_infinity_from_the_wire_is_refused(hub_factory: HubFactory) -> None:
    """JSON has no NaN, but MessagePack (the workstations' wire format) carries it."""
    wire = msgspec.msgpack.encode({"place": "bund", "sensor": "gate-1", "people": math.inf})
    cmd = msgspec.msgpack.decode(wire, type=AddCrowdCount)
    assert math.isinf(cmd.people)
    hub = hub_factory("inf")
    op = InprocClient(hub, actor="op", role="operator", workstation="desk")
    r = op.call(cmd, timeout=60)
    assert not r.ok and "'people'" in r.error
    assert not hub.guard.safe


class Throw(msgspec.Struct):
    """A command shaped like a camera's report (numbers in a list)."""

    camera_id: str
    release: list[float]
