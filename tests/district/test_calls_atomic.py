"""A calls import that fails part-way through writing leaves nothing behind: a real SQLite
trigger refuses a row of the last batch, after the earlier batches went to the database;
the error is a StoreError (the CLI prints "database error", the dialog shows it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from console.config import Config
from console.district import calls_import
from console.district.calls_import import CallColumns, CallsSpec, import_calls
from console.district.importer import import_package
from console.store import Store, repos
from console.store.errors import StoreError
from tests.district.builders import ll, write_csv


def test_a_write_failing_in_the_last_batch_leaves_nothing(
    tmp_path: Path,
    grid_dir: Path,
    store: Store,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_package(store, grid_dir, config)
    with store.session() as s:
        outline = list(repos.PackageRepo(s).load("grid", roads=False).district.outline)
    monkeypatch.setattr(calls_import, "BATCH", 10)  # ten batches of ten
    lon, lat = ll(-200, 150)
    rows = [(f"c{i:03d}", "2026-05-29 08:00", lat, lon, "theft") for i in range(100)]
    f = tmp_path / "calls.csv"
    write_csv(f, ("id", "time", "lat", "lon", "type"), rows)
    spec = CallsSpec(CallColumns("time", "lat", "lon", "type", "id"), tz="Asia/Shanghai")
    with store.transaction() as s:  # the database refuses the 96th row it is given
        s.execute(
            text(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON call_history "
                "WHEN (SELECT COUNT(*) FROM call_history) >= 95 "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        )
    with pytest.raises(StoreError, match=r"nothing was.*refused by the test"):
        import_calls(store, f, spec, outline, list(config.incident_types))
    with store.session() as s:
        assert repos.CallHistoryRepo(s).count() == 0  # the 95 rows before it: rolled back
    names = {str(i["name"]) for i in inspect(store.engine).get_indexes("call_history")}
    assert names == {"ix_call_history_t", "ix_call_history_call_key"}  # dropped index is back
    with store.transaction() as s:
        s.execute(text("DROP TRIGGER refuse_one"))
    res = import_calls(store, f, spec, outline, list(config.incident_types))
    assert res.added == 100 and not res.rejected
