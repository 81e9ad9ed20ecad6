"""One search field for everything on the map with a name.

Call signs (from the live units), police stations, 1-minute points,
responsibility areas, landmarks and road names (from the static district)
are offered as the operator types (any part of the name matches); choosing
one centres the map on it.  Units are looked up when chosen, so the map goes
to where the unit is now, not where it was when the list was built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from widgets.map import MapView

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_VISIBLE = 12
RADIUS_M = {"unit": 250.0, "station": 300.0, "point": 250.0, "area": 600.0, "landmark": 300.0}
ROAD_RADIUS_M = 450.0


def kind_text(kind: str) -> str:
    """Translated name of an entry kind (context "SearchBox")."""
    # the literal calls let pyside6-lupdate find the texts
    texts = {
        "unit": QCoreApplication.translate("SearchBox", "Unit"),
        "station": QCoreApplication.translate("SearchBox", "Police station"),
        "point": QCoreApplication.translate("SearchBox", "1-minute point"),
        "area": QCoreApplication.translate("SearchBox", "Area"),
        "landmark": QCoreApplication.translate("SearchBox", "Place"),
        "road": QCoreApplication.translate("SearchBox", "Road"),
    }
    return texts.get(kind, kind)


@dataclass(frozen=True)
class SearchEntry:
    """Something findable: its name, what it is, and where (WGS-84) unless it is a unit."""

    name: str
    kind: str
    lon: float = float("nan")
    lat: float = float("nan")


def district_entries(view: MapView) -> list[SearchEntry]:
    """Stations, 1-minute points, areas, landmarks and roads of the district on the map."""
    d = view.district
    if d is None:
        return []
    out: list[SearchEntry] = []
    for st in d.stations:
        name = str(st.get("name", st.get("code")))
        out.append(SearchEntry(name, "station", float(st["lon"]), float(st["lat"])))
    for p in d.fixed_points:
        name = str(p.get("name", p.get("code")))
        out.append(SearchEntry(name, "point", float(p["lon"]), float(p["lat"])))
    for a in d.areas:
        poly = np.asarray(a.get("polygon") or [], dtype=np.float64).reshape(-1, 2)
        if poly.shape[0] >= 3:
            lon, lat = poly.mean(axis=0)
            out.append(SearchEntry(str(a.get("code", "")), "area", float(lon), float(lat)))
    for name, (lon, lat) in d.landmarks.items():
        out.append(SearchEntry(str(name), "landmark", float(lon), float(lat)))
    by_road: dict[str, list[tuple[float, float]]] = {}
    for name, lon, lat, _cls in d.road_labels:
        if name:
            by_road.setdefault(name, []).append((float(lon), float(lat)))
    for name, pts in by_road.items():
        arr = np.asarray(pts)
        # the label point nearest the middle of all of them: on the road, near its centre
        k = int(np.argmin(((arr - arr.mean(axis=0)) ** 2).sum(axis=1)))
        out.append(SearchEntry(name, "road", float(arr[k, 0]), float(arr[k, 1])))
    return out


class SearchBox(QLineEdit):
    """A QLineEdit with a QCompleter over every named thing on the map."""

    chosen = Signal(object)  # SearchEntry, after the map moved

    def __init__(self, map_view: MapView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map = map_view
        self.entries: list[SearchEntry] = []
        self._built_for: tuple[int, int] = (-1, -1)
        self.model = QStandardItemModel(self)
        self.completer_ = QCompleter(self.model, self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer_.setMaxVisibleItems(MAX_VISIBLE)
        self.setCompleter(self.completer_)
        self.completer_.activated[QModelIndex].connect(  # type: ignore[index]
            self._on_activated
        )
        self.returnPressed.connect(self._on_return)
        self.textEdited.connect(lambda _t: self.refresh_entries())
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(240)
        self.retranslateUi()

    # ------------------------------------------------------------------ entries

    def refresh_entries(self, force: bool = False) -> None:
        """Rebuild the list when the district or the set of units changed."""
        key = (id(self.map.district), self.map.table.n)
        if key == self._built_for and not force:
            return
        self._built_for = key
        entries = [SearchEntry(cs, "unit") for cs in self.map.table.call_signs]
        entries += district_entries(self.map)
        self.entries = entries
        self.model.clear()
        for e in entries:
            item = QStandardItem(self._display(e))
            item.setData(e, ENTRY_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)

    def _display(self, e: SearchEntry) -> str:
        return f"{e.name} · {kind_text(e.kind)}"

    def search(self, text: str) -> list[SearchEntry]:
        """Entries matching ``text``: exact names first, then prefixes, then any part."""
        self.refresh_entries()
        q = text.strip().casefold()
        if not q:
            return []
        exact = [e for e in self.entries if e.name.casefold() == q]
        prefix = [e for e in self.entries if e.name.casefold().startswith(q) and e not in exact]
        rest = [e for e in self.entries if q in e.name.casefold() and e not in exact + prefix]
        return exact + prefix + rest

    # ------------------------------------------------------------------ going there

    def go(self, entry: SearchEntry) -> None:
        """Centre the map on ``entry`` (a unit where it is now)."""
        if entry.kind == "unit":
            self.map.zoom_to_unit(entry.name, RADIUS_M["unit"])
        else:
            radius = ROAD_RADIUS_M if entry.kind == "road" else RADIUS_M.get(entry.kind, 300.0)
            self.map.zoom_to(entry.lon, entry.lat, radius)
        self.chosen.emit(entry)

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        entry = index.data(ENTRY_ROLE)
        if isinstance(entry, SearchEntry):
            self.setText(entry.name)
            self.go(entry)

    def _on_return(self) -> None:
        text = self.text()
        if " · " in text:  # a completion was accepted as text
            text = text.split(" · ", 1)[0]
        hits = self.search(text)
        if hits:
            self.setText(hits[0].name)
            self.go(hits[0])

    # ------------------------------------------------------------------ texts

    def retranslateUi(self) -> None:
        """Placeholder and entry kinds in the current language."""
        self.setPlaceholderText(self.tr("Find unit, station, place or road…"))
        self.setToolTip(
            self.tr("Call signs, police stations, 1-minute points, areas, places and road names")
        )
        self._built_for = (-1, -1)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.refresh_entries()
        super().focusInEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
