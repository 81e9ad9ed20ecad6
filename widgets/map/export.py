"""The current situation as one self-contained HTML file (folium / Leaflet), for reports.

The file must open anywhere, including on an intranet with no internet and
after being mailed on its own: Leaflet's JavaScript and CSS (from
``resources/web/leaflet``, Leaflet 1.9.4, BSD-2) and the two-call jQuery shim
folium's popups need are *inlined*, folium's CDN defaults are emptied, and
there is no base map unless a tile URL is configured (then that URL is the
only address in the file).  The few ``scheme://`` texts inside Leaflet itself
(the SVG namespace, its home-page link in the licence banner and in the
attribution prefix, two bug links in CSS comments) are written with an
escaped slash (``:\\/\\/``), which JavaScript reads as the same string: no
address in the page can be mistaken for, or become, a network request.

To keep the file small only arterial and secondary roads are drawn, the
heat grid goes in as one PNG (a data URL), and coordinates are rounded to
about a metre.
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import numpy as np
from PySide6.QtCore import QCoreApplication

from console.config import Config, load_config
from console.heat import HeatGrid
from console.hub.messages import IncidentState, StaticDistrict, UnitState
from console.polygon import contains
from widgets.i18n import is_chinese
from widgets.map import strings as s
from widgets.map import style as st
from widgets.map.layers.heat import heat_lut

WEB_DIR = Path(__file__).resolve().parents[2] / "resources" / "web"
LEAFLET_DIR = WEB_DIR / "leaflet"
SHIM = WEB_DIR / "folium-shim.js"
URL_RE = re.compile(r"https?://", re.IGNORECASE)
EXPORT_ROAD_CLASSES = {0: ("#e0a040", 3.5), 1: ("#9e9e9e", 2.0)}  # arterial, secondary
ROUND = 5  # decimal degrees: about a metre


def _texts() -> dict[str, str]:
    """Every text of the page in the interface language (literal calls for pyside6-lupdate)."""
    return {
        "title": QCoreApplication.translate("SituationExport", "Situation map"),
        "approx": QCoreApplication.translate(
            "SituationExport", "Approximate demo data, not official"
        ),
        "units": QCoreApplication.translate("SituationExport", "Units"),
        "incidents": QCoreApplication.translate("SituationExport", "Open incidents"),
        "stations": QCoreApplication.translate("SituationExport", "Police stations"),
        "points": QCoreApplication.translate("SituationExport", "1-minute points"),
        "heat": QCoreApplication.translate("SituationExport", "110 calls per km² (%1 calls)"),
        "type": QCoreApplication.translate("SituationExport", "Type"),
        "status": QCoreApplication.translate("SituationExport", "Status"),
        "station": QCoreApplication.translate("SituationExport", "Station"),
        "area": QCoreApplication.translate("SituationExport", "Area"),
        "incident": QCoreApplication.translate("SituationExport", "Incident"),
        "members": QCoreApplication.translate("SituationExport", "Crew"),
        "fix": QCoreApplication.translate("SituationExport", "Last fix"),
        "priority": QCoreApplication.translate("SituationExport", "Priority %1"),
        "address": QCoreApplication.translate("SituationExport", "Address"),
        "made": QCoreApplication.translate("SituationExport", "Exported %1"),
        "no_fix": QCoreApplication.translate("SituationExport", "none"),
    }


class InlineMap(folium.Map):
    """A folium map with no external resources: its Leaflet is inlined by ``situation_html``."""

    default_js: list[tuple[str, str]] = []  # noqa: RUF012 (folium declares a plain attribute)
    default_css: list[tuple[str, str]] = []  # noqa: RUF012


def _asset(path: Path) -> str:
    """An asset's text made safe to inline: no scheme-and-slashes, no closing tags."""
    if not path.is_file():
        raise FileNotFoundError(
            f"offline web asset missing: {path} (vendor leaflet@1.9.4 into resources/web/leaflet)"
        )
    text = path.read_text(encoding="utf-8")
    text = text.replace("://", r":\/\/")  # same string to JS; only in comments in the CSS
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"{path.name} cannot be inlined: it contains a closing tag")
    return text


def _e(v: object) -> str:
    return html.escape(str(v), quote=True)


def _r(v: float) -> float:
    return round(float(v), ROUND)


def _table(rows: list[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows if v not in ("",))
    return f'<table class="pop">{body}</table>'


def _local(t: float) -> str:
    """Shanghai local time (UTC+8, no daylight saving) of a unix time."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t + 8 * 3600))


def situation_html(
    district: StaticDistrict | None,
    units: Sequence[UnitState],
    incidents: Sequence[IncidentState],
    heat: HeatGrid | None = None,
    tile_url: str = "",
    *,
    config: Config | None = None,
    now: float | None = None,
) -> str:
    """The page text; see :func:`export_situation_html`."""
    cfg = config or load_config()
    tx = _texts()
    zh = is_chinese()
    now = time.time() if now is None else now
    if tile_url and not (
        URL_RE.match(tile_url) and all(k in tile_url for k in ("{z}", "{x}", "{y}"))
    ):
        raise ValueError(f"tile URL {tile_url!r} must be http(s)://…/{{z}}/{{x}}/{{y}}…")
    centre, bounds = _extent(district, units)
    m = InlineMap(
        location=centre,
        zoom_start=14,
        tiles=None,
        attribution_control=False,
        control_scale=True,
        prefer_canvas=True,
    )
    root: Any = m.get_root()
    title = f"{district.name if district else ''} {tx['title']}".strip()
    root.title = title
    root.header.add_child(
        folium.Element(
            f"<style>{_asset(LEAFLET_DIR / 'leaflet.css')}</style>\n"
            f"<script>{_asset(LEAFLET_DIR / 'leaflet.js')}</script>\n"
            f"<script>{_asset(SHIM)}</script>\n"
            "<style>table.pop th{text-align:left;padding-right:8px;color:#546e7a;"
            "font-weight:normal;}.sit-box{position:fixed;left:10px;bottom:24px;z-index:1000;"
            "background:rgba(255,255,255,.93);border:1px solid #90a4ae;border-radius:4px;"
            "padding:6px 9px;font:12px/1.5 sans-serif;max-width:300px;}"
            ".sit-box .sw{display:inline-block;width:10px;height:10px;border-radius:5px;"
            "margin-right:5px;border:1px solid #fff;box-shadow:0 0 0 1px #78909c;}"
            ".lbl{background:rgba(255,255,255,.85);border:0;box-shadow:none;padding:0 3px;"
            "font-size:11px;color:#0d47a1;font-weight:bold;}</style>"
        ),
        name="offline_leaflet",
    )
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=" ", name="tiles", max_zoom=19).add_to(m)
    if district is not None:
        _draw_district(m, district, tx)
    if heat is not None:
        _draw_heat(m, heat, district)
    _draw_units(m, units, cfg, tx, zh, now)
    _draw_incidents(m, incidents, cfg, tx, zh)
    if bounds is not None:
        m.fit_bounds(bounds, padding=(12, 12))
    root.html.add_child(
        folium.Element(_summary(title, district, units, incidents, heat, cfg, tx, zh, now))
    )
    page = str(root.render())
    rest = page.replace(tile_url, "") if tile_url else page
    if URL_RE.search(rest):  # a new folium or Leaflet version brought an address in
        raise RuntimeError("the exported page would reference the network; not written")
    return page


def export_situation_html(
    path: Path | str,
    district: StaticDistrict | None,
    units: Sequence[UnitState],
    incidents: Sequence[IncidentState],
    heat: HeatGrid | None = None,
    tile_url: str = "",
    *,
    config: Config | None = None,
    now: float | None = None,
) -> Path:
    """Write a self-contained situation map (district, roads, stations, 1-minute points,
    units by type with popups, incidents, optional heat) to ``path``; return the path."""
    out = Path(path)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"export path {str(out)!r} must end in .html")
    page = situation_html(district, units, incidents, heat, tile_url, config=config, now=now)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out


# ------------------------------------------------------------------ drawing


def _extent(
    district: StaticDistrict | None, units: Sequence[UnitState]
) -> tuple[tuple[float, float], list[tuple[float, float]] | None]:
    if district is not None and len(district.outline) >= 3:
        ol = np.asarray(district.outline, dtype=np.float64)
    else:
        pts = [(u.lon, u.lat) for u in units if np.isfinite(u.lon) and np.isfinite(u.lat)]
        if not pts:
            return (31.23, 121.48), None
        ol = np.asarray(pts, dtype=np.float64)
    lon0, lat0 = ol.min(axis=0)
    lon1, lat1 = ol.max(axis=0)
    centre = ((lat0 + lat1) / 2, (lon0 + lon1) / 2)
    return centre, [(float(lat0), float(lon0)), (float(lat1), float(lon1))]


def _draw_district(m: folium.Map, d: StaticDistrict, tx: dict[str, str]) -> None:
    if len(d.outline) >= 3:
        folium.Polygon(
            [(_r(lat), _r(lon)) for lon, lat in d.outline],
            color=st.DISTRICT_OUTLINE.name(),
            weight=2.5,
            fill=True,
            fill_color=st.DISTRICT_FILL.name(),
            fill_opacity=0.5,
            interactive=False,
        ).add_to(m)
    for a in d.areas:
        poly = [(_r(p[1]), _r(p[0])) for p in a.get("polygon") or []]
        if len(poly) >= 3:
            folium.Polygon(
                poly,
                color="#5c6bc0",
                weight=1,
                dash_array="4 4",
                fill=False,
                tooltip=_e(a.get("code", "")),
            ).add_to(m)
    if len(d.seg_lonlat) % 32 == 0 and d.seg_lonlat:
        seg = np.frombuffer(d.seg_lonlat, dtype=np.float64).reshape(-1, 4)
        cls = np.frombuffer(d.seg_class, dtype=np.int8)
        if cls.size == seg.shape[0]:
            for c in sorted(EXPORT_ROAD_CLASSES, reverse=True):  # arterials drawn last, on top
                rows = np.round(seg[cls == c], ROUND)
                if rows.size:
                    colour, weight = EXPORT_ROAD_CLASSES[c]
                    lines = [[(r[1], r[0]), (r[3], r[2])] for r in rows.tolist()]
                    folium.PolyLine(
                        lines, color=colour, weight=weight, opacity=0.9, interactive=False
                    ).add_to(m)
    for sta in d.stations:
        folium.CircleMarker(
            (_r(sta["lat"]), _r(sta["lon"])),
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=st.STATION_COLOUR.name(),
            fill_opacity=1.0,
            tooltip=folium.Tooltip(
                _e(sta.get("name", sta.get("code", ""))),
                permanent=True,
                direction="right",
                offset=(8, 0),
                class_name="lbl",
            ),
        ).add_to(m)
    for p in d.fixed_points:
        folium.CircleMarker(
            (_r(p["lat"]), _r(p["lon"])),
            radius=6,
            color=st.FIXED_POINT_COLOUR.name(),
            weight=2.5,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.9,
            tooltip=_e(f"{tx['points']}: {p.get('name', p.get('code', ''))}"),
        ).add_to(m)


def _draw_heat(m: folium.Map, heat: HeatGrid, district: StaticDistrict | None) -> None:
    d = np.clip(np.nan_to_num(np.asarray(heat.density, dtype=np.float64)), 0.0, None)
    if d.ndim != 2 or not d.size or d.max() <= 0:
        return
    ny, nx = d.shape
    if district is not None and len(district.outline) >= 3:
        lon = heat.lon0 + (np.arange(nx) + 0.5) * (heat.lon1 - heat.lon0) / nx
        lat = heat.lat0 + (np.arange(ny) + 0.5) * (heat.lat1 - heat.lat0) / ny
        glon, glat = np.meshgrid(lon, lat)
        inside = contains(district.outline, glon.ravel(), glat.ravel()).reshape(d.shape)
        d = np.where(inside, d, 0.0)
    lut = heat_lut()
    idx = np.clip(np.round(d / d.max() * (len(lut) - 1)), 0, len(lut) - 1).astype(np.int64)
    rgba = lut[idx]
    folium.raster_layers.ImageOverlay(
        rgba,
        bounds=[(heat.lat0, heat.lon0), (heat.lat1, heat.lon1)],
        origin="lower",  # row 0 is the southern edge
        pixelated=False,
        interactive=False,
        name="heat",
    ).add_to(m)


def _draw_units(
    m: folium.Map,
    units: Sequence[UnitState],
    cfg: Config,
    tx: dict[str, str],
    zh: bool,
    now: float,
) -> None:
    for u in units:
        if not (np.isfinite(u.lon) and np.isfinite(u.lat)) or (u.lon == 0 and u.lat == 0):
            continue
        ut = cfg.unit_types.get(u.unit_type)
        colour = ut.colour if ut is not None else st.UNKNOWN_TYPE_COLOUR
        name = (ut.name_zh if zh else ut.name_en) if ut is not None else u.unit_type
        off = u.status == "off_duty"
        src = s.STATUS.get(u.status)
        status = s.tr(src) if src else u.status
        age = f"{_local(u.fix_t)}" if u.fix_t > 0 else tx["no_fix"]
        rows: list[tuple[str, object]] = [
            (tx["type"], name),
            (tx["status"], status),
            (tx["station"], u.station or ""),
            (tx["area"], u.area or ""),
            (tx["incident"], u.incident_id if u.incident_id is not None else ""),
            (tx["members"], "、".join(u.members)),
            (tx["fix"], age),
        ]
        folium.CircleMarker(
            (_r(u.lat), _r(u.lon)),
            radius=5 if u.status == "available" else 6,
            color="#ffffff" if u.status == "available" else "#212121",
            weight=1.5,
            fill=True,
            fill_color="#9e9e9e" if off else colour,
            fill_opacity=0.95,
            popup=folium.Popup(f"<b>{_e(u.call_sign)}</b>{_table(rows)}", max_width=300),
            tooltip=_e(u.call_sign),
        ).add_to(m)


def _draw_incidents(
    m: folium.Map, incidents: Sequence[IncidentState], cfg: Config, tx: dict[str, str], zh: bool
) -> None:
    for inc in incidents:
        if inc.status in ("closed", "cancelled"):
            continue
        it = cfg.incident_types.get(inc.incident_type)
        name = (it.name_zh if zh else it.name_en) if it is not None else inc.incident_type
        colour = st.PRIORITY_COLOURS.get(inc.priority, st.PRIORITY_COLOURS[4]).name()
        rows: list[tuple[str, object]] = [
            (tx["type"], name),
            (tx["status"], s.tr(s.INCIDENT_STATUS.get(inc.status, inc.status))),
            (tx["address"], inc.address),
            (tx["units"], "、".join(inc.units)),
        ]
        icon = folium.DivIcon(
            html=(
                f'<div style="width:20px;height:20px;border-radius:10px;background:{colour};'
                "border:2px solid #212121;color:#fff;font:bold 13px/20px sans-serif;"
                'text-align:center;">!</div>'
            ),
            icon_size=(24, 24),
            icon_anchor=(12, 12),
        )
        head = f"#{inc.id} {name} · {tx['priority'].replace('%1', str(inc.priority))}"
        folium.Marker(
            (_r(inc.lat), _r(inc.lon)),
            icon=icon,
            popup=folium.Popup(f"<b>{_e(head)}</b>{_table(rows)}", max_width=320),
            tooltip=_e(head),
        ).add_to(m)


def _summary(
    title: str,
    district: StaticDistrict | None,
    units: Sequence[UnitState],
    incidents: Sequence[IncidentState],
    heat: HeatGrid | None,
    cfg: Config,
    tx: dict[str, str],
    zh: bool,
    now: float,
) -> str:
    counts: dict[str, int] = {}
    for u in units:
        counts[u.unit_type] = counts.get(u.unit_type, 0) + 1
    rows = []
    for key, ut in cfg.unit_types.items():
        if counts.get(key):
            rows.append(
                f'<div><span class="sw" style="background:{ut.colour}"></span>'
                f"{_e(ut.name_zh if zh else ut.name_en)} {counts[key]}</div>"
            )
    n_open = sum(1 for i in incidents if i.status not in ("closed", "cancelled"))
    parts = [
        f"<b>{_e(title)}</b>",
        f"<div>{_e(tx['made'].replace('%1', _local(now)))}</div>",
    ]
    if district is not None and district.approximate:
        parts.append(f'<div style="color:#8d6e00">{_e(tx["approx"])}</div>')
    parts.append(f"<div>{_e(tx['units'])}: {len(units)} · {_e(tx['incidents'])}: {n_open}</div>")
    parts += rows
    if heat is not None:
        parts.append(f"<div>{_e(tx['heat'].replace('%1', f'{heat.n_calls:,}'))}</div>")
    return f'<div class="sit-box">{"".join(parts)}</div>'
