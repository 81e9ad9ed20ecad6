"""Fixtures for the store tests: a fresh, real database per test.

By default a SQLite file in ``tmp_path``.  With ``DISPATCH_TEST_DB_URL`` set
to a PostgreSQL URL (see ``.ci/start-postgres.sh``) each test gets its own
freshly created database on that server, dropped afterwards, so tests never
see each other's rows and can run in any order (or at the same time, from
several test processes).

``store_url`` is an empty database (the schema tests migrate it themselves).
On PostgreSQL, ``store``'s database is a copy (``CREATE DATABASE ... TEMPLATE``)
of one migrated once per test process, which is several times quicker than
migrating a new database for every test; the copy is then opened like any
existing database, at the head revision.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url

from console.domain import Area, District, FixedPoint, Station, UnitSpec
from console.store import Store, open_store

ENV = "DISPATCH_TEST_DB_URL"


def _pg_server() -> URL | None:
    """The PostgreSQL server of ``DISPATCH_TEST_DB_URL``, or None (SQLite)."""
    base = os.environ.get(ENV, "").strip()
    if not base:
        return None
    url = make_url(base)
    if url.get_backend_name() != "postgresql":
        pytest.fail(f"{ENV} must be a PostgreSQL URL, got {url.get_backend_name()}")
    return url


@contextlib.contextmanager
def _pg_database(server: URL, prefix: str, template: str = "") -> Iterator[str]:
    """A database of its own on ``server`` (a copy of ``template`` if given), dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty database that exists only for this test."""
    server = _pg_server()
    if server is None:
        yield f"sqlite:///{tmp_path / 'dispatch-test.sqlite3'}"
        return
    with _pg_database(server, "dispatch_t") as url:
        yield url


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    """PostgreSQL: the name of a database migrated once for this test process, which
    ``store`` copies (no connection may stay open on it: a copy needs it idle)."""
    server = _pg_server()
    if server is None:
        yield ""
        return
    with _pg_database(server, "dispatch_tpl") as url:
        open_store(url).close()
        yield str(make_url(url).database)


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store on a database that exists only for this test, closed afterwards
    (``store.url`` is its URL; a test that asks for ``store_url`` too gets that database)."""
    server = _pg_server()
    with contextlib.ExitStack() as stack:
        if server is None or "store_url" in request.fixturenames:
            url = str(request.getfixturevalue("store_url"))
        else:
            template = request.getfixturevalue("_pg_template")
            url = stack.enter_context(_pg_database(server, "dispatch_t", template))
        s = open_store(url)
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
