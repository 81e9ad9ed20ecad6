"""The demo is a package like any other, loaded the same way, and kept apart from real districts."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from console.config import Config
from console.demo.district import build_demo_district
from console.demo.package import DEMO_PACKAGE, write_demo_package
from console.district.importer import MixedDistrictError, import_package
from console.hub.bootstrap import open_hub, start_embedded_hub
from console.store import Store, open_store, repos
from tests.conftest import T0, FrozenClock


def test_committed_demo_package_is_what_the_generator_writes(tmp_path: Path) -> None:
    fresh = write_demo_package(tmp_path / "demo")
    cmp = filecmp.dircmp(DEMO_PACKAGE, fresh)
    assert sorted(cmp.left_list) == sorted(cmp.right_list)
    assert not cmp.diff_files, (
        f"{cmp.diff_files} differ: regenerate with `python -m console.demo.package`"
    )


def test_demo_hub_runs_on_the_package_and_is_the_generated_district(
    tmp_path: Path, config: Config
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    hub = start_embedded_hub(url, config, simulate=False, clock=FrozenClock(T0))
    try:
        d = hub.district
        ref = build_demo_district()
        assert d.approximate and d.code == ref.code
        for attr in ("outline", "stations", "areas", "fixed_points", "units", "ways", "landmarks"):
            assert getattr(d, attr) == getattr(ref, attr), attr
        assert len(hub.hist_t) > 10_000  # the demo's generated history
    finally:
        hub.stop()
        hub.store.close()
    again = start_embedded_hub(url, config, simulate=False, clock=FrozenClock(T0))
    try:
        with again.store.session() as s:
            versions = repos.PackageRepo(s).versions(ref.code)
        assert [v.version for v in versions] == [1]  # the same package is not imported twice
    finally:
        again.stop()
        again.store.close()


def test_real_and_demo_districts_never_share_a_database(
    grid_dir: Path, db_url: str, store: Store, tmp_path: Path, config: Config
) -> None:
    import_package(store, grid_dir, config)
    with pytest.raises(MixedDistrictError, match="holds a real district"):
        open_hub(db_url, config, demo=True, clock=FrozenClock(T0))
    hub = open_hub(db_url, config, clock=FrozenClock(T0))
    try:
        assert not hub.district.approximate and hub.sim is None
    finally:
        hub.stop()
        hub.store.close()
    with store.session() as s:
        assert repos.CallHistoryRepo(s).count() == 0  # no generated calls, ever
        assert {c for c, *_ in repos.PackageRepo(s).districts()} == {"grid"}
    demo_url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    demo_hub = start_embedded_hub(demo_url, config, simulate=False, clock=FrozenClock(T0))
    demo_hub.stop()
    demo_hub.store.close()
    demo_store = open_store(demo_url)
    try:
        with pytest.raises(MixedDistrictError, match="holds the approximate demo district"):
            import_package(demo_store, grid_dir, config)
    finally:
        demo_store.close()
