"""Camera evidence among an incident's photos: ``photos.unit_id`` may be empty, ``camera_id``.

A camera that raises an incident (issue 19) files its snapshot and clip where the
console looks for an incident's photos (``GetAttachments``); such a row has no unit
and no terminal key (``""``, never a real key, so no terminal's quota counts it) but
names its camera.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Written out by hand (frozen), like 0001: never import the models here.
Constraint names follow ``console.store.models.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64


def upgrade() -> None:
    # SQLite cannot drop NOT NULL in place: batch mode copies the table (env.py)
    with op.batch_alter_table("photos") as b:
        b.alter_column("unit_id", existing_type=sa.Integer(), nullable=True)
        b.add_column(sa.Column("camera_id", sa.String(length=CODE), nullable=True))


def downgrade() -> None:
    # camera rows have no unit: they cannot stay in the older table (the blobs and the
    # chronology's camera lines stay, so GetCameraEvidence still finds them)
    op.execute(sa.text("DELETE FROM photos WHERE unit_id IS NULL"))
    with op.batch_alter_table("photos") as b:
        b.drop_column("camera_id")
        b.alter_column("unit_id", existing_type=sa.Integer(), nullable=False)
