"""Initial schema: district data, forces, incidents, orders outbox, tracking, audit.

Revision ID: 0001
Revises:
Create Date: 2025-11-23

Written out by hand (frozen): it must never import the models, so that
later model changes cannot alter what this revision creates.  Constraint
names follow ``console.store.models.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64
NAME = 200
KIND = 32


def _pk(table: str, *cols: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*(cols or ("id",)), name=f"pk_{table}")


def _fk(table: str, col: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [col], [target], name=f"fk_{table}_{col}_{ref_table}", ondelete=ondelete
    )


def _uq(table: str, col: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(col, name=f"uq_{table}_{col}")


def _ix(table: str, *cols: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(cols)}", table, list(cols), unique=False)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _float(name: str, nullable: bool = False) -> sa.Column[float]:
    return sa.Column(name, sa.Float(), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade() -> None:
    # --- static district data ---
    op.create_table(
        "districts",
        _id(),
        _str("code", CODE),
        _str("name", NAME),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("outline", sa.JSON(), nullable=False),
        _pk("districts"),
        _uq("districts", "code"),
    )
    op.create_table(
        "stations",
        _id(),
        _int("district_id"),
        _str("code", CODE),
        _str("name", NAME),
        _float("lon"),
        _float("lat"),
        _pk("stations"),
        _fk("stations", "district_id", "districts.id"),
        _uq("stations", "code"),
    )
    op.create_table(
        "areas",
        _id(),
        _int("station_id"),
        _str("code", CODE),
        _str("name", NAME),
        sa.Column("polygon", sa.JSON(), nullable=False),
        _pk("areas"),
        _fk("areas", "station_id", "stations.id"),
        _uq("areas", "code"),
    )
    op.create_table(
        "fixed_points",
        _id(),
        _int("district_id"),
        _str("code", CODE),
        _str("name", NAME),
        _float("lon"),
        _float("lat"),
        _pk("fixed_points"),
        _fk("fixed_points", "district_id", "districts.id"),
        _uq("fixed_points", "code"),
    )

    # --- incidents ---
    op.create_table(
        "incidents",
        _id(),
        _str("incident_type", CODE),
        _str("status", KIND),
        _int("priority"),
        _int("force_level"),
        _int("manpower"),
        _float("lon"),
        _float("lat"),
        _str("address", NAME),
        _str("caller", NAME),
        sa.Column("description", sa.Text(), nullable=False),
        _float("created_at"),
        _str("created_by", CODE),
        _float("closed_at", nullable=True),
        _int("merged_into", nullable=True),
        _str("source", KIND),
        _pk("incidents"),
        _fk("incidents", "merged_into", "incidents.id"),
    )
    _ix("incidents", "status")

    # --- forces ---
    op.create_table(
        "units",
        _id(),
        _int("district_id"),
        _str("call_sign", CODE),
        _str("unit_type", CODE),
        _int("station_id", nullable=True),
        _int("area_id", nullable=True),
        _int("fixed_point_id", nullable=True),
        _float("home_lon"),
        _float("home_lat"),
        _str("status", KIND),
        _float("status_since"),
        _int("current_incident_id", nullable=True),
        _pk("units"),
        _fk("units", "district_id", "districts.id"),
        _fk("units", "station_id", "stations.id"),
        _fk("units", "area_id", "areas.id"),
        _fk("units", "fixed_point_id", "fixed_points.id"),
        _fk("units", "current_incident_id", "incidents.id"),
        _uq("units", "call_sign"),
    )
    op.create_table(
        "officers",
        _id(),
        _str("badge", CODE),
        _str("name", NAME),
        _int("unit_id", nullable=True),
        _str("kind", KIND),
        _pk("officers"),
        _fk("officers", "unit_id", "units.id"),
        _uq("officers", "badge"),
    )
    op.create_table(
        "terminals",
        _id(),
        _int("unit_id"),
        _str("public_key", 40),
        _float("enrolled_at"),
        _str("enrolled_by", CODE),
        _float("revoked_at", nullable=True),
        _pk("terminals"),
        _fk("terminals", "unit_id", "units.id"),
        _uq("terminals", "public_key"),
    )
    _ix("terminals", "unit_id")
    op.create_table(
        "users",
        _id(),
        _str("username", CODE),
        _str("display_name", NAME),
        _str("password_hash", 255),
        _str("role", KIND),
        _float("created_at"),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _pk("users"),
        _uq("users", "username"),
    )

    # --- incident workflow ---
    op.create_table(
        "incident_events",
        _id(),
        _int("incident_id"),
        _float("t"),
        _str("actor", CODE),
        _str("kind", KIND),
        sa.Column("detail", sa.JSON(), nullable=False),
        _pk("incident_events"),
        _fk("incident_events", "incident_id", "incidents.id"),
    )
    _ix("incident_events", "incident_id", "t")
    op.create_table(
        "plans",
        _id(),
        _int("incident_id"),
        _float("created_at"),
        _str("created_by", CODE),
        _str("status", KIND),
        sa.Column("body", sa.JSON(), nullable=False),
        _pk("plans"),
        _fk("plans", "incident_id", "incidents.id"),
    )
    _ix("plans", "incident_id")
    op.create_table(
        "plan_decisions",
        _id(),
        _int("plan_id"),
        _float("t"),
        _str("user", CODE),
        _str("decision", KIND),
        sa.Column("reason", sa.Text(), nullable=False),
        _pk("plan_decisions"),
        _fk("plan_decisions", "plan_id", "plans.id"),
    )
    _ix("plan_decisions", "plan_id")
    op.create_table(
        "orders",
        _str("id", 32),
        _int("plan_id", nullable=True),
        _int("incident_id"),
        _int("unit_id"),
        _str("role", CODE),
        sa.Column("body", sa.JSON(), nullable=False),
        _str("state", KIND),
        _float("created_at"),
        _float("deadline_at"),
        _float("expires_at"),
        _int("attempts"),
        _float("next_attempt_at"),
        _float("delivered_at", nullable=True),
        _float("read_at", nullable=True),
        _float("accepted_at", nullable=True),
        sa.Column("rejected_reason", sa.Text(), nullable=True),
        _float("arrived_at", nullable=True),
        _float("finished_at", nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        _pk("orders"),
        _fk("orders", "plan_id", "plans.id"),
        _fk("orders", "incident_id", "incidents.id"),
        _fk("orders", "unit_id", "units.id"),
    )
    _ix("orders", "state", "next_attempt_at")
    _ix("orders", "unit_id", "state")
    _ix("orders", "incident_id")
    op.create_table(
        "attachments",
        _id(),
        _str("order_id", 32, nullable=True),
        _int("incident_id"),
        _str("kind", KIND),
        _str("mime", CODE),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _float("created_at"),
        _pk("attachments"),
        _fk("attachments", "order_id", "orders.id"),
        _fk("attachments", "incident_id", "incidents.id"),
    )
    _ix("attachments", "incident_id")

    # --- positions and history ---
    fix_columns = ("accuracy", "speed", "heading")
    op.create_table(
        "positions_latest",
        sa.Column("unit_id", sa.Integer(), autoincrement=False, nullable=False),
        _float("t"),
        _float("lon"),
        _float("lat"),
        *(_float(c, nullable=True) for c in fix_columns),
        _pk("positions_latest", "unit_id"),
        _fk("positions_latest", "unit_id", "units.id", ondelete="CASCADE"),
    )
    op.create_table(
        "position_history",
        _id(),
        _int("unit_id"),
        _float("t"),
        _float("lon"),
        _float("lat"),
        *(_float(c, nullable=True) for c in fix_columns),
        _pk("position_history"),
        _fk("position_history", "unit_id", "units.id", ondelete="CASCADE"),
    )
    _ix("position_history", "unit_id", "t")
    op.create_table(
        "call_history",
        _id(),
        _float("t"),
        _str("incident_type", CODE),
        _float("lon"),
        _float("lat"),
        _pk("call_history"),
    )
    _ix("call_history", "t")

    # --- audit trail (AUTOINCREMENT: SQLite must never reuse a seq) ---
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        _float("t"),
        _str("actor", CODE),
        _str("workstation", CODE),
        _str("action", CODE),
        sa.Column("payload", sa.JSON(), nullable=False),
        _str("prev_hash", 64),
        _str("hash", 64),
        _pk("audit_log", "seq"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "call_history",
        "position_history",
        "positions_latest",
        "attachments",
        "orders",
        "plan_decisions",
        "plans",
        "incident_events",
        "users",
        "terminals",
        "officers",
        "units",
        "incidents",
        "fixed_points",
        "areas",
        "stations",
        "districts",
    ):
        op.drop_table(table)  # indexes go with their table
