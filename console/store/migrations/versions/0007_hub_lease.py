"""The hub's primary lease (hot standby).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Written out by hand (frozen), like 0001: never import the models here.
The one ``hub`` row is inserted here, so taking the lease is always an UPDATE
(row lock, fencing token + 1) and never a race between two INSERTs.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64
HOLDER = 200


def upgrade() -> None:
    lease = op.create_table(
        "hub_lease",
        sa.Column("name", sa.String(length=CODE), nullable=False),
        sa.Column("holder", sa.String(length=HOLDER), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("acquired_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_hub_lease"),
    )
    op.bulk_insert(
        lease, [{"name": "hub", "holder": "", "token": 0, "expires_at": 0.0, "acquired_at": 0.0}]
    )


def downgrade() -> None:
    op.drop_table("hub_lease")
