"""Messages from the command room to officers' terminals (the message outbox).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

Written out by hand (frozen), like 0001: never import the models here.
Constraint names follow ``console.store.models.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64
NAME = 200
KIND = 32


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("to", sa.String(length=CODE), nullable=False),
        sa.Column("sender", sa.String(length=CODE), nullable=False),
        sa.Column("sender_name", sa.String(length=NAME), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=KIND), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("delivered_at", sa.Float(), nullable=True),
        sa.Column("read_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_messages_unit_id_units"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_messages_incident_id_incidents"
        ),
    )
    op.create_index("ix_messages_state_next_attempt_at", "messages", ["state", "next_attempt_at"])
    op.create_index("ix_messages_unit_id_state", "messages", ["unit_id", "state"])
    op.create_index("ix_messages_incident_id", "messages", ["incident_id"])
    op.create_index("ix_messages_group_id", "messages", ["group_id"])


def downgrade() -> None:
    op.drop_table("messages")  # indexes go with their table
