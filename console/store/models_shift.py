"""Tables of the shift: the shift log (operators' notes, sign-ins) and handovers.

A command room works in shifts of eight or twelve hours; what the outgoing shift
knows (open incidents, pending alerts, units on and off duty, its notes) must reach
the incoming one and be on record.  ``shift_handovers`` keeps each handover with
its summary as it stood when written and who acknowledged it; ``shift_log`` the
lines in between.  They sit on the shared :class:`~console.store.models.Base` and are
created by migration ``0006_shift``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import CODE, KIND, Base


class ShiftHandoverRow(Base):
    """One handover from the outgoing shift, and the incoming shift's acknowledgement."""

    __tablename__ = "shift_handovers"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(CODE))
    shift_start: Mapped[float] = mapped_column(Float)  # the outgoing shift's period began
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # as it stood at handover
    acknowledged_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(CODE), nullable=True)
    incoming: Mapped[list[str]] = mapped_column(JSON)  # the incoming team, as signed in
    ack_note: Mapped[str] = mapped_column(Text, default="")


class ShiftLogRow(Base):
    """One line of the shift log: a note, a sign-in, a handover written or acknowledged."""

    __tablename__ = "shift_log"
    __table_args__ = (Index(None, "t"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    t: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(CODE))
    kind: Mapped[str] = mapped_column(String(KIND))  # note | sign_in | handover | handover_ack
    text: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("incidents.id"), nullable=True
    )
    handover_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("shift_handovers.id"), nullable=True
    )


SHIFT_TABLES = ("shift_handovers", "shift_log")
"""The tables this module adds (for the schema test's list)."""
