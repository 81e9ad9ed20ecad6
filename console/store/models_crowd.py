"""Crowd-flow tables: places, their counters and the counts per time bucket.

On the same ``Base`` (and naming convention) as ``models.py``; created by migration
``0004``.  Counts are kept per counter and bucket (``res`` 60 s for live minutes, 3600 s
for hours) so a place's series can be rebuilt when a counter is added or dropped; a
bucket without a row is a gap, never a zero.  ``place_id`` is repeated on every count
so a place's series is one index range scan.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import CODE, KIND, NAME, Base


class CrowdPlaceRow(Base):
    """A busy place: an area polygon or a fixed point, its zone, calendar and limits."""

    __tablename__ = "crowd_places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    name_en: Mapped[str] = mapped_column(String(NAME), default="")
    kind: Mapped[str] = mapped_column(String(KIND))  # area | point
    geometry: Mapped[list[list[float]]] = mapped_column(JSON)  # [[lon, lat], ...] WGS84
    tz: Mapped[str] = mapped_column(String(CODE))
    country: Mapped[str] = mapped_column(String(KIND))
    subdiv: Mapped[str | None] = mapped_column(String(KIND), nullable=True)
    measure: Mapped[str] = mapped_column(String(KIND))  # occupancy | flow
    capacity: Mapped[float | None] = mapped_column(Float, nullable=True)
    warn_share: Mapped[float] = mapped_column(Float)
    alarm_share: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)


class CrowdSensorRow(Base):
    """One counter of a place: a camera, a counting device, a terminal feed or a file."""

    __tablename__ = "crowd_sensors"
    __table_args__ = (UniqueConstraint("place_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("crowd_places.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(CODE))
    source: Mapped[str] = mapped_column(String(KIND))  # camera | device | terminal | import
    device: Mapped[str] = mapped_column(String(CODE), default="")  # camera id or call sign
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CrowdCountRow(Base):
    """The count of one counter in one bucket (sum of a flow, mean of an occupancy)."""

    __tablename__ = "crowd_counts"
    __table_args__ = (Index(None, "place_id", "res", "t"),)

    sensor_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("crowd_sensors.id", ondelete="CASCADE"), primary_key=True
    )
    res: Mapped[int] = mapped_column(Integer, primary_key=True)  # bucket length, s
    t: Mapped[float] = mapped_column(Float, primary_key=True)  # bucket start, UTC s
    place_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("crowd_places.id", ondelete="CASCADE")
    )
    value: Mapped[float] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[float] = mapped_column(Float)
