"""District packages: versions and roads, roster, places, retired rows, officer details, call keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

Written out by hand (frozen), like 0001: never import the models here.
Constraint names follow ``console.store.models.NAMING_CONVENTION``.  New
columns on existing tables are nullable, so existing rows need no default.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64
NAME = 200
KIND = 32
RETIRED = ("stations", "areas", "fixed_points", "units")


def _fk(table: str, col: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [col], [target], name=f"fk_{table}_{col}_{ref_table}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "district_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=CODE), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_district_versions"),
        _fk("district_versions", "district_id", "districts.id"),
        sa.UniqueConstraint(
            "district_id", "version", name="uq_district_versions_district_id_version"
        ),
    )
    op.create_table(
        "district_roads",
        sa.Column("version_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("format", sa.String(length=KIND), nullable=False),
        sa.Column("n_ways", sa.Integer(), nullable=False),
        sa.Column("n_vertices", sa.Integer(), nullable=False),
        sa.Column("n_restrictions", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("version_id", name="pk_district_roads"),
        _fk("district_roads", "version_id", "district_versions.id", ondelete="CASCADE"),
    )
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=NAME), nullable=False),
        sa.Column("kind", sa.String(length=KIND), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("street", sa.String(length=NAME), nullable=True),
        sa.Column("number", sa.String(length=CODE), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_places"),
        _fk("places", "district_id", "districts.id"),
    )
    op.create_index("ix_places_district_id", "places", ["district_id"], unique=False)
    op.create_table(
        "duty_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("shift", sa.String(length=CODE), nullable=False),
        sa.Column("start_at", sa.Float(), nullable=False),
        sa.Column("end_at", sa.Float(), nullable=False),
        sa.Column("officers", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_duty_shifts"),
        _fk("duty_shifts", "district_id", "districts.id"),
        _fk("duty_shifts", "unit_id", "units.id"),
    )
    op.create_index(
        "ix_duty_shifts_district_id_start_at", "duty_shifts", ["district_id", "start_at"]
    )
    op.create_index("ix_duty_shifts_unit_id", "duty_shifts", ["unit_id"])

    for table in RETIRED:
        with op.batch_alter_table(table) as b:
            b.add_column(sa.Column("retired_at", sa.Float(), nullable=True))
    with op.batch_alter_table("areas") as b:
        b.add_column(sa.Column("geometry", sa.JSON(), nullable=True))
    with op.batch_alter_table("officers") as b:
        b.add_column(sa.Column("rank", sa.String(length=CODE), nullable=True))
        b.add_column(sa.Column("phone", sa.String(length=CODE), nullable=True))
    with op.batch_alter_table("call_history") as b:
        b.add_column(sa.Column("call_key", sa.BigInteger(), nullable=True))
    op.create_index("ix_call_history_call_key", "call_history", ["call_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_call_history_call_key", table_name="call_history")
    with op.batch_alter_table("call_history") as b:
        b.drop_column("call_key")
    with op.batch_alter_table("officers") as b:
        b.drop_column("phone")
        b.drop_column("rank")
    with op.batch_alter_table("areas") as b:
        b.drop_column("geometry")
    for table in RETIRED:
        with op.batch_alter_table(table) as b:
            b.drop_column("retired_at")
    for table in ("duty_shifts", "places", "district_roads", "district_versions"):
        op.drop_table(table)  # indexes go with their table
