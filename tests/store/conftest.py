"""Fixtures for the store tests: a fresh, real database per test.

By default a SQLite file in ``tmp_path``.  With ``DISPATCH_TEST_DB_URL`` set
to a PostgreSQL URL (see ``.ci/start-postgres.sh``) each test gets its own
freshly created database on that server, dropped afterwards, so tests never
see each other's rows and can run in any order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

from console.domain import Area, District, FixedPoint, Station, UnitSpec
from console.store import Store, open_store

ENV = "DISPATCH_TEST_DB_URL"


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty database that exists only for this test."""
    base = os.environ.get(ENV, "").strip()
    if not base:
        yield f"sqlite:///{tmp_path / 'dispatch-test.sqlite3'}"
        return
    url = make_url(base)
    if url.get_backend_name() != "postgresql":
        pytest.fail(f"{ENV} must be a PostgreSQL URL, got {url.get_backend_name()}")
    name = f"dispatch_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on the per-test database, closed afterwards."""
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


def _square(lon: float, lat: float, half: float) -> tuple[tuple[float, float], ...]:
    return (
        (lon - half, lat - half),
        (lon + half, lat - half),
        (lon + half, lat + half),
        (lon - half, lat + half),
    )


def build_district(code: str = "HP", n_stations: int = 2) -> District:
    """A small but complete district: stations with areas, a fixed point, varied units."""
    stations = [
        Station(f"{code}-S{i}", f"派出所 {i}", 121.47 + 0.01 * i, 31.23 + 0.005 * i)
        for i in range(n_stations)
    ]
    areas = [
        Area(
            f"{st.code}-A{j}",
            f"责任区 {st.code}-{j}",
            st.code,
            _square(st.lon + 0.002 * j, st.lat, 0.001 + 1e-7 * j),
        )
        for st in stations
        for j in range(3)
    ]
    fixed = [FixedPoint(f"{code}-F0", "人民广场 1分钟处置点", 121.4737, 31.2304)]
    units = [
        UnitSpec(
            call_sign=f"{code}-P{i}",
            unit_type="patrol_car",
            station_code=st.code,
            area_code=f"{st.code}-A{i % 3}",
            home_lon=st.lon + 0.0001 * i,
            home_lat=st.lat - 0.0001 * i,
            members=(f"{code}-{i:04d}a", f"{code}-{i:04d}b"),
        )
        for i, st in enumerate(stations)
    ]
    units.append(
        UnitSpec(
            call_sign=f"{code}-SWAT1",
            unit_type="special_team",
            station_code=None,
            area_code=None,
            home_lon=121.4737,
            home_lat=31.2304,
            members=(f"{code}-9001",),
            fixed_point_code=f"{code}-F0",
        )
    )
    units.append(  # district-level unit: no station, no fixed point
        UnitSpec("HQ-" + code, "command_car", None, None, 121.49, 31.22)
    )
    return District(
        code=code,
        name="黄浦区" if code == "HP" else f"District {code}",
        approximate=True,
        outline=_square(121.48, 31.23, 0.03),
        ways=[],
        stations=stations,
        areas=areas,
        fixed_points=fixed,
        units=units,
    )


@pytest.fixture
def make_district() -> Callable[..., District]:
    return build_district


@pytest.fixture
def district_store(store: Store) -> Store:
    """A store with the default test district saved."""
    from console.store.repos import DistrictRepo

    with store.transaction() as s:
        DistrictRepo(s).save_district(build_district(), t=1000.0)
    return store
