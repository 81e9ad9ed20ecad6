"""The shift log and shift handovers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

Written out by hand (frozen), like 0001: never import the models here.
Constraint names follow ``console.store.models.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64
KIND = 32


def upgrade() -> None:
    op.create_table(
        "shift_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=CODE), nullable=False),
        sa.Column("shift_start", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("acknowledged_at", sa.Float(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=CODE), nullable=True),
        sa.Column("incoming", sa.JSON(), nullable=False),
        sa.Column("ack_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shift_handovers"),
    )
    op.create_index("ix_shift_handovers_created_at", "shift_handovers", ["created_at"])
    op.create_table(
        "shift_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(length=CODE), nullable=False),
        sa.Column("kind", sa.String(length=KIND), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("handover_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_shift_log"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_shift_log_incident_id_incidents"
        ),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["shift_handovers.id"],
            name="fk_shift_log_handover_id_shift_handovers",
        ),
    )
    op.create_index("ix_shift_log_t", "shift_log", ["t"])


def downgrade() -> None:
    op.drop_table("shift_log")  # indexes go with their table
    op.drop_table("shift_handovers")
