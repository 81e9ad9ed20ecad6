"""The hub's crowd part on a real hub (frozen clock, real SQLite store): counts in, a
forecast event per place, warnings ahead of time and now (each once), the crowd-crush
run card from a warning, refreshes off the command thread, bad counts refused."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import msgspec
import numpy as np
import pytest
from sqlalchemy import func, select

from console.crowd.repo import CrowdRepo
from console.crowd.settings import CrowdSettings, load_crowd_settings
from console.hub.client import InprocClient
from console.hub.crowd_demo import (
    STANDIN_EN,
    STANDIN_FILE,
    _read_standin,
    demo_counts,
    simulated_counts,
    standin_counts,
)
from console.hub.hub import CommandHub
from console.hub.messages import (
    EVENT_DECODER,
    AddCrowdCount,
    Alert,
    Command,
    CrowdForecast,
    Event,
    GetCrowd,
    GetCrowdPlaces,
    RaiseCrowdIncident,
    Reply,
)
from console.store.models_crowd import CrowdCountRow
from tests.conftest import T0, FrozenClock, HubFactory

TZ = ZoneInfo("Asia/Shanghai")
WAIT_S = 60.0


def weekly(settings: CrowdSettings | None = None) -> CrowdSettings:
    """config/crowd.toml with the weekly profile (a test must not wait for a model fit)."""
    s = settings or load_crowd_settings()
    fc = msgspec.structs.replace(s.forecast, model="weekly_profile")
    return msgspec.structs.replace(s, forecast=fc)


class Events:
    """Crowd forecasts and alerts as the hub publishes them, waited for by condition."""

    def __init__(self, hub: CommandHub) -> None:
        self.items: list[Event] = []
        self.cond = threading.Condition()
        self.unsubscribe = hub.subscribe(self._take)

    def _take(self, ev: Event) -> None:
        if isinstance(ev, CrowdForecast | Alert):
            with self.cond:
                self.items.append(ev)
                self.cond.notify_all()

    def wait(self, pred: Callable[[Event], bool], what: str) -> Event:
        with self.cond:
            ok = self.cond.wait_for(lambda: any(pred(e) for e in self.items), WAIT_S)
            assert ok, f"no {what} within {WAIT_S} s"
            return next(e for e in self.items if pred(e))

    def alerts(self) -> list[Alert]:
        with self.cond:
            return [e for e in self.items if isinstance(e, Alert) and e.crowd is not None]


@pytest.fixture
def hub(hub_factory: HubFactory, frozen_clock: FrozenClock) -> CommandHub:
    h = hub_factory("crowd", clock=frozen_clock)
    h.crowd.set_settings(weekly())
    h.crowd.reload().result(WAIT_S)  # the start-up load is done: the store holds no counts
    return h


@pytest.fixture
def op(hub: CommandHub) -> Iterator[InprocClient]:
    c = InprocClient(hub, actor="op1", role="operator", workstation="ws-crowd")
    yield c
    c.close()


@pytest.fixture(scope="module")
def shared(module_hub_factory: HubFactory) -> CommandHub:
    """One hub for the tests that only read, or write nothing another test looks at."""
    h = module_hub_factory("crowd-shared", clock=FrozenClock())
    h.crowd.set_settings(weekly())
    h.crowd.reload().result(WAIT_S)
    return h


@pytest.fixture
def shared_op(shared: CommandHub) -> Iterator[InprocClient]:
    c = InprocClient(shared, actor="op2", role="operator", workstation="ws-crowd")
    yield c
    c.close()


def stored_counts(hub: CommandHub) -> int:
    with hub.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(CrowdCountRow)) or 0)


def call(client: InprocClient, cmd: Command) -> Reply:
    return client.call(cmd, timeout=WAIT_S)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> float:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp()


def store_history(hub: CommandHub, place: str, now: float, evening: float) -> None:
    """Eight weeks of hourly counts before ``now``: 10 % of capacity, ``evening`` share
    from 19:00 to 22:00 local."""
    p = hub.crowd.settings.place(place)
    end = float(np.floor(now / 3600) * 3600)
    t = np.arange(end - 56 * 86400, end, 3600.0)
    hours = np.array([dt.datetime.fromtimestamp(x, TZ).hour for x in t])
    v = np.where((hours >= 19) & (hours < 22), evening, 0.1) * p.capacity
    with hub.store.transaction() as s:
        repo = CrowdRepo(s)
        pid = repo.ensure_place(p, now)
        ids = repo.ensure_sensors(pid, ["gate"], "import")
        repo.put_counts(pid, np.full(t.size, ids["gate"], dtype=np.int64), 3600, t, v, now=now)


def f64(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype=np.float64)


# ------------------------------------------------------------------ counts in


def test_counts_in_give_a_forecast_event(hub: CommandHub, op: InprocClient) -> None:
    events = Events(hub)
    now = hub.clock()
    for k in range(15):  # a quarter of an hour of one gate's counts
        r = call(
            op,
            AddCrowdCount(
                place="yuyuan", sensor="gate-2", t=now - 60 * (15 - k), people=20_000 + 100 * k
            ),
        )
        assert r.ok, r.error
        assert r.result == {
            "place": "yuyuan",
            "sensor": "gate-2",
            "minute": np.floor((now - 60 * (15 - k)) / 60) * 60,
        }
    assert hub.crowd.request_refresh().result(WAIT_S)
    ev = events.wait(lambda e: isinstance(e, CrowdForecast) and e.place == "yuyuan", "forecast")
    assert isinstance(ev, CrowdForecast)
    assert ev.issued_at == now and ev.tz == "Asia/Shanghai" and ev.capacity == 60_000
    assert f64(ev.hour_times).size == 168  # the week ahead, hour by hour
    minutes, point = f64(ev.minute_times), f64(ev.minute_point)
    assert minutes.size == 30 and minutes[0] > now - 60 and np.all(np.diff(minutes) == 60)
    assert np.all(np.isfinite(point)) and point[0] > 20_000  # the nowcast follows the rise
    assert np.all(f64(ev.minute_lower) <= point + 1e-6)
    # the wire: the event survives the workstation stream's encoding
    back = EVENT_DECODER.decode(msgspec.msgpack.encode(ev))
    assert isinstance(back, CrowdForecast) and back.minute_point == ev.minute_point
    assert len(msgspec.msgpack.encode(ev)) < 9_000  # ~7 KB a place a minute
    # GetCrowd answers the latest, for one place or all
    got = call(op, GetCrowd(place="yuyuan"))
    assert got.ok and [f.place for f in got.result["forecasts"]] == ["yuyuan"]
    assert not call(op, GetCrowd(place="nowhere")).ok
    # the counts are in the store, per counter and minute
    assert stored_counts(hub) == 15


def test_places_are_listed_with_their_limits(shared_op: InprocClient) -> None:
    r = call(shared_op, GetCrowdPlaces())
    assert r.ok
    places = {p["code"]: p for p in r.result["places"]}
    assert set(places) == {"bund", "nanjing_road", "yuyuan", "peoples_square", "xintiandi"}
    bund = places["bund"]
    assert bund["kind"] == "area" and len(bund["polygon"]) >= 3 and bund["capacity"] == 180_000
    assert places["xintiandi"]["point"] == [121.4750, 31.2196]
    assert r.result["note"] == ""  # a hub without the demo's stand-in: the places' own counts


def test_bad_counts_are_refused_with_their_reason(
    shared: CommandHub, shared_op: InprocClient
) -> None:
    hub, op = shared, shared_op
    before = stored_counts(hub)
    now = hub.clock()
    cases = [
        (AddCrowdCount(place="moon", sensor="a", people=5), "no crowd place 'moon'"),
        (AddCrowdCount(place="bund", sensor="a", people=-3), "must be 0 to 100,000,000"),
        (AddCrowdCount(place="bund", sensor="a", people=2e8), "must be 0 to 100,000,000"),
        (
            AddCrowdCount(place="bund", sensor="a", people=5, t=now + 3 * 86400),
            "ahead of the hub clock",
        ),
        (AddCrowdCount(place="bund", sensor="a", people=5, t=now - 2 * 86400), "over 24 h old"),
        (AddCrowdCount(place="bund", sensor=" ", people=5), "1 to 64 characters"),
        (AddCrowdCount(place="bund", sensor="x" * 65, people=5), "1 to 64 characters"),
    ]
    for cmd, reason in cases:
        r = call(op, cmd)
        assert not r.ok and reason in r.error, (cmd, r.error)
    # the hub entry the link and the cameras call: the same checks, and a counter is its owner's
    with pytest.raises(Exception, match="not a number of people"):
        hub.crowd.add_count("bund", "cam-1", now, float("nan"), source="camera", device="cam-1")
    hub.crowd.add_count("bund", "cam-9", now, 1_000, source="camera", device="cam-9")
    with pytest.raises(Exception, match="belongs to device cam-9"):
        hub.crowd.add_count("bund", "cam-9", now, 1_000, source="terminal", device="T-07")
    r = call(op, AddCrowdCount(place="bund", sensor="cam-9", people=5))
    assert not r.ok and "belongs to device cam-9" in r.error
    terminal = InprocClient(hub, actor="T-07", role="terminal", workstation="t")
    try:  # devices count over the link (its hub entry), not with the operators' command
        r = call(terminal, AddCrowdCount(place="bund", sensor="t", people=5))
        assert not r.ok and "may not AddCrowdCount" in r.error
    finally:
        terminal.close()
    assert stored_counts(hub) == before + 1  # only the one good count was stored


def test_ended_hours_of_live_minutes_are_rolled_up_in_the_store(
    shared: CommandHub, shared_op: InprocClient
) -> None:
    hub, op = shared, shared_op
    now = hub.clock()
    p = hub.crowd.settings.place("nanjing_road")
    hour = float(np.floor(now / 3600) * 3600) - 3 * 3600  # a whole hour, three hours back
    for m in range(50):  # 50 of its minutes counted: enough for an hourly count
        t = hour + 60 * m + 5
        assert call(op, AddCrowdCount(place=p.code, sensor="gate-n", t=t, people=1000 + m)).ok
    for m in range(20):  # the next hour only 20 minutes: a gap, not a low hour
        t = hour + 3600 + 60 * m + 5
        assert call(op, AddCrowdCount(place=p.code, sensor="gate-n", t=t, people=500)).ok
    hub.crowd.request_refresh().result(WAIT_S)
    with hub.store.session() as s:
        repo = CrowdRepo(s)
        t, v = repo.series(repo.place_id(p.code), 3600, hour - 3600, now, p.combine)
    assert t.tolist() == [hour] and v[0] == pytest.approx(1000 + 24.5)  # the minutes' mean


# ------------------------------------------------------------------ warnings


def test_a_forecast_crossing_warns_once_ahead_with_its_lead_time(
    hub: CommandHub, op: InprocClient, frozen_clock: FrozenClock
) -> None:
    now = hub.clock()  # 04:26:40 in Shanghai
    store_history(hub, "bund", now, evening=0.9)
    events = Events(hub)
    hub.crowd.reload().result(WAIT_S)
    warn = events.wait(lambda e: isinstance(e, Alert) and e.crowd is not None, "crowd warning")
    assert isinstance(warn, Alert) and warn.crowd is not None
    seven = local(2026, 5, 29, 19)
    assert now < seven < now + 86400
    assert warn.level == "warning" and warn.kind == "crowd_forecast"
    assert warn.crowd.place == "bund" and warn.crowd.source == "hourly"
    assert warn.crowd.t_cross == seven and warn.crowd.lead_s == seven - now  # 14 h 33 min
    assert warn.crowd.share == pytest.approx(0.9, abs=0.02)
    assert "19:00" in warn.text and "in 15 h" in warn.text_en and "外滩" in warn.text
    assert warn.crowd.incident_type == "crowd_crush_risk"
    assert (warn.crowd.lon, warn.crowd.lat) == hub.crowd.settings.place("bund").centre
    assert warn.alert_id in {a.alert_id for a in hub.workflow.alerts.open_alerts()}
    # the next minutes refresh the forecast, but the same crossing is not raised again
    for _ in range(3):
        frozen_clock.advance(60)
        hub.crowd.request_refresh().result(WAIT_S)
    fc = [e for e in events.items if isinstance(e, CrowdForecast) and e.place == "bund"]
    assert len(fc) >= 4 and fc[-1].issued_at == now + 180
    assert [a.alert_id for a in events.alerts()] == [warn.alert_id]
    peak = fc[-1].peak
    assert peak is not None and peak == pytest.approx(0.9 * 180_000, rel=0.02)


def test_a_measured_crossing_raises_one_alert_now(
    hub: CommandHub, op: InprocClient, frozen_clock: FrozenClock
) -> None:
    events = Events(hub)
    cap = hub.crowd.settings.place("xintiandi").capacity
    assert call(op, AddCrowdCount(place="xintiandi", sensor="gate", people=0.85 * cap)).ok
    hub.crowd.request_refresh().result(WAIT_S)
    a = events.wait(lambda e: isinstance(e, Alert) and e.crowd is not None, "measured warning")
    assert isinstance(a, Alert) and a.crowd is not None
    assert (a.kind, a.level, a.crowd.source) == ("crowd_measured", "warning", "measured")
    assert a.crowd.lead_s == 0 and a.crowd.t_cross == hub.clock()
    assert "85 % of capacity" in a.text_en and "34,000" in a.text_en
    for people in (0.86 * cap, 0.84 * cap):  # still over (or hovering at) the line: no new alert
        frozen_clock.advance(60)
        assert call(op, AddCrowdCount(place="xintiandi", sensor="gate", people=people)).ok
        hub.crowd.request_refresh().result(WAIT_S)
    assert len(events.alerts()) == 1
    frozen_clock.advance(60)  # over the alarm share: one critical alert
    assert call(op, AddCrowdCount(place="xintiandi", sensor="gate", people=0.97 * cap)).ok
    hub.crowd.request_refresh().result(WAIT_S)
    levels = [(x.kind, x.level) for x in events.alerts()]
    assert levels == [("crowd_measured", "warning"), ("crowd_measured", "critical")]


def test_refreshes_run_off_the_command_thread(shared: CommandHub, shared_op: InprocClient) -> None:
    hub, op = shared, shared_op
    assert call(op, AddCrowdCount(place="bund", sensor="g", people=1_000)).ok
    hub.crowd.request_refresh().result(WAIT_S)
    names = list(hub.crowd.refresh_threads)
    assert names and all(n.startswith("hub-crowd") for n in names)
    assert "command-hub" not in names


# ------------------------------------------------------------------ run card


def test_a_warning_opens_the_crowd_crush_run_card(
    hub: CommandHub, op: InprocClient, frozen_clock: FrozenClock
) -> None:
    store_history(hub, "bund", hub.clock(), evening=0.9)
    events = Events(hub)
    hub.crowd.reload().result(WAIT_S)
    warn = events.wait(lambda e: isinstance(e, Alert) and e.crowd is not None, "crowd warning")
    assert isinstance(warn, Alert)
    r = call(op, RaiseCrowdIncident(alert_id=warn.alert_id))
    assert r.ok, r.error
    iid = r.result["incident_id"]
    assert r.result["alert_id"] == warn.alert_id and r.result.get("plan_id")
    state = next(s for s in hub.incidents.open_states() if s.id == iid)
    bund = hub.crowd.settings.place("bund")
    assert state.incident_type == "crowd_crush_risk" and state.address == "外滩"
    assert (state.lon, state.lat) == pytest.approx(bund.centre)
    assert state.source == "crowd"
    plan = hub.workflow.plans.for_incident(iid)
    assert plan.plan_id == r.result["plan_id"] and plan.body["incident_type"] == "crowd_crush_risk"
    roles = {slot["role_en"] for slot in plan.body["slots"]}
    assert "Crowd management" in roles  # the crowd-crush run card's roles
    board = hub.workflow.alerts.require(warn.alert_id)
    assert board.acked_by == "op1" and board.incident_id == iid
    again = call(op, RaiseCrowdIncident(alert_id=warn.alert_id))
    assert not again.ok and f"already opened incident #{iid}" in again.error
    other = hub.workflow.alerts.raise_alert("t:x", "warning", "escalation", "x", "x", None)
    assert other is not None
    r = call(op, RaiseCrowdIncident(alert_id=other.alert_id))
    assert not r.ok and "not a crowd warning" in r.error
    assert not call(op, RaiseCrowdIncident(alert_id=99_999)).ok


# ------------------------------------------------------------------ the demo's counts


def test_the_demo_counts_stay_in_memory_and_are_labelled(hub: CommandHub) -> None:
    hub.crowd.set_settings(load_crowd_settings())  # the configured gradient boosting
    hub.crowd.start(demo=True)
    got = hub.crowd.reload().result(WAIT_S)
    assert {e.place for e in got} == set(hub.crowd.places)
    # the demo's first forecasts come at once from the weekly profile; the configured
    # model is fitted a minute later (this frozen clock never gets there)
    assert {e.model for e in got} == {"weekly_profile"}
    assert hub.crowd.settings.forecast.model == "gradient_boosting"
    demo = hub.crowd.demo
    assert demo is not None and all(e.note == demo.note and e.note_en for e in got)
    bund = next(e for e in got if e.place == "bund")
    assert f64(bund.observed).size >= 40 and f64(bund.minute_times).size == 30
    assert stored_counts(hub) == 0  # nothing of the demo's reaches the database
    assert hub.crowd.place_list()["note_en"] == demo.note_en


def test_simulated_counts_when_the_stand_in_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = weekly()
    counts = demo_counts(s, T0, tmp_path / "missing.csv.gz")
    assert counts.kind == "simulated" and "simulated" in counts.note_en
    again = simulated_counts(s, T0)
    for code, (t, v) in counts.series.items():
        assert np.array_equal(v, again.series[code][1])  # deterministic
        assert t.size > 24 * 400 and np.all(np.diff(t) == 3600)
    t, v = counts.hours_before("bund", T0)
    assert t.size and t[-1] + 3600 <= T0


@pytest.mark.skipif(not STANDIN_FILE.is_file(), reason="the Auckland counts are not here")
def test_the_stand_in_is_the_real_series_moved_by_whole_weeks() -> None:
    counts = standin_counts(weekly(), T0)
    assert counts is not None and counts.kind == "stand-in" and counts.note_en == STANDIN_EN
    t, v = counts.series["bund"]
    assert t[0] < T0 - 300 * 86400 and t[-1] > T0 + 3 * 86400  # history behind, feed ahead
    (a, b), weeks = counts.sources["bund"]
    sensors, sidx, wall, value = _read_standin(str(STANDIN_FILE))
    by_wall = {
        name: dict(zip(wall[sidx == k].astype(np.int64).tolist(), value[sidx == k], strict=True))
        for k, name in enumerate(sensors)
    }
    epoch = dt.datetime(1970, 1, 1)
    ratios = []
    for x, y in list(zip(t, v, strict=True))[:: len(t) // 50]:
        here = dt.datetime.fromtimestamp(float(x), TZ).replace(tzinfo=None)
        src = here - dt.timedelta(weeks=weeks)  # same wall hour, same weekday
        assert src.weekday() == here.weekday() and src.hour == here.hour
        h = int((src - epoch).total_seconds() // 3600)
        total = by_wall[a][h] + by_wall[b][h]
        if total > 50:
            ratios.append(y / total)
    # one scale for the whole series: the real rhythm, only the unit changed
    assert len(ratios) > 40 and np.ptp(ratios) / np.mean(ratios) < 0.01
