"""Tooltip texts of units and incidents: who, what state, and how fresh the position is.

A dispatcher deciding whom to send must see at a glance whether a dot is
where the unit really is; hence the fix age on every unit tooltip.
"""

from __future__ import annotations

import math

from console.config import Config
from console.hub.messages import IncidentState, UnitState
from widgets.i18n import is_chinese
from widgets.map import strings as s


def fix_age_text(fix_t: float, now: float, stale_s: float) -> str:
    """E.g. "Fix 12 s ago", "Fix 3 min ago (No recent fix)", "No fix yet"."""
    age = now - fix_t
    if fix_t <= 0 or not math.isfinite(age):
        return s.tr(s.FIX_NONE)
    if age < 120:
        text = s.tr(s.FIX_SECONDS, age=max(0, round(age)))
    else:
        text = s.tr(s.FIX_MINUTES, age=round(age / 60))
    return f"{text} ({s.tr(s.STALE)})" if age > stale_s else text


def unit_tip(
    config: Config,
    u: UnitState,
    fix_t: float,
    now: float,
    station_names: dict[str, str] | None = None,
) -> str:
    """Call sign; type and status; station (by name when known); area; incident; fix age."""
    ut = config.unit_types.get(u.unit_type)
    if ut is None:
        type_name = s.tr(s.UNKNOWN_TYPE, type=u.unit_type)
    else:
        type_name = ut.name_zh if is_chinese() else ut.name_en
    src = s.STATUS.get(u.status)
    status = s.tr(src) if src else s.tr(s.UNKNOWN_STATUS, status=u.status)
    lines = [u.call_sign, f"{type_name} · {status}"]
    if u.station:
        name = (station_names or {}).get(u.station, u.station)
        lines.append(s.tr(s.TIP_STATION, station=name))
    if u.area:
        lines.append(s.tr(s.TIP_AREA, area=u.area))
    if u.incident_id is not None:
        lines.append(s.tr(s.TIP_INCIDENT, id=u.incident_id))
    lines.append(fix_age_text(fix_t, now, config.map.stale_fix_seconds))
    return "\n".join(lines)


def incident_tip(config: Config, inc: IncidentState) -> str:
    """Number and type; priority and status; address; units assigned."""
    it = config.incident_types.get(inc.incident_type)
    name = (it.name_zh if is_chinese() else it.name_en) if it else inc.incident_type
    src = s.INCIDENT_STATUS.get(inc.status)
    prio = s.PRIORITY.get(inc.priority)
    lines = [
        f"{s.tr(s.TIP_INCIDENT, id=inc.id)} · {name}",
        f"{s.tr(prio) if prio else inc.priority} · {s.tr(src) if src else inc.status}",
    ]
    if inc.address:
        lines.append(inc.address)
    if inc.units:
        lines.append(s.tr(s.TIP_UNITS, units=", ".join(inc.units)))
    return "\n".join(lines)
