"""The plan briefing map: a folium (Leaflet) page of one plan, saved with the incident.

The page must open on an intranet with no internet: folium's CDN links
(Leaflet, jQuery, Bootstrap, awesome-markers, glyphicons) are replaced by
relative paths to files copied next to the HTML from ``resources/web``
(Leaflet 1.9.4 from npm, and a ten-line shim for the two jQuery calls folium
makes), and there are no tiles: the district outline and its roads are drawn
as vectors.  Everything is in WGS-84, so no base map can be shifted against it.

The page is shown in a :class:`QWebEngineView` loaded from its file (never
``setHtml``, which is limited to 2 MB).  Chromium renders through the GPU
process; on Qt's ``offscreen`` platform it loads pages but ``grab()`` returns
blank pixels, so :func:`web_view_usable` says whether to show it or the
static :class:`~widgets.workflow.planmap.PlanMapView` instead.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import folium
import numpy as np
from branca.element import MacroElement
from folium.template import Template
from PySide6.QtCore import QStandardPaths, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QVBoxLayout, QWidget

from console.config import Config
from console.geo.coords import haversine_m
from console.hub.messages import PlanChanged, StaticDistrict
from console.planning.plan import fmt_s_zh

try:  # import before the QApplication exists (Qt wants shared GL contexts for it)
    from PySide6.QtWebEngineCore import QWebEngineSettings
    from PySide6.QtWebEngineWidgets import QWebEngineView

    WEBENGINE = True
except ImportError:  # pragma: no cover - QtWebEngine is part of PySide6_Addons
    WEBENGINE = False

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[2] / "resources" / "web"
ASSETS = ("leaflet", "folium-shim.js")
NEAR_INCIDENT_M = 200.0
"""Units starting closer than this to the incident label on the side away from it."""
ROAD_STYLE = {  # road class -> (colour, weight)
    0: ("#9aa3ad", 3.0),
    1: ("#b3bac2", 2.0),
    2: ("#cfd4da", 1.2),
    3: ("#dde1e6", 1.0),
}
MET_COLOUR, LATE_COLOUR, INCIDENT_COLOUR, MOVE_UP_COLOUR = (
    "#2e7d32",
    "#c62828",
    "#b71c1c",
    "#1565c0",
)


class OfflineMap(folium.Map):
    """A folium map whose only resources are local, relative files (no CDN)."""

    default_js = [  # noqa: RUF012 (folium declares it a plain attribute)
        ("leaflet", "leaflet/leaflet.js"),
        ("folium_shim", "folium-shim.js"),
    ]
    default_css = [  # noqa: RUF012
        ("leaflet_css", "leaflet/leaflet.css")
    ]


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres only (folium's ``control_scale`` adds feet and miles)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )


class FitPlan(MacroElement):
    """Fit the plan into the view, clear of the summary box, whenever the view changes size.

    Leaflet's padded ``fitBounds`` yields NaN when the padding exceeds the map
    (a page loaded into a view not yet shown is 0 x 0), so small maps fit
    without padding and the fit is redone once the view has its real size.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var bounds = L.latLngBounds({{ this.bounds|tojson }});
            function fit() {
                var size = map.getSize();
                if (size.x >= 320 && size.y >= 360) {
                    map.fitBounds(
                        bounds, {paddingTopLeft: [60, 50], paddingBottomRight: [60, 200]}
                    );
                } else if (size.x > 0 && size.y > 0) {
                    map.fitBounds(bounds);
                }
            }
            fit();
            map.on("resize", fit);
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: list[tuple[float, float]]) -> None:
        super().__init__()
        self._name = "FitPlan"
        self.bounds = [list(b) for b in bounds]


PLAN_STATUS_ZH = {
    "proposed": "待审批",
    "approved": "已批准",
    "rejected": "已驳回",
    "superseded": "已被替代",
}


def label_sides(points: list[tuple[float, float]], near_deg: float = 0.004) -> list[bool]:
    """For unit markers at (lon, lat): True where the label should go left.

    A label goes left when the nearest other marker lies to its east and close
    enough for two right-hand labels to collide; otherwise right.
    """
    sides = []
    for i, (lon, lat) in enumerate(points):
        best, best_d = None, near_deg
        for j, (lo, la) in enumerate(points):
            d = max(abs(lo - lon) * 0.86, abs(la - lat))  # cos(31.2°) ~ 0.86
            if j != i and d < best_d:
                best, best_d = j, d
        sides.append(best is not None and points[best][0] > lon)
    return sides


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _eta(s: float) -> str:
    return fmt_s_zh(float(s)) if np.isfinite(s) else "—"


def _km(m: float) -> str:
    return f"{m:.0f} 米" if m < 1000 else f"{m / 1000:.1f} 公里"


def briefing_html(
    plan: dict[str, Any],
    district: StaticDistrict | None,
    config: Config,
    *,
    plan_id: int | None = None,
    status: str = "",
) -> str:
    """The briefing page of ``plan`` (a Plan body as PlanChanged carries it), in Chinese."""
    try:
        ilon, ilat = float(plan["lon"]), float(plan["lat"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("plan body needs numeric 'lon' and 'lat' of the incident") from None
    name = str(plan.get("incident_name_zh") or plan.get("incident_type") or "警情")
    title = f"警情 {plan.get('incident_id', '?')} {name} 处置方案" + (
        f" #{plan_id}" if plan_id is not None else ""
    )
    m = OfflineMap(
        location=(ilat, ilon),
        zoom_start=16,
        tiles=None,
        attribution_control=False,
        control_scale=False,
        prefer_canvas=True,
    )
    MetricScale().add_to(m)
    m.get_root().title = title  # type: ignore[attr-defined]
    bounds: list[tuple[float, float]] = [(ilat, ilon)]
    if district is not None:
        _draw_district(m, district)
    slots = [x for x in plan.get("slots", []) if x.get("route_lon") and x.get("route_lat")]
    starts = [(float(x["route_lon"][0]), float(x["route_lat"][0])) for x in slots]
    for slot, left, start in zip(slots, label_sides(starts), starts, strict=True):
        # a unit next to the incident labels away from it, never across the star
        if haversine_m(start[0], start[1], ilon, ilat) < NEAR_INCIDENT_M:
            left = start[0] < ilon
        bounds += _draw_slot(m, slot, config, left=left)
    for mu in plan.get("move_ups", []):
        _draw_move_up(m, mu)
    folium.Marker(
        (ilat, ilon),
        icon=folium.DivIcon(
            html=(
                f'<div style="font-size:26px;line-height:26px;color:{INCIDENT_COLOUR};'
                'text-shadow:0 0 3px #fff;">★</div>'
            ),
            icon_size=(26, 26),
            icon_anchor=(13, 13),
        ),
        tooltip=folium.Tooltip(_e(name), permanent=True, direction="top", offset=(0, -12)),
    ).add_to(m)
    lat = [b[0] for b in bounds]
    lon = [b[1] for b in bounds]
    FitPlan([(min(lat), min(lon)), (max(lat), max(lon))]).add_to(m)
    m.get_root().html.add_child(folium.Element(_summary_box(plan, title, status)))  # type: ignore[attr-defined]
    return str(m.get_root().render())


def _draw_district(m: folium.Map, d: StaticDistrict) -> None:
    seg = np.frombuffer(d.seg_lonlat, dtype=np.float64).reshape(-1, 4)
    cls = np.frombuffer(d.seg_class, dtype=np.int8)
    if cls.size == seg.shape[0] and seg.size:
        for c in sorted(ROAD_STYLE, reverse=True):  # small roads first, arterials on top
            rows = np.round(seg[cls == c], 6)
            if not rows.size:
                continue
            lines = [[(r[1], r[0]), (r[3], r[2])] for r in rows.tolist()]
            colour, weight = ROAD_STYLE[c]
            folium.PolyLine(lines, color=colour, weight=weight, opacity=1.0).add_to(m)
    if len(d.outline) >= 3:
        folium.Polygon(
            [(float(lat), float(lon)) for lon, lat in d.outline],
            color="#37474f",
            weight=2.5,
            fill=True,
            fill_color="#f4f1ea",
            fill_opacity=0.35,
        ).add_to(m)


def _draw_slot(
    m: folium.Map, slot: dict[str, Any], config: Config, left: bool = False
) -> list[tuple[float, float]]:
    lon = [float(v) for v in slot.get("route_lon", [])]
    lat = [float(v) for v in slot.get("route_lat", [])]
    pts = list(zip(lat, lon, strict=False))
    met = bool(slot.get("met"))
    cs = _e(slot.get("call_sign", "?"))
    eta = _eta(float(slot.get("eta_s", float("nan"))))
    if len(pts) >= 2:
        folium.PolyLine(
            pts,
            color=MET_COLOUR if met else LATE_COLOUR,
            weight=4,
            opacity=0.85,
            tooltip=f"{cs} 路线 {eta}",
        ).add_to(m)
    if not pts:
        return []
    ut = config.unit_types.get(str(slot.get("unit_type", "")))
    colour = ut.colour if ut is not None else "#546e7a"
    alt = slot.get("alternative") or {}
    rows = [
        ("类型", slot.get("unit_type_zh", "")),
        ("任务", slot.get("role_zh", "")),
        ("梯队", slot.get("wave_zh", "")),
        ("距离", _km(float(slot.get("distance_m", 0.0)))),
        ("预计到达", eta),
        ("到场标准", ("✓ 达标" if met else "✗ 超标")),
        (
            "备选",
            f"{alt.get('call_sign', '')} {_eta(float(alt.get('eta_s', 'nan')))}" if alt else "无",
        ),
        ("理由", slot.get("why_zh", "")),
    ]
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    folium.CircleMarker(
        pts[0],
        radius=7,
        color="#ffffff",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=1.0,
        popup=folium.Popup(f'<b>{cs}</b><table class="slot">{table}</table>', max_width=320),
        tooltip=folium.Tooltip(
            f"{cs} · {eta}{'' if met else ' ✗'}",
            permanent=True,
            direction="left" if left else "right",
            offset=(-8, 0) if left else (8, 0),
        ),
    ).add_to(m)
    return pts


def _draw_move_up(m: folium.Map, mu: dict[str, Any]) -> None:
    try:
        p = (float(mu["lat"]), float(mu["lon"]))
    except (KeyError, TypeError, ValueError):
        return
    folium.CircleMarker(
        p,
        radius=6,
        color=MOVE_UP_COLOUR,
        weight=2,
        dash_array="3 3",
        fill=False,
        tooltip=folium.Tooltip(
            f"前置 {_e(mu.get('call_sign', ''))} → {_e(mu.get('to_name', ''))}",
            direction="right",
        ),
    ).add_to(m)


def _summary_box(plan: dict[str, Any], title: str, status: str) -> str:
    """A fixed box with the plan in words: force, standards, shortfalls, coverage."""
    lines = [
        f"<b>{_e(title)}</b>",
        _e(
            f"优先级 {plan.get('priority', '?')} · 处置等级 {plan.get('force_level', '?')} · "
            f"警力 {plan.get('manpower_assigned', '?')}/{plan.get('manpower', '?')} 人"
            + (f" · {PLAN_STATUS_ZH.get(status, status)}" if status else "")
        ),
    ]
    for s in plan.get("standards", []):
        mark = "✓" if s.get("met") else "✗"
        lines.append(f"{mark} {_e(s.get('text_zh') or s.get('name_zh', ''))}")
    for sf in plan.get("shortfalls", []):
        lines.append(f'<span style="color:{LATE_COLOUR}">缺口：{_e(sf.get("text_zh", ""))}</span>')
    for c in plan.get("coverage_costs", []):
        lines.append(f"覆盖：{_e(c.get('text_zh', ''))}")
    body = "<br>".join(lines)
    return (
        "<style>"
        "html,body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;}"
        ".briefing-box{position:fixed;right:10px;bottom:10px;z-index:1000;max-width:360px;"
        "background:rgba(255,255,255,.93);border:1px solid #90a4ae;border-radius:4px;"
        "padding:6px 9px;font-size:12px;line-height:1.45;}"
        "table.slot th{text-align:left;padding-right:8px;color:#546e7a;font-weight:normal;}"
        "</style>"
        f'<div class="briefing-box">{body}</div>'
    )


# ------------------------------------------------------------------- files


def briefings_dir() -> Path:
    """Where briefings are kept: the user data dir of the console, ``briefings/``."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    root = Path(base) if base else Path.home() / ".local" / "share" / "huangpu-dispatch"
    return root / "briefings"


def install_assets(out_dir: Path) -> None:
    """Copy the offline web assets next to briefing pages (once; refreshed when they differ)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        src, dst = WEB_DIR / name, out_dir / name
        if not src.exists():
            raise FileNotFoundError(f"offline web asset missing: {src}")
        if src.is_dir():
            for f in src.rglob("*"):
                if f.is_file():
                    target = dst / f.relative_to(src)
                    if not target.exists() or target.stat().st_size != f.stat().st_size:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(f, target)
        elif not dst.exists() or dst.stat().st_size != src.stat().st_size:
            shutil.copy2(src, dst)


def write_briefing(
    ev: PlanChanged,
    district: StaticDistrict | None,
    config: Config,
    out_dir: Path | None = None,
) -> Path:
    """Write ``incident-<id>-plan-<id>.html`` (and the assets) to ``out_dir``; return its path."""
    folder = out_dir if out_dir is not None else briefings_dir()
    install_assets(folder)
    page = briefing_html(ev.body, district, config, plan_id=ev.plan_id, status=ev.status)
    path = folder / f"incident-{ev.incident_id}-plan-{ev.plan_id}.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path


# ------------------------------------------------------------------- view


def web_view_usable() -> bool:
    """Whether a QWebEngineView will show pixels here (not on the offscreen/minimal platforms)."""
    if not WEBENGINE:
        return False
    return QGuiApplication.platformName() not in ("offscreen", "minimal")


class BriefingView(QWidget):
    """A QWebEngineView showing briefing files; ``loaded(ok)`` after each load."""

    loaded = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not WEBENGINE:
            raise RuntimeError("QtWebEngine is not available; use the static plan map")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses root
        self.web = QWebEngineView(self)
        s = self.web.settings()
        # local pages may read their sibling files (leaflet/), never the network
        s.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        s.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False)
        self.web.loadFinished.connect(self._finished)
        self.path: Path | None = None
        self.last_ok: bool | None = None
        self.loads = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.web)

    def show_file(self, path: Path) -> None:
        """Load a briefing page from its file."""
        self.path = Path(path)
        self.last_ok = None
        self.web.setUrl(QUrl.fromLocalFile(str(self.path.resolve())))

    def _finished(self, ok: bool) -> None:
        self.loads += 1
        self.last_ok = bool(ok)
        self.loaded.emit(bool(ok))
