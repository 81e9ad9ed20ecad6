"""SQLAlchemy table models: the persistent shape of the command room.

Conventions, chosen so SQLite and PostgreSQL hold byte-identical values:
timestamps are float unix seconds UTC (``*_at`` or ``t``), enums are stored
as their string value (``domain`` enums), structured data is ``JSON``.
Constraint names come from one naming convention so Alembic migrations can
refer to them by name on both backends.  Every change here needs a migration
in ``migrations/versions`` (a test compares models and migrated schema).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = 64  # length of codes, call signs, badges, usernames
NAME = 200
KIND = 32  # enum values and other short keys


class Base(DeclarativeBase):
    """Declarative base carrying the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _fk(target: str, *, nullable: bool = False, cascade: bool = False) -> Any:
    """A foreign-key column; ``cascade`` for rows that are mere attachments of their parent."""
    return mapped_column(
        Integer,
        ForeignKey(target, ondelete="CASCADE" if cascade else None),
        nullable=nullable,
    )


# --- static district data -------------------------------------------------------------------


class DistrictRow(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    outline: Mapped[list[list[float]]] = mapped_column(JSON)


class StationRow(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = _fk("districts.id")
    code: Mapped[str] = mapped_column(String(CODE), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    retired_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # left the district


class AreaRow(Base):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = _fk("stations.id")
    code: Mapped[str] = mapped_column(String(CODE), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    polygon: Mapped[list[list[float]]] = mapped_column(JSON)
    # every part with its holes (Area.parts) when the area is more than one ring
    geometry: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    retired_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class FixedPointRow(Base):
    __tablename__ = "fixed_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = _fk("districts.id")
    code: Mapped[str] = mapped_column(String(CODE), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    retired_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class DistrictVersionRow(Base):
    """One import of a district package: what was loaded, when, by whom, what changed."""

    __tablename__ = "district_versions"
    __table_args__ = (UniqueConstraint("district_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = _fk("districts.id")
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(CODE))
    source: Mapped[str] = mapped_column(Text, default="")
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)  # PackageInfo as a dict
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # counts and changes


class DistrictRoadsRow(Base):
    """The road network of one version: ways and turn restrictions, packed (see package_repo)."""

    __tablename__ = "district_roads"

    version_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("district_versions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    format: Mapped[str] = mapped_column(String(KIND))
    n_ways: Mapped[int] = mapped_column(Integer)
    n_vertices: Mapped[int] = mapped_column(Integer)
    n_restrictions: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PlaceRow(Base):
    """A searchable place of a district: landmark, address or named building (gazetteer)."""

    __tablename__ = "places"
    __table_args__ = (Index(None, "district_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = _fk("districts.id")
    name: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(KIND))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    street: Mapped[str | None] = mapped_column(String(NAME), nullable=True)
    number: Mapped[str | None] = mapped_column(String(CODE), nullable=True)


# --- incidents (before units: a unit points at its current incident) ----------------------------


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index(None, "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_type: Mapped[str] = mapped_column(String(CODE))
    status: Mapped[str] = mapped_column(String(KIND))
    priority: Mapped[int] = mapped_column(Integer)
    force_level: Mapped[int] = mapped_column(Integer)
    manpower: Mapped[int] = mapped_column(Integer)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(NAME), default="")
    caller: Mapped[str] = mapped_column(String(NAME), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(CODE))
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    merged_into: Mapped[int | None] = _fk("incidents.id", nullable=True)
    source: Mapped[str] = mapped_column(String(KIND), default="call")


# --- forces -------------------------------------------------------------------------------------


class UnitRow(Base):
    """A unit's static assignment plus its live duty status.

    ``district_id`` is not in the original brief: a district-level unit (no
    station, no fixed point) would otherwise belong to no district at all.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = _fk("districts.id")
    call_sign: Mapped[str] = mapped_column(String(CODE), unique=True)
    unit_type: Mapped[str] = mapped_column(String(CODE))
    station_id: Mapped[int | None] = _fk("stations.id", nullable=True)
    area_id: Mapped[int | None] = _fk("areas.id", nullable=True)
    fixed_point_id: Mapped[int | None] = _fk("fixed_points.id", nullable=True)
    home_lon: Mapped[float] = mapped_column(Float)
    home_lat: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(KIND))
    status_since: Mapped[float] = mapped_column(Float)
    current_incident_id: Mapped[int | None] = _fk("incidents.id", nullable=True)
    retired_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # left the district


class OfficerRow(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    badge: Mapped[str] = mapped_column(String(CODE), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    unit_id: Mapped[int | None] = _fk("units.id", nullable=True)
    kind: Mapped[str] = mapped_column(String(KIND), default="officer")  # 'officer'|'auxiliary'
    rank: Mapped[str | None] = mapped_column(String(CODE), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(CODE), nullable=True)


class DutyShiftRow(Base):
    """One roster line: a unit on duty from ``start_at`` to ``end_at`` (unix seconds)."""

    __tablename__ = "duty_shifts"
    __table_args__ = (Index(None, "district_id", "start_at"), Index(None, "unit_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = _fk("districts.id")
    unit_id: Mapped[int] = _fk("units.id")
    day: Mapped[str] = mapped_column(String(10))
    shift: Mapped[str] = mapped_column(String(CODE))
    start_at: Mapped[float] = mapped_column(Float)
    end_at: Mapped[float] = mapped_column(Float)
    officers: Mapped[list[str]] = mapped_column(JSON)


class TerminalRow(Base):
    """A front-line terminal trusted by its CURVE public key (Z85, 40 chars)."""

    __tablename__ = "terminals"
    __table_args__ = (Index(None, "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = _fk("units.id")
    public_key: Mapped[str] = mapped_column(String(40), unique=True)
    enrolled_at: Mapped[float] = mapped_column(Float)
    enrolled_by: Mapped[str] = mapped_column(String(CODE))
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(CODE), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(KIND))
    created_at: Mapped[float] = mapped_column(Float)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


# --- incident workflow --------------------------------------------------------------------------


class IncidentEventRow(Base):
    """One line of an incident's chronology (who did what, when)."""

    __tablename__ = "incident_events"
    __table_args__ = (Index(None, "incident_id", "t"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = _fk("incidents.id")
    t: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(CODE))
    kind: Mapped[str] = mapped_column(String(KIND))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class PlanRow(Base):
    __tablename__ = "plans"
    __table_args__ = (Index(None, "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = _fk("incidents.id")
    created_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(CODE))
    status: Mapped[str] = mapped_column(String(KIND))  # proposed|approved|rejected|superseded
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class PlanDecisionRow(Base):
    __tablename__ = "plan_decisions"
    __table_args__ = (Index(None, "plan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = _fk("plans.id")
    t: Mapped[float] = mapped_column(Float)
    user: Mapped[str] = mapped_column(String(CODE))
    decision: Mapped[str] = mapped_column(String(KIND))  # approve|reject|amend
    reason: Mapped[str] = mapped_column(Text, default="")


class OrderRow(Base):
    """One order to one unit's terminal; the table doubles as the send outbox."""

    __tablename__ = "orders"
    __table_args__ = (
        Index(None, "state", "next_attempt_at"),
        Index(None, "unit_id", "state"),
        Index(None, "incident_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    plan_id: Mapped[int | None] = _fk("plans.id", nullable=True)
    incident_id: Mapped[int] = _fk("incidents.id")
    unit_id: Mapped[int] = _fk("units.id")
    role: Mapped[str] = mapped_column(String(CODE))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(KIND))
    created_at: Mapped[float] = mapped_column(Float)
    deadline_at: Mapped[float] = mapped_column(Float)  # acknowledgement deadline
    expires_at: Mapped[float] = mapped_column(Float)  # time to live
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    read_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    accepted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    rejected_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    arrived_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)


class AttachmentRow(Base):
    __tablename__ = "attachments"
    __table_args__ = (Index(None, "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("orders.id"), nullable=True)
    incident_id: Mapped[int] = _fk("incidents.id")
    kind: Mapped[str] = mapped_column(String(KIND))
    mime: Mapped[str] = mapped_column(String(CODE))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[float] = mapped_column(Float)


# --- positions and history ----------------------------------------------------------------------


class PositionLatestRow(Base):
    """The newest fix per unit: what the live map draws."""

    __tablename__ = "positions_latest"

    unit_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    t: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    speed: Mapped[float | None] = mapped_column(Float, nullable=True)
    heading: Mapped[float | None] = mapped_column(Float, nullable=True)


class PositionHistoryRow(Base):
    """Recent track points; bounded by ``PositionRepo.prune_history``."""

    __tablename__ = "position_history"
    __table_args__ = (Index(None, "unit_id", "t"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = _fk("units.id", cascade=True)
    t: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    speed: Mapped[float | None] = mapped_column(Float, nullable=True)
    heading: Mapped[float | None] = mapped_column(Float, nullable=True)


class CallHistoryRow(Base):
    """Past 110 calls feeding the heatmap and forecasts.

    ``call_key`` (imported calls only) is a 64-bit hash of the call's id, or of
    its time, place, type and rank among equal rows, so importing the same
    file twice adds nothing (see ``console/district/calls_import.py``).
    """

    __tablename__ = "call_history"
    __table_args__ = (Index(None, "t"), Index(None, "call_key", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    t: Mapped[float] = mapped_column(Float)
    incident_type: Mapped[str] = mapped_column(String(CODE))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    call_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class AuditRow(Base):
    """Append-only, hash-chained audit trail (see ``AuditRepo``).

    ``sqlite_autoincrement`` stops SQLite from reusing the seq of a deleted tail row.
    """

    __tablename__ = "audit_log"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    t: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(CODE))
    workstation: Mapped[str] = mapped_column(String(CODE))
    action: Mapped[str] = mapped_column(String(CODE))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


ALL_TABLES = tuple(Base.metadata.sorted_tables)
