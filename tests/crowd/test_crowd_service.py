"""The hub's crowd engine end to end, without the hub: history and live counts in,
forecasts for the chart and the map, alerts with their lead time out."""

from __future__ import annotations

import numpy as np
import pytest

from console.crowd.service import CrowdService
from console.crowd.settings import CrowdSettings, ForecastSettings, PlaceSettings
from tests.crowd.synth import local_ts

TZ = "Asia/Shanghai"


def _settings(model: str = "weekly_profile") -> CrowdSettings:
    bund = PlaceSettings(
        code="bund",
        name="外滩",
        name_en="The Bund",
        kind="point",
        point=(121.4905, 31.24),
        capacity=100_000,
        tz=TZ,
        country="CN",
    )
    return CrowdSettings(
        forecast=ForecastSettings(model=model, horizon_hours=48, history_days=60),
        places=[bund],
    )


def _history(service: CrowdService, until: float, evening: float) -> None:
    """Eight weeks of hourly counts: 10,000 all day, ``evening`` from 19:00 to 22:00."""
    start = until - 56 * 86400
    times = np.arange(start, until, 3600.0)
    hours = ((times + 8 * 3600) // 3600) % 24  # Shanghai has no daylight saving
    values = np.where((hours >= 19) & (hours < 22), evening, 10_000.0)
    service.load_hours("bund", times, values)


@pytest.mark.parametrize("model", ["weekly_profile", "gradient_boosting"])
def test_an_evening_peak_is_warned_hours_ahead(model: str) -> None:
    now = local_ts(TZ, 2024, 6, 12, 16, 10)
    service = CrowdService(_settings(model))
    _history(service, local_ts(TZ, 2024, 6, 12, 16), evening=90_000)
    forecasts, alerts = service.refresh(now)
    (f,) = forecasts
    assert f.place == "bund" and f.model == model and f.hour_times.size == 48
    assert f.hour_times[0] == local_ts(TZ, 2024, 6, 12, 16)
    seven = local_ts(TZ, 2024, 6, 12, 19)
    assert f.share_at(seven + 1800) == pytest.approx(0.9, abs=0.05)
    assert f.share_at(now) == pytest.approx(0.1, abs=0.03)
    assert np.all(f.hour_lower <= f.hour_point + 1e-6)
    assert np.all(f.hour_point <= f.hour_upper + 1e-6)
    assert f.peak is not None and f.peak > 80_000
    warn = [a for a in alerts if a.level == "warning"]
    assert len(warn) == 1 and warn[0].lead_s == seven - now  # 2 h 50 min ahead
    assert "19:00" in warn[0].text_en and warn[0].kind == "crowd_forecast"
    # a minute later the same crossing is not raised again
    assert service.refresh(now + 60)[1] == []


def test_live_counts_nowcast_a_surge_and_a_measured_crossing() -> None:
    now = local_ts(TZ, 2024, 6, 12, 16, 40, 30)
    service = CrowdService(_settings())
    _history(service, local_ts(TZ, 2024, 6, 12, 15), evening=20_000)  # up to 15:00
    start = local_ts(TZ, 2024, 6, 12, 15, 40)
    for k in range(60):  # a camera sees the crowd build by 1,000 a minute
        for snap in range(3):
            t = start + 60 * k + 20 * snap
            service.add_count("bund", "cam-1", t, 10_000 + 1_000 * k + 10 * snap)
    forecasts, alerts = service.refresh(now)
    f = forecasts[0]
    assert f.minute_times.size == 30 and f.minute_point[-1] > f.minute_point[0]
    kinds = {(a.kind, a.level, a.source) for a in alerts}
    assert ("crowd_forecast", "warning", "nowcast") in kinds
    nc = next(a for a in alerts if a.source == "nowcast")
    assert 0 < nc.lead_s <= 30 * 60 and "min" in nc.text_en
    # the hour 15:00-16:00 had only 20 counted minutes: a gap, not a low hour
    assert local_ts(TZ, 2024, 6, 12, 15) not in f.observed_times.tolist()
    service.add_count("bund", "cam-1", now + 10, 85_000)
    _f, later = service.refresh(now + 60)
    got = [(a.kind, a.level) for a in later]
    assert ("crowd_measured", "warning") in got
    assert ("crowd_forecast", "warning") not in got  # that crossing was raised already


def test_bad_live_counts_are_refused() -> None:
    service = CrowdService(_settings())
    with pytest.raises(ValueError, match="no crowd place"):
        service.add_count("nowhere", "c", 0.0, 1.0)
    with pytest.raises(ValueError, match="not a count"):
        service.add_count("bund", "c", 0.0, -5.0)
