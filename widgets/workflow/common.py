"""Small things every workflow widget needs: local time, message conversion, colours.

Kept here so the dialogs format a time, a duration or a hub refusal the same
way, and so a message decoded from the wire (dicts) and one handed over
in-process (structs) are treated alike.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, TypeVar

import msgspec
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from widgets.i18n import is_chinese
from widgets.panels.common import restyle

T = TypeVar("T")

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "CST")
"""Asia/Shanghai: UTC+8 all year (China has no daylight saving), no tz database needed."""

DECIDING_ROLES = frozenset({"supervisor", "admin"})
"""Roles the GUI offers plan decisions to; the hub checks rights again whatever we show."""

LEVEL_COLOUR: dict[str, str] = {"critical": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}
ERROR_STYLE = "color: #b71c1c; font-weight: bold;"
OK_STYLE = "color: #1b5e20;"


def as_struct(value: Any, kind: type[T]) -> T:
    """``value`` as ``kind``: as is in-process, converted when it came decoded from the wire."""
    if isinstance(value, kind):
        return value
    return msgspec.convert(value, kind)


def local_time(t: float, with_date: bool = False) -> str:
    """UNIX seconds as Asia/Shanghai wall time (``HH:MM:SS``, optionally with the date)."""
    if not isinstance(t, (int, float)) or not math.isfinite(t):
        return "—"
    stamp = dt.datetime.fromtimestamp(float(t), tz=SHANGHAI)
    return stamp.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def duration_text(seconds: float | None) -> str:
    """A duration as 3分20秒 / 3:20 (interface language); an em dash when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    s = max(0, round(seconds))
    if is_chinese():
        if s >= 3600:
            return f"{s // 3600}小时{s % 3600 // 60:02d}分"
        return f"{s // 60}分{s % 60:02d}秒" if s >= 60 else f"{s}秒"
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def distance_text(metres: float | None) -> str:
    """Metres as "850 m" or "1.2 km"."""
    if metres is None or not math.isfinite(metres):
        return "—"
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"


def zh_en(obj: dict[str, Any], stem: str) -> str:
    """``obj[stem_zh]`` or ``obj[stem_en]`` by interface language (falling back to the other)."""
    first, second = (f"{stem}_zh", f"{stem}_en") if is_chinese() else (f"{stem}_en", f"{stem}_zh")
    return str(obj.get(first) or obj.get(second) or "")


def show_message(label: QLabel, text: str, error: bool = True) -> None:
    """Put a message in a dialog's message line (red for errors), or hide the line.

    The style sheet is set only when it changes (:func:`restyle`): the plan queue, the
    messages and media panels clear their lines at every incident, 2,000 a busy shift."""
    label.setText(text)
    restyle(label, ERROR_STYLE if error else OK_STYLE)
    label.setVisible(bool(text))


def refused_text(error: str) -> str:
    """The hub's refusal as the operator reads it."""
    return QCoreApplication.translate("Workflow", "The command centre refused: %1").replace(
        "%1", error or "?"
    )
