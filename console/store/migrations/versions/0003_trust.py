"""Trust: stored sessions, sign-in lockouts, the keyed audit chain record, photo storage.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Written out by hand (frozen), like 0001: never import the models here.
Constraint names follow ``console.store.models.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = 64
NAME = 200
KIND = 32


def _float(name: str, nullable: bool = False) -> sa.Column[float]:
    return sa.Column(name, sa.Float(), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _fk(table: str, col: str, target: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint([col], [target], name=f"fk_{table}_{col}_{ref_table}")


def _ix(table: str, *cols: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(cols)}", table, list(cols), unique=False)


def upgrade() -> None:
    op.create_table(
        "auth_sessions",
        _str("token_hash", 64),
        _str("username", CODE),
        _str("display_name", NAME),
        _str("role", KIND),
        _str("source", NAME),
        _float("created_at"),
        _float("last_seen_at"),
        _float("expires_at"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_auth_sessions"),
    )
    _ix("auth_sessions", "username")
    op.create_table(
        "auth_lockouts",
        _str("username", CODE),
        _int("failures"),
        _float("last_failure_at"),
        _float("locked_at", nullable=True),
        sa.PrimaryKeyConstraint("username", name="pk_auth_lockouts"),
    )
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _str("chain", 32),
        _int("keyed_from"),
        _float("created_at"),
        _str("mac", 64),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain"),
    )
    op.create_table(
        "photo_blobs",
        _str("sha256", 64),
        _str("mime", CODE),
        _int("size"),
        _int("width"),
        _int("height"),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("thumb", sa.LargeBinary(), nullable=False),
        _float("created_at"),
        sa.PrimaryKeyConstraint("sha256", name="pk_photo_blobs"),
    )
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("sha256", 64),
        _int("incident_id"),
        _str("order_id", 32, nullable=True),
        _int("unit_id"),
        _str("terminal_key", 40),
        _int("size"),
        _float("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_photos"),
        _fk("photos", "sha256", "photo_blobs.sha256"),
        _fk("photos", "incident_id", "incidents.id"),
        _fk("photos", "order_id", "orders.id"),
        _fk("photos", "unit_id", "units.id"),
    )
    _ix("photos", "order_id")
    _ix("photos", "terminal_key", "created_at")
    _ix("photos", "incident_id")


def downgrade() -> None:
    for table in ("photos", "photo_blobs", "audit_chain", "auth_lockouts", "auth_sessions"):
        op.drop_table(table)  # indexes go with their table
