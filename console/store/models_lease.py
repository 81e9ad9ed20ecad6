"""The primary lease of the hub: which of several hub processes may act, and its fencing token.

Two or more hub processes can run against one PostgreSQL; exactly one acts (serves
terminals and workstations, writes orders, approvals, audit).  The database holds the
lease, so a machine that dies or is cut off loses it without anybody's help: the row
names the holder, the time the lease lapses (the database's own clock, so the hubs'
clocks need not agree) and a token that only ever grows.  Every takeover adds one to the
token; a write checks the token it started with against the row inside its own
transaction (:mod:`console.hub.lease`), so a paused old primary cannot commit after a
successor took over.  One row per lease name (``hub``).  Created by migration
``0007_hub_lease``; on SQLite (one hub, one file) the lease is simply always free.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import CODE, Base

HOLDER = 200  # host, process id and a random part: who holds the lease, for the log


class HubLeaseRow(Base):
    """One lease: its holder, its fencing token and when it lapses (UNIX seconds)."""

    __tablename__ = "hub_lease"

    name: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    holder: Mapped[str] = mapped_column(String(HOLDER), default="")
    token: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[float] = mapped_column(Float, default=0.0)
    acquired_at: Mapped[float] = mapped_column(Float, default=0.0)
