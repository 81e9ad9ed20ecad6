"""The order card: what an officer reads on the way to an incident, in Chinese and English.

Built by the hub from four sources (no Qt, no store access here: the facts are
loaded by :mod:`console.link.card_facts`):

- the **incident**: number, type, priority, force level, place, the caller's
  report and callback number, and every further call merged into it;
- the order's **plan slot** (its body): role, ETA, the route the plan computed;
- the **other orders** of the incident: who else is sent, as what, how soon;
- the **approval**: the supervisors who approved the plan (or reassigned the order).

Coordinates go out in WGS84 *and* GCJ-02: Chinese navigation apps expect GCJ-02,
and a WGS84 point handed to them lands some 500 m off in Shanghai.  The card is
the same for every order of an incident with the same body, so a fan-out builds
it once; the terminal marks its own line in the team list by call sign.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from console.geo.coords import wgs84_to_gcj02
from console.link import protocol as p

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TEAM_SHOWN = 40
"""Most team lines on a card (a 1,000-unit fan-out lists the first 40 by ETA, and the total)."""

TURN_ZH = {
    "depart": "出发",
    "straight": "直行",
    "slight_left": "稍向左转",
    "left": "左转",
    "sharp_left": "向左急转",
    "slight_right": "稍向右转",
    "right": "右转",
    "sharp_right": "向右急转",
    "uturn": "掉头",
    "arrive": "到达",
}
TURN_EN = {
    "depart": "Start",
    "straight": "Continue",
    "slight_left": "Bear left",
    "left": "Turn left",
    "sharp_left": "Sharp left",
    "slight_right": "Bear right",
    "right": "Turn right",
    "sharp_right": "Sharp right",
    "uturn": "Make a U-turn",
    "arrive": "Arrive",
}
UNNAMED_ZH = "无名道路"
UNNAMED_EN = "unnamed road"


@dataclass(frozen=True)
class Names:
    """Display names for config keys (incident types, unit types, force levels), zh and en."""

    incident_types: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    unit_types: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    force_levels: Mapping[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Any) -> Names:
        """The names in a loaded :class:`console.config.Config`."""
        return cls(
            {k: (v.name_zh, v.name_en) for k, v in config.incident_types.items()},
            {k: (v.name_zh, v.name_en) for k, v in config.unit_types.items()},
            {int(k): (v.name_zh, v.name_en) for k, v in config.force_levels.items()},
        )

    def incident_type(self, key: str, body: Mapping[str, Any]) -> tuple[str, str]:
        """(zh, en) of an incident type: config first, then the plan's own words, then the key."""
        if key in self.incident_types:
            return self.incident_types[key]
        return str(body.get("incident_name_zh") or key), str(body.get("incident_name_en") or key)

    def unit_type(self, key: str) -> tuple[str, str]:
        return self.unit_types.get(key, (key, key))

    def force_level(self, level: int, body: Mapping[str, Any]) -> tuple[str, str]:
        if level in self.force_levels:
            return self.force_levels[level]
        return str(body.get("force_zh") or ""), str(body.get("force_en") or "")


@dataclass(frozen=True)
class IncidentFacts:
    """The incident as the store holds it, with its merged calls."""

    id: int
    incident_type: str
    priority: int
    force_level: int
    lon: float
    lat: float
    address: str
    caller: str
    description: str
    created_at: float
    calls: tuple[p.CallReport, ...] = ()


@dataclass(frozen=True)
class TeamFacts:
    """One open order of the incident (for the "who else is sent" list)."""

    order_id: str
    call_sign: str
    unit_type: str
    role: str
    role_zh: str
    eta_s: float | None
    created_at: float = 0.0


@dataclass(frozen=True)
class Approval:
    """Who approved the order's plan (or reassigned the order), and when."""

    names: tuple[str, ...] = ()
    at: float | None = None


@dataclass(frozen=True)
class RouteFacts:
    """The route to draw and read: polyline and legs (legs need the road graph)."""

    lon: tuple[float, ...] = ()
    lat: tuple[float, ...] = ()
    steps: tuple[p.RouteStep, ...] = ()
    distance_m: float | None = None


def incident_no(incident_id: int, created_at: float) -> str:
    """The number an officer quotes on the radio: Shanghai date and incident id."""
    try:
        day = dt.datetime.fromtimestamp(created_at, SHANGHAI).strftime("%Y%m%d")
    except (OverflowError, OSError, ValueError):
        day = "00000000"
    return f"{day}-{incident_id:05d}"[:64]


def _clip(value: Any, n: int) -> str:
    return ("" if value is None else str(value))[:n]


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None


def _seconds(value: Any) -> float | None:
    f = _num(value)
    return None if f is None else min(max(f, 0.0), 86400.0)


def _thin(lon: Sequence[float], lat: Sequence[float], n: int) -> tuple[list[float], list[float]]:
    """At most ``n`` points, always keeping the first and the last."""
    k = len(lon)
    if k <= n:
        return list(lon), list(lat)
    step = (k - 1) / (n - 1)
    idx = sorted({min(round(i * step), k - 1) for i in range(n)})
    return [lon[i] for i in idx], [lat[i] for i in idx]


def route_from_body(body: Mapping[str, Any], call_sign: str) -> RouteFacts:
    """The route the plan computed for this unit, if the body holds one for it.

    A body copied to another unit (a reassignment) keeps the old unit's route
    under ``route_for``: that route starts somewhere else and is not used.
    """
    lon, lat = body.get("route_lon"), body.get("route_lat")
    owner = body.get("route_for", body.get("call_sign", call_sign))
    if not isinstance(lon, list) or not isinstance(lat, list) or len(lon) != len(lat):
        return RouteFacts()
    if owner and call_sign and owner != call_sign:
        return RouteFacts()
    pts = [
        (x, y)
        for x, y in ((_num(a), _num(b)) for a, b in zip(lon, lat, strict=True))
        if x is not None and y is not None and -180 <= x <= 180 and -90 <= y <= 90
    ]
    if not pts:
        return RouteFacts()
    return RouteFacts(
        tuple(x for x, _ in pts), tuple(y for _, y in pts), (), _num(body.get("distance_m"))
    )


def build_card(
    *,
    body: Mapping[str, Any],
    role: str,
    call_sign: str,
    incident: IncidentFacts,
    team: Sequence[TeamFacts],
    approval: Approval,
    names: Names,
    route: RouteFacts,
    street: str = "",
    streets: p.StreetMap | None = None,
    created_at: float = 0.0,
) -> p.OrderCard:
    """One order's card (body keys override the incident's own place and priority).

    ``updated_at`` is when what the card says last changed (the order, a call, an
    approval, a unit added), so a resend carries the same card as the first send.
    """
    itype = _clip(body.get("incident_type") or incident.incident_type, 64)
    type_zh, type_en = names.incident_type(itype, body)
    level = int(_num(body.get("force_level")) or incident.force_level or 0)
    force_zh, force_en = names.force_level(level, body)
    lon = _num(body.get("lon"))
    lat = _num(body.get("lat"))
    lon = incident.lon if lon is None else lon
    lat = incident.lat if lat is None else lat
    lon, lat = min(max(lon, -180.0), 180.0), min(max(lat, -90.0), 90.0)
    glon, glat = wgs84_to_gcj02(lon, lat)
    mates = sorted(team, key=lambda m: (m.eta_s is None, m.eta_s or 0.0, m.call_sign))
    rlon, rlat = _thin(route.lon, route.lat, p.ROUTE_POINTS)
    priority = int(_num(body.get("priority")) or incident.priority or 0)
    updated = max(
        [created_at, incident.created_at, approval.at or 0.0]
        + [c.t for c in incident.calls]
        + [m.created_at for m in team]
    )
    return p.OrderCard(
        incident_no=incident_no(incident.id, incident.created_at),
        type_zh=_clip(type_zh, 64),
        type_en=_clip(type_en, 64),
        role_zh=_clip(body.get("role_zh") or role, 64),
        role_en=_clip(body.get("role_en") or role, 64),
        priority=min(max(priority, 0), 9),
        force_level=min(max(level, 0), 9),
        force_zh=_clip(force_zh, 64),
        force_en=_clip(force_en, 64),
        place=_clip(body.get("address", incident.address), 4000),
        street=_clip(street, 64),
        lon=lon,
        lat=lat,
        lon_gcj=min(max(float(glon), -180.0), 180.0),
        lat_gcj=min(max(float(glat), -90.0), 90.0),
        report=_clip(incident.description, 4000),
        callback=_clip(incident.caller, 64),
        more_calls=list(incident.calls[-20:]),
        team=[
            p.TeamMate(
                call_sign=_clip(m.call_sign, 64),
                unit_type_zh=_clip(names.unit_type(m.unit_type)[0], 64),
                unit_type_en=_clip(names.unit_type(m.unit_type)[1], 64),
                role_zh=_clip(m.role_zh or m.role, 64),
                role_en=_clip(m.role, 64),
                eta_s=m.eta_s,
            )
            for m in mates[:TEAM_SHOWN]
        ],
        team_total=min(len(team), 100_000),
        eta_s=_seconds(body.get("eta_s")),
        distance_m=None if route.distance_m is None else min(max(route.distance_m, 0.0), 1e6),
        route_lon=rlon,
        route_lat=rlat,
        steps=list(route.steps[:120]),
        streets=streets,
        approved_by=[_clip(a, 64) for a in approval.names[:8]],
        approved_at=approval.at,
        notes=_clip(body.get("plan_notes", ""), 4000),
        updated_at=min(max(updated, 0.0), 4.0e9),
    )


def card_digest(card: p.OrderCard | None) -> bytes:
    """What the officer sees of a card, as a short hash (the change notes and time left out)."""
    if card is None:
        return b""
    core = msgspec.structs.replace(card, changes_zh=[], changes_en=[], updated_at=0.0)
    return hashlib.blake2b(msgspec.msgpack.encode(core), digest_size=16).digest()


def card_changes(old: p.OrderCard | None, new: p.OrderCard) -> tuple[list[str], list[str]]:
    """What changed from ``old`` to ``new``, in words for the officer's banner (zh, en)."""
    zh: list[str] = []
    en: list[str] = []
    if old is None:
        return ["指令内容已更新"], ["order details updated"]
    if len(new.more_calls) > len(old.more_calls):
        for c in new.more_calls[len(old.more_calls) :]:
            n = len(new.more_calls) + 1
            who = f" {c.number}" if c.number else ""
            zh.append(f"第{n}个报警电话{who}")
            en.append(f"call {n}{who}")
    before = {m.call_sign for m in old.team}
    after = {m.call_sign for m in new.team}
    for cs in sorted(after - before):
        zh.append(f"增派 {cs}")
        en.append(f"{cs} added")
    for cs in sorted(before - after):
        zh.append(f"撤回 {cs}")
        en.append(f"{cs} withdrawn")
    if (new.place, new.lon, new.lat) != (old.place, old.lon, old.lat):
        zh.append("地点变更")
        en.append("new location")
    if new.priority != old.priority or new.force_level != old.force_level:
        zh.append(f"等级变更 P{new.priority}/{new.force_level}级")
        en.append(f"now P{new.priority}, force level {new.force_level}")
    if (new.route_lon, new.route_lat) != (old.route_lon, old.route_lat):
        zh.append("路线更新")
        en.append("new route")
    if new.report != old.report or new.callback != old.callback:
        zh.append("报警内容更新")
        en.append("report updated")
    if not zh:
        zh, en = ["指令内容已更新"], ["order details updated"]
    return zh[:12], en[:12]


def eta_text(seconds: float | None, lang: str = "zh") -> str:
    """An ETA as an officer says it: 3分20秒 / 3 min 20 s; "-" when unknown."""
    if seconds is None:
        return "-"
    s = round(seconds)
    m, s = divmod(s, 60)
    if lang == "zh":
        return f"{m}分{s:02d}秒" if m else f"{s}秒"
    return f"{m} min {s:02d} s" if m else f"{s} s"


def distance_text(metres: float | None, lang: str = "zh") -> str:
    if metres is None:
        return "-"
    if metres >= 1000:
        return f"{metres / 1000:.1f} 公里" if lang == "zh" else f"{metres / 1000:.1f} km"
    return f"{metres:.0f} 米" if lang == "zh" else f"{metres:.0f} m"


def step_text(step: p.RouteStep, lang: str = "zh") -> str:
    """One line of the turn-by-turn list."""
    street = step.street or (UNNAMED_ZH if lang == "zh" else UNNAMED_EN)
    if lang == "zh":
        turn = TURN_ZH.get(step.turn, step.turn)
        if step.turn == "arrive":
            return f"{turn}现场 ({street})"
        how = "沿" if step.turn in ("depart", "straight") else "进入"
        return f"{turn} {how}{street} 行驶{distance_text(step.distance_m, 'zh')}"
    turn = TURN_EN.get(step.turn, step.turn)
    if step.turn == "arrive":
        return f"{turn} at the scene ({street})"
    return f"{turn} onto {street}, {distance_text(step.distance_m, 'en')}"


def card_text(card: p.OrderCard, own_call_sign: str = "", lang: str = "zh") -> str:
    """The whole card as plain text (the shell terminal prints it)."""
    zh = lang == "zh"
    lines = [
        (
            f"警情 {card.incident_no}  {card.type_zh}  P{card.priority}  {card.force_zh}"
            if zh
            else f"incident {card.incident_no}  {card.type_en}  P{card.priority}  {card.force_en}"
        ),
        f"{'任务' if zh else 'role'}: {card.role_zh if zh else card.role_en}",
        f"{'地点' if zh else 'place'}: {card.place or '-'}"
        + (f" ({card.street})" if card.street else ""),
        f"  WGS84 {card.lat:.6f}, {card.lon:.6f}   GCJ-02 {card.lat_gcj:.6f}, {card.lon_gcj:.6f}",
        f"{'报警内容' if zh else 'caller'}: {card.report or '-'}",
        f"{'回拨电话' if zh else 'callback'}: {card.callback or '-'}",
    ]
    for c in card.more_calls:
        lines.append(f"  {'续报' if zh else 'further call'} {c.number or '-'}: {c.text}")
    if card.eta_s is not None or card.distance_m is not None:
        lines.append(
            f"{'预计到达' if zh else 'ETA'}: {eta_text(card.eta_s, lang)}"
            f"  {distance_text(card.distance_m, lang)}"
        )
    others = [m for m in card.team if m.call_sign != own_call_sign]
    if others:
        n = card.team_total - (len(card.team) - len(others))
        lines.append(f"{'同时出警' if zh else 'also sent'} ({n}):")
        for m in others:
            lines.append(
                f"  {m.call_sign} {m.role_zh if zh else m.role_en} {eta_text(m.eta_s, lang)}"
            )
    for s in card.steps:
        lines.append(f"  > {step_text(s, lang)}")
    if card.approved_by:
        lines.append(f"{'批准' if zh else 'approved by'}: {', '.join(card.approved_by)}")
    if card.notes:
        lines.append(f"{'备注' if zh else 'notes'}: {card.notes}")
    return "\n".join(lines)
