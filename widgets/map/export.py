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

What goes on the page comes from the layer registry
(:mod:`widgets.map.layers.registry`): every layer with an exporter draws
itself, bottom to top as on the map (the map's own layers are drawn by
:mod:`widgets.map.export_layers`).  To keep the file small only arterial and
secondary roads are drawn, the heat grid goes in as one PNG (a data URL), and
coordinates are rounded to about a metre.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGraphicsItem

from console.config import Config, load_config
from console.heat import HeatGrid
from console.hub.messages import IncidentState, StaticDistrict, UnitState
from widgets.i18n import is_chinese
from widgets.map.export_layers import e as _e
from widgets.map.export_layers import heat_shown, local_time
from widgets.map.layers import registry
from widgets.map.layers.heat import density_text, scale_top
from widgets.map.layers.spec import ExportContext, LayerSpec

WEB_DIR = Path(__file__).resolve().parents[2] / "resources" / "web"
LEAFLET_DIR = WEB_DIR / "leaflet"
SHIM = WEB_DIR / "folium-shim.js"
URL_RE = re.compile(r"https?://", re.IGNORECASE)


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
        "heat_top": QCoreApplication.translate(
            "SituationExport", "Darkest colour: %1 per km² or more; peak %2"
        ),
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


def situation_html(
    district: StaticDistrict | None,
    units: Sequence[UnitState],
    incidents: Sequence[IncidentState],
    heat: HeatGrid | None = None,
    tile_url: str = "",
    *,
    config: Config | None = None,
    now: float | None = None,
    layers: Collection[str] | None = None,
    items: Mapping[str, Sequence[QGraphicsItem]] | None = None,
    specs: Sequence[LayerSpec] | None = None,
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
    ctx = ExportContext(
        district=district,
        units=units,
        incidents=incidents,
        heat=heat,
        tile_url=tile_url,
        config=cfg,
        texts=tx,
        chinese=zh,
        now=now,
        items=items or {},
    )
    for spec in export_order(layers, specs):
        assert spec.export is not None
        spec.export(m, ctx)
    if bounds is not None:
        m.fit_bounds(bounds, padding=(12, 12))
    root.html.add_child(
        folium.Element(
            _summary(title, district, units, incidents, heat, cfg, tx, zh, now, heat_shown(ctx))
        )
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
    layers: Collection[str] | None = None,
    items: Mapping[str, Sequence[QGraphicsItem]] | None = None,
    specs: Sequence[LayerSpec] | None = None,
) -> Path:
    """Write a self-contained situation map to ``path``; return the path.

    Every registered layer with an exporter is drawn (district, areas, roads,
    stations, 1-minute points, heat when given, units with popups, incidents, a
    raster base map when ``tile_url`` is given), bottom to top as on the map;
    ``layers`` limits it to those keys (the layers shown on the map), ``items``
    hands layers that keep their data in their map items those items, ``specs``
    are the layers to draw from (a map's own list; default: the registry).
    """
    out = Path(path)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"export path {str(out)!r} must end in .html")
    page = situation_html(
        district,
        units,
        incidents,
        heat,
        tile_url,
        config=config,
        now=now,
        layers=layers,
        items=items,
        specs=specs,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out


def export_order(
    layers: Collection[str] | None = None, specs: Sequence[LayerSpec] | None = None
) -> list[LayerSpec]:
    """The layers that export themselves, bottom first: of ``specs`` (default: the
    registry), only those in ``layers`` if given."""
    chosen = [
        spec
        for spec in (registry.layers() if specs is None else specs)
        if spec.export is not None and (layers is None or spec.key in layers)
    ]
    return sorted(chosen, key=lambda spec: min(spec.z))


# ------------------------------------------------------------------ page


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
    heat_drawn: npt.NDArray[np.float64] | None = None,
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
        f"<div>{_e(tx['made'].replace('%1', local_time(now)))}</div>",
    ]
    if district is not None and district.approximate:
        parts.append(f'<div style="color:#8d6e00">{_e(tx["approx"])}</div>')
    parts.append(f"<div>{_e(tx['units'])}: {len(units)} · {_e(tx['incidents'])}: {n_open}</div>")
    parts += rows
    if heat is not None:
        parts.append(f"<div>{_e(tx['heat'].replace('%1', f'{heat.n_calls:,}'))}</div>")
    if heat_drawn is not None:  # what the top colour of the heat means (it saturates)
        top, peak = density_text(scale_top(heat_drawn)), density_text(float(heat_drawn.max()))
        parts.append(f"<div>{_e(tx['heat_top'].replace('%1', top).replace('%2', peak))}</div>")
    return f'<div class="sit-box">{"".join(parts)}</div>'
