"""How each of the map's own layers draws itself into the HTML situation export (folium).

One function per layer, named in the layer registry (``export=``); the export
calls those of the layers shown on the map, bottom to top.  Coordinates are
rounded to about a metre and only arterial and secondary roads go in, to keep
the file small; the heat grid goes in as one PNG.
"""

from __future__ import annotations

import html
import time

import folium
import numpy as np
import numpy.typing as npt

from console.polygon import contains
from widgets.map import strings as s
from widgets.map import style as st
from widgets.map.layers.heat import heat_rgba, scale_top
from widgets.map.layers.spec import ExportContext

EXPORT_ROAD_CLASSES = {0: ("#e0a040", 3.5), 1: ("#9e9e9e", 2.0)}  # arterial, secondary
ROUND = 5  # decimal degrees: about a metre


def e(v: object) -> str:
    """Text made safe for the page's HTML."""
    return html.escape(str(v), quote=True)


def r(v: float) -> float:
    """A coordinate rounded to about a metre."""
    return round(float(v), ROUND)


def table(rows: list[tuple[str, object]]) -> str:
    """A popup's two-column table (empty values left out)."""
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows if v not in ("",))
    return f'<table class="pop">{body}</table>'


def local_time(t: float) -> str:
    """Shanghai local time (UTC+8, no daylight saving) of a unix time."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t + 8 * 3600))


def tiles(m: folium.Map, ctx: ExportContext) -> None:
    """The configured raster base map (the one network address the page may hold)."""
    if ctx.tile_url:
        folium.TileLayer(tiles=ctx.tile_url, attr=" ", name="tiles", max_zoom=19).add_to(m)


def district(m: folium.Map, ctx: ExportContext) -> None:
    """The district outline over a light fill."""
    d = ctx.district
    if d is not None and len(d.outline) >= 3:
        folium.Polygon(
            [(r(lat), r(lon)) for lon, lat in d.outline],
            color=st.DISTRICT_OUTLINE.name(),
            weight=2.5,
            fill=True,
            fill_color=st.DISTRICT_FILL.name(),
            fill_opacity=0.5,
            interactive=False,
        ).add_to(m)


def areas(m: folium.Map, ctx: ExportContext) -> None:
    """Responsibility areas, dashed, their codes as tooltips."""
    if ctx.district is None:
        return
    for a in ctx.district.areas:
        poly = [(r(p[1]), r(p[0])) for p in a.get("polygon") or []]
        if len(poly) >= 3:
            folium.Polygon(
                poly,
                color="#5c6bc0",
                weight=1,
                dash_array="4 4",
                fill=False,
                tooltip=e(a.get("code", "")),
            ).add_to(m)


def roads(m: folium.Map, ctx: ExportContext) -> None:
    """Arterial and secondary roads (minor ones would only make the file heavy)."""
    d = ctx.district
    if d is None or not d.seg_lonlat or len(d.seg_lonlat) % 32:
        return
    seg = np.frombuffer(d.seg_lonlat, dtype=np.float64).reshape(-1, 4)
    cls = np.frombuffer(d.seg_class, dtype=np.int8)
    if cls.size != seg.shape[0]:
        return
    for c in sorted(EXPORT_ROAD_CLASSES, reverse=True):  # arterials drawn last, on top
        rows = np.round(seg[cls == c], ROUND)
        if rows.size:
            colour, weight = EXPORT_ROAD_CLASSES[c]
            lines = [[(q[1], q[0]), (q[3], q[2])] for q in rows.tolist()]
            folium.PolyLine(
                lines, color=colour, weight=weight, opacity=0.9, interactive=False
            ).add_to(m)


def stations(m: folium.Map, ctx: ExportContext) -> None:
    """Police stations with their names written beside them."""
    if ctx.district is None:
        return
    for sta in ctx.district.stations:
        folium.CircleMarker(
            (r(sta["lat"]), r(sta["lon"])),
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=st.STATION_COLOUR.name(),
            fill_opacity=1.0,
            tooltip=folium.Tooltip(
                e(sta.get("name", sta.get("code", ""))),
                permanent=True,
                direction="right",
                offset=(8, 0),
                class_name="lbl",
            ),
        ).add_to(m)


def fixed_points(m: folium.Map, ctx: ExportContext) -> None:
    """1-minute points, named in their tooltips."""
    if ctx.district is None:
        return
    for p in ctx.district.fixed_points:
        folium.CircleMarker(
            (r(p["lat"]), r(p["lon"])),
            radius=6,
            color=st.FIXED_POINT_COLOUR.name(),
            weight=2.5,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.9,
            tooltip=e(f"{ctx.texts['points']}: {p.get('name', p.get('code', ''))}"),
        ).add_to(m)


def heat_shown(ctx: ExportContext) -> npt.NDArray[np.float64] | None:
    """The heat grid's densities as the export draws them: blank outside the district;
    None when there is nothing to draw."""
    grid = ctx.heat
    if grid is None:
        return None
    d = np.clip(np.nan_to_num(np.asarray(grid.density, dtype=np.float64)), 0.0, None)
    if d.ndim != 2 or not d.size or d.max() <= 0:
        return None
    ny, nx = d.shape
    dist = ctx.district
    if dist is not None and len(dist.outline) >= 3:
        lon = grid.lon0 + (np.arange(nx) + 0.5) * (grid.lon1 - grid.lon0) / nx
        lat = grid.lat0 + (np.arange(ny) + 0.5) * (grid.lat1 - grid.lat0) / ny
        glon, glat = np.meshgrid(lon, lat)
        inside = contains(dist.outline, glon.ravel(), glat.ravel()).reshape(d.shape)
        d = np.where(inside, d, 0.0)
    return d


def heat(m: folium.Map, ctx: ExportContext) -> None:
    """The 110 density as one image, blank outside the district, on the map's colour
    scale (top at the 99th percentile of the non-empty cells, hotter cells saturate)."""
    grid, d = ctx.heat, heat_shown(ctx)
    if grid is None or d is None:
        return
    folium.raster_layers.ImageOverlay(
        heat_rgba(d, scale_top(d)),
        bounds=[(grid.lat0, grid.lon0), (grid.lat1, grid.lon1)],
        origin="lower",  # row 0 is the southern edge
        pixelated=False,
        interactive=False,
        name="heat",
    ).add_to(m)


def units(m: folium.Map, ctx: ExportContext) -> None:
    """Every unit with a position, coloured by type, with its details in a popup."""
    tx = ctx.texts
    for u in ctx.units:
        if not (np.isfinite(u.lon) and np.isfinite(u.lat)) or (u.lon == 0 and u.lat == 0):
            continue
        ut = ctx.config.unit_types.get(u.unit_type)
        colour = ut.colour if ut is not None else st.UNKNOWN_TYPE_COLOUR
        name = (ut.name_zh if ctx.chinese else ut.name_en) if ut is not None else u.unit_type
        off = u.status == "off_duty"
        src = s.STATUS.get(u.status)
        status = s.tr(src) if src else u.status
        age = f"{local_time(u.fix_t)}" if u.fix_t > 0 else tx["no_fix"]
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
            (r(u.lat), r(u.lon)),
            radius=5 if u.status == "available" else 6,
            color="#ffffff" if u.status == "available" else "#212121",
            weight=1.5,
            fill=True,
            fill_color="#9e9e9e" if off else colour,
            fill_opacity=0.95,
            popup=folium.Popup(f"<b>{e(u.call_sign)}</b>{table(rows)}", max_width=300),
            tooltip=e(u.call_sign),
        ).add_to(m)


def incidents(m: folium.Map, ctx: ExportContext) -> None:
    """Open incidents as priority-coloured pins with their details in a popup."""
    tx = ctx.texts
    for inc in ctx.incidents:
        if inc.status in ("closed", "cancelled"):
            continue
        it = ctx.config.incident_types.get(inc.incident_type)
        name = (it.name_zh if ctx.chinese else it.name_en) if it is not None else inc.incident_type
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
            (r(inc.lat), r(inc.lon)),
            icon=icon,
            popup=folium.Popup(f"<b>{e(head)}</b>{table(rows)}", max_width=320),
            tooltip=e(head),
        ).add_to(m)
