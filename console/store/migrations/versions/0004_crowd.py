"""Crowd flow: places, their counters, counts per bucket.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Written out by hand (frozen), like 0001: never import the models here.  Constraint
names follow ``console.store.models.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64
NAME = 200
KIND = 32


def upgrade() -> None:
    op.create_table(
        "crowd_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=CODE), nullable=False),
        sa.Column("name", sa.String(length=NAME), nullable=False),
        sa.Column("name_en", sa.String(length=NAME), nullable=False),
        sa.Column("kind", sa.String(length=KIND), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("tz", sa.String(length=CODE), nullable=False),
        sa.Column("country", sa.String(length=KIND), nullable=False),
        sa.Column("subdiv", sa.String(length=KIND), nullable=True),
        sa.Column("measure", sa.String(length=KIND), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("warn_share", sa.Float(), nullable=False),
        sa.Column("alarm_share", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crowd_places"),
        sa.UniqueConstraint("code", name="uq_crowd_places_code"),
    )
    op.create_table(
        "crowd_sensors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=CODE), nullable=False),
        sa.Column("source", sa.String(length=KIND), nullable=False),
        sa.Column("device", sa.String(length=CODE), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crowd_sensors"),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["crowd_places.id"],
            name="fk_crowd_sensors_place_id_crowd_places",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("place_id", "code", name="uq_crowd_sensors_place_id_code"),
    )
    op.create_table(
        "crowd_counts",
        sa.Column("sensor_id", sa.Integer(), nullable=False),
        sa.Column("res", sa.Integer(), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sensor_id", "res", "t", name="pk_crowd_counts"),
        sa.ForeignKeyConstraint(
            ["sensor_id"],
            ["crowd_sensors.id"],
            name="fk_crowd_counts_sensor_id_crowd_sensors",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["crowd_places.id"],
            name="fk_crowd_counts_place_id_crowd_places",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_crowd_counts_place_id_res_t", "crowd_counts", ["place_id", "res", "t"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_crowd_counts_place_id_res_t", table_name="crowd_counts")
    op.drop_table("crowd_counts")
    op.drop_table("crowd_sensors")
    op.drop_table("crowd_places")
