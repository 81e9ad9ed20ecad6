"""Writes and filters below the ORM, for the few paths a 1,000-unit fan-out runs through.

SQLAlchemy's per-row parameter processing costs more than the database itself
when one approval writes a thousand orders (about 30 of 55 ms here), so
:func:`insert_many` hands ready tuples straight to the driver's
``executemany``.  :func:`no_index` keeps SQLite's planner from driving a
"these ids, if still in this state" UPDATE through the state index (it would
scan every pending order instead of looking up the thousand ids).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import JSON

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def insert_many(s: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) in the session's transaction, in one call.

    JSON values are serialised once per distinct object (a fan-out shares one
    body among many orders); other values go to the driver as they are, so
    they must already be plain numbers, strings or None.  A driver with an
    unusual parameter style falls back to the Core insert (same result).
    """
    if not rows:
        return
    conn = s.connection()
    mark = _PLACEHOLDER.get(conn.dialect.paramstyle)
    if mark is None:
        s.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    unknown = [n for n in names if n not in table.c]
    if unknown:
        raise ValueError(f"table {table.name} has no columns {unknown}")
    json_cols = [i for i, n in enumerate(names) if isinstance(table.c[n].type, JSON)]
    dumped: dict[int, tuple[Any, str]] = {}

    def as_json(value: Any) -> str | None:
        if value is None:
            return None
        hit = dumped.get(id(value))
        if hit is None or hit[0] is not value:
            hit = dumped[id(value)] = (value, json.dumps(value))
        return hit[1]

    params: list[tuple[Any, ...]] = []
    for r in rows:
        values = [r[n] for n in names]
        for i in json_cols:
            values[i] = as_json(values[i])
        params.append(tuple(values))
    prep = conn.dialect.identifier_preparer
    cols = ", ".join(prep.quote(n) for n in names)
    marks = ", ".join([mark] * len(names))
    sql = f"INSERT INTO {prep.format_table(table)} ({cols}) VALUES ({marks})"
    conn.exec_driver_sql(sql, params)


class no_index(FunctionElement[Any]):
    """The column itself, but on SQLite no index on it may drive the query (unary ``+``).

    Other databases plan from statistics and get the plain column.
    """

    inherit_cache = True
    name = "no_index"

    def __init__(self, column: ColumnElement[Any] | QueryableAttribute[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(no_index)
def _plain(element: no_index, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(no_index, "sqlite")
def _unary_plus(element: no_index, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)
