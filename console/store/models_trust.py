"""Tables of the trust work: sign-in sessions and lockouts, the audit chain's key record,
and photos from the scene (kept apart from the main tables).

They sit on the same :class:`~console.store.models.Base` (one metadata, one
naming convention) and are created by migration ``0003_trust``.  Kept in a
module of their own so the trust work does not crowd ``models.py``.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import CODE, KIND, NAME, Base


class AuthSessionRow(Base):
    """A signed-in workstation session; only the SHA-256 of its token is stored.

    Kept in the database so a hub restart, or a standby hub taking over the
    same database, finds the session and the workstation stays signed in; a
    copy of the table is useless to a thief (the token itself is never stored).
    """

    __tablename__ = "auth_sessions"
    __table_args__ = (Index(None, "username"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(CODE))
    display_name: Mapped[str] = mapped_column(String(NAME))
    role: Mapped[str] = mapped_column(String(KIND))
    source: Mapped[str] = mapped_column(String(NAME), default="")
    created_at: Mapped[float] = mapped_column(Float)
    last_seen_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class AuthLockoutRow(Base):
    """Consecutive failed sign-ins of an account; ``locked_at`` set = locked until unlocked."""

    __tablename__ = "auth_lockouts"

    username: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[float] = mapped_column(Float)
    locked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class AuditChainRow(Base):
    """Where the keyed (HMAC) audit chain starts and which chain it is (one row, id 1).

    Rows before ``keyed_from`` were written before the audit key existed and are
    checked with the old unkeyed hash; ``mac`` seals this row with the audit key.
    """

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    chain: Mapped[str] = mapped_column(String(32))
    keyed_from: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    mac: Mapped[str] = mapped_column(String(64))


class PhotoBlobRow(Base):
    """A photo's bytes and thumbnail, stored once per content (SHA-256 of the JPEG)."""

    __tablename__ = "photo_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(String(CODE))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    thumb: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[float] = mapped_column(Float)


class PhotoRow(Base):
    """One photo or clip filed by a terminal under an order (quotas count these rows), or
    a camera's snapshot or clip of the incident it raised (``camera_id``, no unit)."""

    __tablename__ = "photos"
    __table_args__ = (
        Index(None, "order_id"),
        Index(None, "terminal_key", "created_at"),
        Index(None, "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), ForeignKey("photo_blobs.sha256"))
    incident_id: Mapped[int] = mapped_column(Integer, ForeignKey("incidents.id"))
    order_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("orders.id"), nullable=True)
    # a camera's evidence (issue 19, migration 0008) has no unit and terminal_key ""
    unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("units.id"), nullable=True)
    terminal_key: Mapped[str] = mapped_column(String(40))
    camera_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)


TRUST_TABLES = ("auth_sessions", "auth_lockouts", "audit_chain", "photo_blobs", "photos")
"""The tables this module adds (for the schema test's list)."""
