"""Search past (and, on request, open) incidents.

Filters that the database answers well (status, number, time, type, a bounding box
around the place, unit, officer) become SQL; the exact place test (radius or polygon)
and the text test run on the candidates in Python, because the closing outcome lives
in the chronology's JSON, which SQLite and PostgreSQL store and match differently
(and SQLite keeps Chinese in JSON as ``\\uXXXX`` escapes).  Newest first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from console.domain import IncidentStatus
from console.geo.coords import haversine_m
from console.history import HistoryError
from console.polygon import contains
from console.store.models import (
    AreaRow,
    IncidentEventRow,
    IncidentRow,
    OfficerRow,
    OrderRow,
    UnitRow,
)

FINAL = ("closed", "cancelled")
MAX_LIMIT = 1000
MAX_TEXT = 200
M_PER_DEG_LAT = 111_320.0


class IncidentQuery(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What to look for; every field left empty matches everything.

    ``lon``/``lat`` with ``radius_m``: within that distance; ``area``: inside the
    responsibility area with that code or name; ``polygon``: inside that ring of
    (lon, lat).  ``unit``: a call sign that had an order on it; ``officer``: a name or
    badge of an officer of such a unit; ``text``: in the address, the caller's report,
    the caller or the outcome.
    """

    number: int | None = None
    t0: float | None = None  # created at or after (UNIX seconds)
    t1: float | None = None  # created before
    incident_types: list[str] = []
    text: str = ""
    lon: float | None = None
    lat: float | None = None
    radius_m: float | None = None
    area: str = ""
    polygon: list[tuple[float, float]] = []
    unit: str = ""
    officer: str = ""
    statuses: list[str] = msgspec.field(default_factory=lambda: list(FINAL))
    limit: int = 200
    offset: int = 0

    def check(self) -> None:
        """Refuse a query that cannot mean anything, naming the field."""
        known = {s.value for s in IncidentStatus}
        bad = sorted(set(self.statuses) - known)
        if bad:
            raise HistoryError(f"unknown incident statuses {bad} (known: {', '.join(known)})")
        if not self.statuses:
            raise HistoryError("name at least one incident status to search")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise HistoryError(f"limit must be 1-{MAX_LIMIT}, got {self.limit}")
        if self.offset < 0:
            raise HistoryError(f"offset must not be negative, got {self.offset}")
        for name in ("t0", "t1", "lon", "lat", "radius_m"):
            v = getattr(self, name)
            if v is not None and not math.isfinite(v):
                raise HistoryError(f"{name} must be a finite number, got {v!r}")
        if self.t0 is not None and self.t1 is not None and self.t0 > self.t1:
            raise HistoryError("the time range ends before it starts (t0 > t1)")
        if self.radius_m is not None:
            if self.radius_m <= 0:
                raise HistoryError(f"radius_m must be positive, got {self.radius_m}")
            if self.lon is None or self.lat is None:
                raise HistoryError("a search radius needs the centre: lon and lat")
        if self.polygon and len(self.polygon) < 3:
            raise HistoryError("an area drawn by hand needs at least three points")
        if self.polygon and not np.isfinite(np.asarray(self.polygon, dtype=np.float64)).all():
            raise HistoryError("the area drawn by hand has a point that is not a number")
        for name in ("text", "area", "unit", "officer"):
            if len(getattr(self, name)) > MAX_TEXT:
                raise HistoryError(f"{name} is longer than {MAX_TEXT} characters")


def search_incidents(s: Session, q: IncidentQuery) -> dict[str, Any]:
    """``{"total", "rows", "offset"}``: matching incidents, newest first, one page of rows
    (see :func:`incident_row` for a row's fields)."""
    q.check()
    rings = _rings(s, q)
    stmt = _sql(s, q, rings)
    cand = s.execute(
        stmt.with_only_columns(
            IncidentRow.id,
            IncidentRow.lon,
            IncidentRow.lat,
            IncidentRow.address,
            IncidentRow.description,
            IncidentRow.caller,
        ).order_by(IncidentRow.created_at.desc(), IncidentRow.id.desc())
    ).all()
    ids = [int(r[0]) for r in cand]
    if cand and (q.radius_m is not None or rings):
        lon = np.array([r[1] for r in cand], dtype=np.float64)
        lat = np.array([r[2] for r in cand], dtype=np.float64)
        keep = np.ones(len(cand), dtype=bool)
        if q.radius_m is not None:
            assert q.lon is not None and q.lat is not None
            keep &= np.asarray(haversine_m(lon, lat, q.lon, q.lat)) <= q.radius_m
        if rings:
            inside = np.zeros(len(cand), dtype=bool)
            for ring in rings:
                inside |= contains(ring, lon, lat)
            keep &= inside
        cand = [r for r, k in zip(cand, keep, strict=True) if k]
        ids = [int(r[0]) for r in cand]
    text = q.text.strip().lower()
    if text and cand:
        outcome = outcomes(s, ids)
        ids = [
            int(r[0])
            for r in cand
            if any(text in str(v or "").lower() for v in (r[3], r[4], r[5]))
            or text in outcome.get(int(r[0]), "").lower()
        ]
    page = ids[q.offset : q.offset + q.limit]
    return {"total": len(ids), "offset": q.offset, "rows": incident_rows(s, page)}


def _sql(s: Session, q: IncidentQuery, rings: list[list[tuple[float, float]]]) -> Select[Any]:
    stmt = select(IncidentRow.id).where(IncidentRow.status.in_(q.statuses))
    if q.number is not None:
        stmt = stmt.where(IncidentRow.id == q.number)
    if q.t0 is not None:
        stmt = stmt.where(IncidentRow.created_at >= q.t0)
    if q.t1 is not None:
        stmt = stmt.where(IncidentRow.created_at < q.t1)
    if q.incident_types:
        stmt = stmt.where(IncidentRow.incident_type.in_(q.incident_types))
    box = _bbox(q, rings)
    if box is not None:
        x0, y0, x1, y1 = box
        stmt = stmt.where(
            IncidentRow.lon >= x0,
            IncidentRow.lon <= x1,
            IncidentRow.lat >= y0,
            IncidentRow.lat <= y1,
        )
    unit_ids: set[int] | None = None
    if q.unit.strip():
        cs = q.unit.strip().lower()
        unit_ids = set(s.scalars(select(UnitRow.id).where(func.lower(UnitRow.call_sign) == cs)))
    if q.officer.strip():
        who = q.officer.strip()
        found = {
            int(uid)
            for uid in s.scalars(
                select(OfficerRow.unit_id).where(
                    OfficerRow.unit_id.is_not(None),
                    or_(OfficerRow.name.contains(who), OfficerRow.badge.contains(who)),
                )
            )
            if uid is not None
        }
        unit_ids = found if unit_ids is None else unit_ids & found
    if unit_ids is not None:
        stmt = stmt.where(
            IncidentRow.id.in_(
                select(OrderRow.incident_id).where(OrderRow.unit_id.in_(sorted(unit_ids)))
            )
        )
    return stmt


def _rings(s: Session, q: IncidentQuery) -> list[list[tuple[float, float]]]:
    """The outer rings to test: the hand-drawn polygon, or every part of the named area."""
    if q.polygon:
        return [[(float(x), float(y)) for x, y in q.polygon]]
    if not q.area.strip():
        return []
    name = q.area.strip()
    row = s.scalars(select(AreaRow).where(or_(AreaRow.code == name, AreaRow.name == name))).first()
    if row is None:
        raise HistoryError(f"no responsibility area named {name!r}")
    if row.geometry:
        return [[(float(p[0]), float(p[1])) for p in part[0]] for part in row.geometry if part]
    return [[(float(p[0]), float(p[1])) for p in row.polygon]]


def _bbox(
    q: IncidentQuery, rings: Sequence[Sequence[tuple[float, float]]]
) -> tuple[float, float, float, float] | None:
    if rings:
        pts = np.asarray([p for ring in rings for p in ring], dtype=np.float64)
        return (
            float(pts[:, 0].min()),
            float(pts[:, 1].min()),
            float(pts[:, 0].max()),
            float(pts[:, 1].max()),
        )
    if q.radius_m is not None and q.lon is not None and q.lat is not None:
        dlat = q.radius_m / M_PER_DEG_LAT * 1.01
        dlon = dlat / max(math.cos(math.radians(q.lat)), 0.01)
        return q.lon - dlon, q.lat - dlat, q.lon + dlon, q.lat + dlat
    return None


def outcomes(s: Session, incident_ids: Sequence[int]) -> dict[int, str]:
    """The closing outcome (or cancelling reason) of each incident, from its chronology."""
    out: dict[int, str] = {}
    for chunk in _chunks(incident_ids):
        rows = s.execute(
            select(IncidentEventRow.incident_id, IncidentEventRow.detail)
            .where(IncidentEventRow.incident_id.in_(chunk), IncidentEventRow.kind == "status")
            .order_by(IncidentEventRow.t, IncidentEventRow.id)
        ).all()
        for iid, detail in rows:
            d = detail or {}
            if d.get("to") in FINAL:
                out[int(iid)] = str(d.get("note", ""))
    return out


def incident_rows(s: Session, incident_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Result rows in the order given: the incident's fields, its outcome and its units."""
    if not incident_ids:
        return []
    rows = {r.id: r for r in s.scalars(select(IncidentRow).where(IncidentRow.id.in_(incident_ids)))}
    outcome = outcomes(s, incident_ids)
    units: dict[int, list[str]] = {}
    for iid, cs in s.execute(
        select(OrderRow.incident_id, UnitRow.call_sign)
        .join(UnitRow, UnitRow.id == OrderRow.unit_id)
        .where(OrderRow.incident_id.in_(incident_ids))
        .order_by(OrderRow.created_at, OrderRow.id)
    ).all():
        lst = units.setdefault(int(iid), [])
        if cs not in lst:
            lst.append(str(cs))
    return [
        incident_row(rows[i], outcome.get(i, ""), units.get(i, []))
        for i in incident_ids
        if i in rows
    ]


def incident_row(row: IncidentRow, outcome: str, units: list[str]) -> dict[str, Any]:
    """One incident as search results and reports list it."""
    return {
        "id": row.id,
        "incident_type": row.incident_type,
        "status": row.status,
        "priority": row.priority,
        "force_level": row.force_level,
        "manpower": row.manpower,
        "lon": row.lon,
        "lat": row.lat,
        "address": row.address,
        "caller": row.caller,
        "description": row.description,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "closed_at": row.closed_at,
        "source": row.source,
        "outcome": outcome,
        "units": units,
    }


def _chunks(ids: Sequence[int], n: int = 500) -> list[list[int]]:
    """Keep IN lists short (SQLite's bound-parameter limit)."""
    seq = list(ids)
    return [seq[i : i + n] for i in range(0, len(seq), n)]
