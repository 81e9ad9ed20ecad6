"""Messages from the command room to officers' terminals: the message outbox.

One row per recipient unit (a message to a station or to every unit of an
incident is one ``group_id`` with a row per unit), written before anything is
sent, like an order.  The terminal link sends pending rows with backoff while
the unit is on the air; the terminal's ``msg_receipt`` moves a row forward
(``pending -> delivered -> read``), so the command room sees who has it and
who has read it, and a hub restart resends what was not confirmed.  Created by
migration ``0005_messages``.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import CODE, KIND, NAME, Base


class MessageRow(Base):
    """One message to one unit's terminal."""

    __tablename__ = "messages"
    __table_args__ = (
        Index(None, "state", "next_attempt_at"),
        Index(None, "unit_id", "state"),
        Index(None, "incident_id"),
        Index(None, "group_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # time-ordered, 32 hex
    group_id: Mapped[str] = mapped_column(String(32))  # one SendMessage
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("units.id"))
    incident_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("incidents.id"), nullable=True
    )
    to: Mapped[str] = mapped_column(String(CODE))  # unit | station:CODE | incident:N
    sender: Mapped[str] = mapped_column(String(CODE))
    sender_name: Mapped[str] = mapped_column(String(NAME))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(KIND))  # pending | delivered | read | expired
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    read_at: Mapped[float | None] = mapped_column(Float, nullable=True)


MESSAGE_TABLES = ("messages",)
"""The tables this module adds (for the schema test's list)."""
