"""The hub's heat engine on the demo district's 90-day history: density, hot spots, forecasts by
hour and by day, a shift's own geography, and patrol focus per responsibility area."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from console.demo.history import generate_call_history
from console.heat.engine import HeatEngine
from console.heat.localtime import local_fields, local_midnight
from console.heat.patrol import patrol_focus
from console.polygon import contains

TZ = "Asia/Shanghai"
END_DAY = 20_600  # 2026-05-26: history ends at that local midnight


@pytest.fixture(scope="module")
def engine(demo_parts) -> HeatEngine:  # type: ignore[no-untyped-def]
    d = demo_parts.district
    end = local_midnight(END_DAY, TZ)
    h = generate_call_history(d, days=90, end_time=end, seed=5)
    types = [h.types[i] for i in h.type_idx]
    return HeatEngine(h.t, h.lon, h.lat, types, bbox=d.bbox, tz=TZ, outline=d.outline)


def test_density_counts_the_filtered_calls(engine: HeatEngine) -> None:
    t1 = local_midnight(END_DAY, TZ)
    t0 = t1 - 30 * 86400
    g = engine.density(t0, t1, cell_m=50, bandwidth_m=120)
    n = int(((engine.calls.t >= t0) & (engine.calls.t < t1)).sum())
    assert g.n_calls == n
    assert float(g.density.sum()) * 0.05**2 == pytest.approx(n, rel=1e-4)
    night = engine.density(t0, t1, types=["fight"], hours=[22, 23, 0, 1], weekdays=[4, 5])
    lf = local_fields(engine.calls.t, TZ)
    want = (
        (engine.calls.t >= t0)
        & (engine.calls.t < t1)
        & (np.asarray(engine.calls.types)[engine.calls.type_idx] == "fight")
        & np.isin(lf.hour, [22, 23, 0, 1])
        & np.isin(lf.weekday, [4, 5])
    )
    assert night.n_calls == int(want.sum()) > 0
    with pytest.raises(ValueError, match="ufo"):
        engine.density(t0, t1, types=["ufo"])
    with pytest.raises(ValueError, match="end must be after"):
        engine.density(t1, t0)
    with pytest.raises(ValueError, match="5-1000"):
        engine.density(t0, t1, cell_m=2)


def test_hot_spots_of_the_demo_history_lie_in_the_district(engine: HeatEngine) -> None:
    t1 = local_midnight(END_DAY, TZ)
    res = engine.hotspots(t1 - 30 * 86400, t1, cell_m=100, neighbourhood_m=300, fdr=0.05)
    assert len(res.hotspots) >= 2
    outline = engine.outline
    assert outline is not None
    for h in res.hotspots:
        assert contains(outline, h.centre[0], h.centre[1])[0]
        assert h.calls > 0 and h.peak_hours and h.top_types
    busiest = res.hotspots[0]
    assert busiest.calls == max(h.calls for h in res.hotspots)


def test_next_24_hours_by_hour_and_7_days_by_day(engine: HeatEngine) -> None:
    t0 = local_midnight(END_DAY, TZ)
    fc = engine.forecast(t0, t0 + 86400, cell_m=100)
    assert fc.step_totals.size == 24 and fc.step_s == 3600
    assert float(fc.step_totals.sum()) == pytest.approx(fc.total, rel=1e-9)
    per_day = len(engine.calls.between(t0 - 28 * 86400, t0)) / 28
    assert fc.total == pytest.approx(per_day, rel=0.3)
    hours = local_fields(fc.step_starts, TZ).hour
    assert list(hours) == list(range(24))  # steps follow the Shanghai clock
    assert fc.step_totals[4] < fc.step_totals[10]  # 04:00 is quieter than 10:00
    ranked = fc.ranked_cells(10)
    assert [r.rank for r in ranked] == list(range(1, 11))
    assert all(a.expected >= b.expected for a, b in itertools.pairwise(ranked))
    week = engine.forecast(t0, t0 + 7 * 86400, step_s=86400)
    assert week.step_totals.size == 7 and week.total > 5 * fc.total
    wire = fc.to_wire(top=5)
    assert len(wire["expected"]) == fc.grid.size * 4 and len(wire["ranked"]) == 5


def test_a_night_shift_has_its_own_geography(engine: HeatEngine) -> None:
    t0 = local_midnight(END_DAY, TZ)
    day = engine.forecast(t0 + 8 * 3600, t0 + 16 * 3600, cell_m=100)
    night = engine.forecast(t0 + 20 * 3600, t0 + 28 * 3600, cell_m=100)
    a = day.expected / day.total
    b = night.expected / night.total
    assert np.abs(a - b).sum() > 0.05  # the shapes differ, not only the totals
    assert day.step_totals.size == night.step_totals.size == 8


def test_patrol_focus_per_area(engine: HeatEngine, demo_parts) -> None:  # type: ignore[no-untyped-def]
    areas = demo_parts.district.areas
    t0 = local_midnight(END_DAY, TZ) + 20 * 3600
    focus = engine.patrol_focus(t0, t0 + 8 * 3600, areas, per_area=3, radius_m=300)
    assert [f.area_code for f in focus] == [a.code for a in areas]
    for f, area in zip(focus, areas, strict=True):
        assert 1 <= len(f.points) <= 3
        assert [p.rank for p in f.points] == list(range(1, len(f.points) + 1))
        assert all(a.expected >= b.expected for a, b in zip(f.points, f.points[1:], strict=False))
        assert f.covered <= f.expected_total + 1e-9
        for p in f.points:
            assert contains(area.polygon, p.lon, p.lat)[0]
            assert p.expected > 0 and p.expected_cell > 0
    assert sum(f.expected_total for f in focus) > 0


def test_patrol_points_spread_out_instead_of_stacking() -> None:
    from console.domain import Area
    from console.geo.coords import LocalProjection
    from console.heat.grid import Grid

    proj = LocalProjection(121.47, 31.23)
    g = Grid(proj, 0.0, 0.0, 100.0, 30, 30)
    surface = np.zeros(g.shape)
    surface[10, 10] = surface[10, 11] = surface[11, 10] = 5.0  # one hot corner
    surface[25, 25] = 3.0  # a lesser place far away
    ring = [proj.to_lonlat(x, y) for x, y in [(0, 0), (3000, 0), (3000, 3000), (0, 3000)]]
    area = Area("A1", "test", "S1", tuple((float(a), float(b)) for a, b in ring))
    (f,) = patrol_focus(surface, g, [area], per_area=2, radius_m=250)
    assert f.points[0].expected == pytest.approx(15.0)
    far = proj.to_xy(f.points[1].lon, f.points[1].lat)
    assert far[0] > 2000 and far[1] > 2000  # the second car goes to the other place
    assert f.covered == pytest.approx(18.0) and f.expected_total == pytest.approx(18.0)


def test_engine_is_usable_from_several_threads(engine: HeatEngine) -> None:
    t1 = local_midnight(END_DAY, TZ)
    want = engine.density(t1 - 86400 * 7, t1, cell_m=80).density
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                got = engine.density(t1 - 86400 * 7, t1, cell_m=80).density
                assert np.array_equal(got, want)
        except BaseException as exc:  # pragma: no cover (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    more = engine.with_calls(
        [t1 - 3600.0], [engine.bbox[0] + 0.01], [engine.bbox[1] + 0.01], ["fight"]
    )
    assert len(more.calls) == len(engine.calls) + 1


def test_replies_survive_msgpack_and_read_back(engine: HeatEngine) -> None:
    import msgspec

    from console.heat.wire import forecast_from_result, hotspots_from_result

    t1 = local_midnight(END_DAY, TZ)
    hs = engine.hotspots(t1 - 30 * 86400, t1)
    fc = engine.forecast(t1, t1 + 86400)
    hs_wire = msgspec.msgpack.decode(msgspec.msgpack.encode(hs.to_wire()))
    hs_back = hotspots_from_result(hs_wire)
    assert np.array_equal(hs_back.significant, hs.significant)
    assert [h["calls"] for h in hs_back.hotspots] == [h.calls for h in hs.hotspots]
    fc_wire = msgspec.msgpack.decode(msgspec.msgpack.encode(fc.to_wire()))
    fc_back = forecast_from_result(fc_wire)
    assert np.allclose(fc_back.expected, fc.expected, rtol=1e-6)
    assert fc_back.step_surface(4).sum() == pytest.approx(fc.step_totals[4], rel=1e-5)
    for wire, parse in ((hs_wire, hotspots_from_result), (fc_wire, forecast_from_result)):
        bad = dict(wire)
        bad.pop("bbox")
        with pytest.raises(ValueError, match="lacks bbox"):
            parse(bad)
    focus = engine.patrol_focus(t1, t1 + 8 * 3600, [])
    assert focus == []


def test_area_cells_take_every_part_and_cut_holes() -> None:
    from console.domain import Area
    from console.geo.coords import LocalProjection
    from console.heat.grid import Grid
    from console.heat.patrol import area_cells

    proj = LocalProjection(121.47, 31.23)
    g = Grid(proj, 0.0, 0.0, 100.0, 20, 10)

    def ring(x0: float, y0: float, x1: float, y1: float) -> tuple[tuple[float, float], ...]:
        pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        return tuple((float(a), float(b)) for a, b in (proj.to_lonlat(x, y) for x, y in pts))

    outer, hole, island = ring(0, 0, 800, 800), ring(300, 300, 500, 500), ring(1200, 200, 1600, 600)
    area = Area("A", "a", "S", outer, parts=((outer, hole), (island,)))
    m = area_cells(g, area)
    assert m.sum() == 64 - 4 + 16  # 8 x 8 cells, a 2 x 2 hole, a 4 x 4 island
    assert not m[3, 3] and m[0, 0] and m[3, 13]
    plain = area_cells(g, Area("B", "b", "S", outer))
    assert plain.sum() == 64
