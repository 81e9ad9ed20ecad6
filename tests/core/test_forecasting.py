"""The hub's heat engine commands on a real hub: heat, hot spots, forecasts, patrol focus.

One hub on a frozen clock serves the read-only tests of this module; the
patrol-point test registers an incident on a hub of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import msgspec
import numpy as np
import pytest

from console.heat.wire import forecast_from_result, hotspots_from_result
from console.hub.client import InprocClient
from console.hub.forecasting import (
    FALLBACK_TZ,
    Forecasting,
    deliver,
    local_hour_start,
    package_time_zone,
)
from console.hub.hub import CommandHub
from console.hub.messages import (
    Command,
    CreateIncident,
    GetForecast,
    GetHeat,
    GetHotspots,
    GetPatrolFocus,
    GetPlan,
    GetSnapshot,
    PlanChanged,
    Reply,
)
from console.polygon import contains
from tests.conftest import T0, FrozenClock, HubFactory

DAY = 86400.0
MONTH = 30 * DAY


@pytest.fixture(scope="module")
def hub(module_hub_factory: HubFactory) -> CommandHub:
    return module_hub_factory("forecasting", clock=FrozenClock())


@pytest.fixture(scope="module")
def client(hub: CommandHub) -> Iterator[InprocClient]:
    c = InprocClient(hub, actor="op1", role="operator", workstation="ws-heat")
    yield c
    c.close()


def ok(client: InprocClient, cmd: Command) -> dict:
    reply = client.call(cmd, timeout=60.0)
    assert reply.ok, reply.error
    assert isinstance(reply.result, dict)
    return reply.result


def local_hours(t: np.ndarray, tz: str) -> np.ndarray:
    z = ZoneInfo(tz)
    return np.array([datetime.fromtimestamp(float(v), tz=UTC).astimezone(z).hour for v in t])


# ------------------------------------------------------------------ heat


def test_heat_counts_local_hours_and_weekdays_in_the_district_zone(
    hub: CommandHub, client: InprocClient
) -> None:
    t0, t1 = T0 - MONTH, T0
    all_calls = ok(client, GetHeat(t0=t0, t1=t1))
    assert all_calls["tz"] == "Asia/Shanghai"  # the demo package's zone (CI runs in New York)
    t = hub.hist_t[(hub.hist_t >= t0) & (hub.hist_t < t1)]
    assert all_calls["n_calls"] == t.size > 1000
    night = ok(client, GetHeat(t0=t0, t1=t1, hours=[2, 3]))
    assert night["n_calls"] == int(np.isin(local_hours(t, "Asia/Shanghai"), [2, 3]).sum()) > 0
    z = ZoneInfo("Asia/Shanghai")
    wd = np.array([datetime.fromtimestamp(float(v), tz=UTC).astimezone(z).weekday() for v in t])
    weekend = ok(client, GetHeat(t0=t0, t1=t1, weekdays=[5, 6]))
    assert weekend["n_calls"] == int(np.isin(wd, [5, 6]).sum()) > 0
    every_day = ok(client, GetHeat(t0=t0, t1=t1, weekdays=list(range(7))))
    assert every_day["n_calls"] == all_calls["n_calls"]


def test_heat_bandwidth_smooths_the_same_calls(client: InprocClient) -> None:
    sharp = ok(client, GetHeat(t0=T0 - MONTH, t1=T0, bandwidth_m=60.0))
    smooth = ok(client, GetHeat(t0=T0 - MONTH, t1=T0, bandwidth_m=400.0))
    assert sharp["n_calls"] == smooth["n_calls"]
    assert sharp["max"] > 1.5 * smooth["max"] > 0  # wider kernel, lower peak
    cell_km2 = (sharp["cell_m"] / 1000.0) ** 2
    for r in (sharp, smooth):  # calls per km² over the grid add up to the calls (edges reflect)
        d = np.frombuffer(r["density"], dtype=np.float32)
        assert float(d.sum()) * cell_km2 == pytest.approx(r["n_calls"], rel=0.02)


# ------------------------------------------------------------------ hot spots


def test_hotspots_found_on_the_demo_history(hub: CommandHub, client: InprocClient) -> None:
    res = ok(client, GetHotspots(t0=T0 - MONTH, t1=T0))
    spots = hotspots_from_result(res)
    assert res["tz"] == "Asia/Shanghai"
    assert len(spots.hotspots) >= 3
    calls = [h["calls"] for h in spots.hotspots]
    assert calls == sorted(calls, reverse=True) and calls[0] > 100
    assert [h["rank"] for h in spots.hotspots] == list(range(1, len(calls) + 1))
    assert sum(h["cells"] for h in spots.hotspots) == int(spots.significant.sum())
    lon0, lat0, lon1, lat1 = hub.district.bbox
    for h in spots.hotspots:
        assert lon0 <= h["centre"][0] <= lon1 and lat0 <= h["centre"][1] <= lat1
        assert h["max_z"] > 2.0 and h["rings"]
        ring = h["rings"][0]
        assert len(ring) >= 5 and ring[0] == ring[-1]  # closed outline
        assert {k for k, _ in h["top_types"]} <= set(hub.config.incident_types)
        assert all(0 <= hour <= 23 for hour, _ in h["peak_hours"])
        assert h["calls"] >= h["top_types"][0][1] > 0


def test_hotspots_follow_the_filter(client: InprocClient) -> None:
    full = ok(client, GetHotspots(t0=T0 - MONTH, t1=T0))
    nights = ok(client, GetHotspots(t0=T0 - MONTH, t1=T0, hours=[22, 23, 0, 1, 2]))
    thefts = ok(client, GetHotspots(t0=T0 - MONTH, t1=T0, types=["theft"], weekdays=[0, 1, 2]))
    assert full["n_calls"] > nights["n_calls"] > 0
    assert full["n_calls"] > thefts["n_calls"] > 0
    for h in nights["hotspots"]:
        assert {hour for hour, _ in h["peak_hours"]} <= {22, 23, 0, 1, 2}
    for h in thefts["hotspots"]:
        assert [k for k, _ in h["top_types"]] == ["theft"]


# ------------------------------------------------------------------ forecast


@pytest.mark.parametrize(("horizon", "steps", "step_s"), [("24h", 24, 3600.0), ("7d", 7, DAY)])
def test_forecast_steps_are_positive_and_sum_to_the_surface(
    client: InprocClient, horizon: str, steps: int, step_s: float
) -> None:
    res = ok(client, GetForecast(horizon=horizon))
    fc = forecast_from_result(res)
    assert res["horizon"] == horizon and res["tz"] == "Asia/Shanghai"
    assert fc.t0 == local_hour_start(T0, "Asia/Shanghai") <= T0 < fc.t0 + 3600.0
    assert len(fc.step_totals) == steps and fc.step_s == step_s
    assert all(v > 0 for v in fc.step_totals)
    assert sum(fc.step_totals) == pytest.approx(fc.total, rel=1e-6)
    assert float(fc.expected.sum()) == pytest.approx(fc.total, rel=1e-4)
    assert fc.ranked[0]["expected"] >= fc.ranked[-1]["expected"] > 0
    if horizon == "24h":  # an hour slider shows one step's share of the surface
        assert float(fc.step_surface(5).sum()) == pytest.approx(fc.step_totals[5], rel=1e-4)


def test_forecast_of_a_shift_and_a_given_start(client: InprocClient) -> None:
    start = T0 + 10 * 3600.0  # explicit start: used as given
    shift = forecast_from_result(ok(client, GetForecast(horizon="shift", t0=start, shift_hours=8)))
    day = forecast_from_result(ok(client, GetForecast(horizon="24h", t0=start)))
    assert (shift.t0, shift.t1) == (start, start + 8 * 3600.0)
    assert len(shift.step_totals) == 8
    assert 0 < shift.total < day.total
    # the shift's hours are the first 8 of the day's
    np.testing.assert_allclose(shift.step_totals, day.step_totals[:8], rtol=0.05)


# ------------------------------------------------------------------ patrol focus


def test_patrol_focus_gives_points_inside_each_area(hub: CommandHub, client: InprocClient) -> None:
    res = ok(client, GetPatrolFocus(per_area=3))
    assert res["t1"] - res["t0"] == 8 * 3600.0 and res["tz"] == "Asia/Shanghai"
    areas = {a.code: a for a in hub.district.areas}
    assert [a["area_code"] for a in res["areas"]] == list(areas)
    with_points = 0
    for a in res["areas"]:
        area = areas[a["area_code"]]
        assert a["area_name"] == area.name and a["station_code"] == area.station_code
        pts = a["points"]
        assert len(pts) <= 3
        if pts:
            with_points += 1
            lon = np.array([p["lon"] for p in pts])
            lat = np.array([p["lat"] for p in pts])
            assert contains(area.polygon, lon, lat).all(), a["area_code"]
            exp = [p["expected"] for p in pts]
            assert exp == sorted(exp, reverse=True) and exp[0] > 0
            assert a["covered"] <= a["expected_total"] + 1e-9
    assert with_points >= len(areas) - 2


def test_patrol_focus_for_chosen_areas_and_shift(client: InprocClient) -> None:
    t0 = T0 + 4 * 3600.0
    res = ok(
        client,
        GetPatrolFocus(t0=t0, t1=t0 + 6 * 3600.0, area_codes=["外滩-2", "外滩-1"], per_area=2),
    )
    assert (res["t0"], res["t1"]) == (t0, t0 + 6 * 3600.0)
    assert [a["area_code"] for a in res["areas"]] == ["外滩-2", "外滩-1"]
    assert all(1 <= len(a["points"]) <= 2 for a in res["areas"])


# ------------------------------------------------------------------ refusals


BAD: list[tuple[Command, str]] = [
    (GetHeat(t0=T0, t1=T0 - 1), "end must be after start"),
    (GetHeat(t0=T0 - DAY, t1=T0, types=["ufo"]), "ufo"),
    (GetHeat(t0=T0 - DAY, t1=T0, weekdays=[7]), "weekdays"),
    (GetHeat(t0=T0 - DAY, t1=T0, bandwidth_m=-5), "bandwidth"),
    (GetHotspots(t0=T0, t1=T0), "end must be after start"),
    (GetHotspots(t0=T0 - DAY, t1=T0, cell_m=2), "cell size must be 5-1000 m"),
    (GetHotspots(t0=T0 - DAY, t1=T0, cell_m=5000), "cell size must be 5-1000 m"),
    (GetHotspots(t0=T0 - DAY, t1=T0, types=["theft", "ufo"]), "ufo"),
    (GetHotspots(t0=T0 - DAY, t1=T0, hours=[24]), "hours of day"),
    (GetHotspots(t0=T0 - DAY, t1=T0, fdr=0.0), "false-discovery rate"),
    (GetHotspots(t0=T0 - DAY, t1=T0, neighbourhood_m=50), "neighbourhood"),
    (GetForecast(horizon="2d"), "unknown forecast horizon"),
    (GetForecast(model="oracle"), "unknown forecast model"),
    (GetForecast(horizon="shift", shift_hours=0), "shift lasts"),
    (GetForecast(cell_m=0.5), "cell size"),
    (GetForecast(types=["ufo"]), "ufo"),
    (GetPatrolFocus(area_codes=["nowhere"]), "nowhere"),
    (GetPatrolFocus(per_area=0), "1-10"),
    (GetPatrolFocus(radius_m=10), "radius"),
    (GetPatrolFocus(t0=T0, t1=T0 - 3600), "end must be after start"),
    (GetPatrolFocus(t0=T0, t1=T0 + 3 * DAY), "at most 24 hours"),
]


@pytest.mark.parametrize(("cmd", "why"), BAD, ids=[f"{type(c).__name__}-{w}" for c, w in BAD])
def test_bad_requests_are_refused_with_the_reason(
    client: InprocClient, cmd: Command, why: str
) -> None:
    reply = client.call(cmd, timeout=60.0)
    assert not reply.ok and why in reply.error


def test_role_without_rights_is_refused(hub: CommandHub) -> None:
    terminal = InprocClient(hub, actor="外滩-2-1", role="terminal")
    reply = terminal.call(GetForecast())
    assert not reply.ok and "may not GetForecast" in reply.error


# ------------------------------------------------------------------ off the hub thread


def test_heat_work_leaves_the_hub_thread_free(hub: CommandHub, client: InprocClient) -> None:
    """While both heat workers are held, a forecast waits but the hub still answers."""
    gate = threading.Event()
    held = [hub.forecasting.run(lambda: {"held": gate.wait(60.0)}) for _ in range(2)]
    try:
        forecast = client.request(GetForecast(horizon="24h"))
        snap = client.call(GetSnapshot(), timeout=30.0)  # the hub thread was not blocked
        assert snap.ok and snap.result.units
        assert not forecast.done()
    finally:
        gate.set()
    assert all(h.result(30.0) == {"held": True} for h in held)
    reply = forecast.result(60.0)
    assert reply.ok and reply.result["total"] > 0


def test_replies_survive_msgpack(client: InprocClient) -> None:
    enc = msgspec.msgpack.Encoder()
    dec = msgspec.msgpack.Decoder(Reply)
    for cmd, parse in (
        (GetForecast(horizon="24h"), forecast_from_result),
        (GetHotspots(t0=T0 - MONTH, t1=T0), hotspots_from_result),
    ):
        back = dec.decode(enc.encode(client.call(cmd, timeout=60.0)))
        assert back.ok
        parse(back.result)  # raises on a malformed reply
    focus = dec.decode(enc.encode(client.call(GetPatrolFocus(per_area=1), timeout=60.0)))
    assert focus.ok and focus.result["areas"][0]["points"]


# ------------------------------------------------------------------ time zone


def test_the_engine_counts_hours_in_the_district_zone(hub: CommandHub) -> None:
    """A district in another zone: the same calls fall into that zone's local hours."""
    la = Forecasting(
        hub.config,
        hub.district,
        (hub.hist_t, hub.hist_lon, hub.hist_lat, hub.hist_type),
        tz=lambda: "America/Los_Angeles",
        clock=lambda: T0,
    )
    try:
        t0, t1 = T0 - MONTH, T0
        r = la.heat(GetHeat(t0=t0, t1=t1, hours=[9])).result(60.0)
        t = hub.hist_t[(hub.hist_t >= t0) & (hub.hist_t < t1)]
        assert r["tz"] == "America/Los_Angeles"
        assert r["n_calls"] == int((local_hours(t, "America/Los_Angeles") == 9).sum())
    finally:
        la.close()
    assert package_time_zone(hub) == "Asia/Shanghai"  # the demo package says so
    assert package_time_zone(object()) == FALLBACK_TZ


def test_local_hour_start_is_a_local_whole_hour() -> None:
    kolkata = local_hour_start(T0, "Asia/Kolkata")  # UTC+5:30: not a whole UTC hour
    assert kolkata <= T0 < kolkata + 3600.0 and kolkata % 3600.0 == 1800.0
    local = datetime.fromtimestamp(kolkata, tz=ZoneInfo("Asia/Kolkata"))
    assert (local.minute, local.second) == (0, 0)


# ------------------------------------------------------------------ patrol point


def test_a_patrol_point_becomes_an_incident_with_a_plan(
    hub_factory: HubFactory, frozen_clock: FrozenClock
) -> None:
    """The design: a patrol point is an incident of type "patrol" registered at the point,
    planned, approved and ordered like any other; the plan sends the area's own unit."""
    hub = hub_factory("patrol", clock=frozen_clock)
    client = InprocClient(hub, actor="op1", role="operator", workstation="ws-1")
    focus = ok(client, GetPatrolFocus(area_codes=["外滩-2"], per_area=1))
    point = focus["areas"][0]["points"][0]
    created = ok(
        client,
        CreateIncident(
            incident_type="patrol",
            lon=point["lon"],
            lat=point["lat"],
            address="巡逻点 外滩-2 #1",
            source="forecast",
        ),
    )
    plan = client.call(GetPlan(incident_id=created["incident_id"])).result
    assert isinstance(plan, PlanChanged) and plan.status == "proposed"
    body = plan.body
    assert (body["incident_type"], body["priority"], body["force_level"]) == ("patrol", 4, 1)
    (slot,) = body["slots"]
    assert slot["unit_type"] in ("patrol_group", "foot_patrol")
    unit = next(u for u in hub.district.units if u.call_sign == slot["call_sign"])
    assert unit.area_code == "外滩-2"
    inc = next(i for i in hub.incidents.open_states() if i.id == created["incident_id"])
    assert inc.source == "forecast" and inc.incident_type == "patrol"
    client.close()


def test_work_waiting_when_the_hub_stops_is_answered(hub: CommandHub) -> None:
    """Work not yet begun when the workers stop gets a refusal, not silence; a later request
    starts the workers again."""
    fc = Forecasting(
        hub.config,
        hub.district,
        (hub.hist_t, hub.hist_lon, hub.hist_lat, hub.hist_type),
        clock=lambda: T0,
    )
    gate, started = threading.Event(), threading.Semaphore(0)

    def hold() -> dict:
        started.release()
        return {"held": gate.wait(60.0)}

    held = [fc.run(hold) for _ in range(2)]
    assert started.acquire(timeout=30.0) and started.acquire(timeout=30.0)  # both workers busy
    waiting: Future[Reply] = Future()
    deliver(Reply(7, True, result=fc.forecast(GetForecast())), waiting)
    assert not waiting.done()
    fc.close()
    gate.set()
    reply = waiting.result(30.0)
    assert (reply.request_id, reply.ok, reply.error) == (7, False, "the hub is stopping")
    assert all(h.result(30.0) == {"held": True} for h in held)
    again = fc.heat(GetHeat(t0=T0 - DAY, t1=T0)).result(60.0)
    assert again["n_calls"] > 0
    fc.close()
