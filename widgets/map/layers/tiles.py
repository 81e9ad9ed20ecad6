"""Optional raster base map: XYZ tiles from a URL, a local folder or an MBTiles file.

``MapSettings.tile_source`` names where tiles come from; empty keeps the vector
district as the base map.  Tiles are addressed in Web Mercator (z/x/y, y from
the north); MBTiles stores rows the TMS way (y from the south), so its row is
flipped.  Chinese tile servers publish GCJ-02 tiles: a tile's corners are taken
in the *display* system, which is GCJ-02 exactly when the map is drawn in it,
so tiles and vector layers line up either way.

Reading and decoding never happen on the GUI thread: a small thread pool
fetches bytes and decodes them into a ``QImage`` (safe off the GUI thread,
unlike ``QPixmap``), then a queued signal hands the image to the item, which
keeps the most recently used tiles in memory.  Tiles from a URL are also kept
on disk, so a restarted console does not fetch them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from widgets.map.projection import DisplayProjection

log = logging.getLogger(__name__)

TileKey = tuple[int, int, int]  # (z, x, y), y counted from the north (XYZ)
TILE_PX = 256
MAX_LAT = 85.0511287798
M_PER_PX_Z0 = 156543.03392804097  # Web Mercator metres per pixel at zoom 0 on the equator
MAX_TILES_IN_VIEW = 220
RETRY_FAILED_S = 60.0
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")


# ---------------------------------------------------------------- tile math


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates of a point (y grows southwards)."""
    n = 2.0**z
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = (lon + 180.0) / 360.0 * n
    r = math.radians(lat)
    y = (1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n
    return x, y


def tile_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    """Longitude and latitude of a (fractional) tile corner."""
    n = 2.0**z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / n))))
    return lon, lat


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) degrees of one tile."""
    west, north = tile_lonlat(x, y, z)
    east, south = tile_lonlat(x + 1, y + 1, z)
    return west, south, east, north


def zoom_for(m_per_px: float, lat: float, min_zoom: int, max_zoom: int) -> int:
    """The tile zoom whose pixels are closest to ``m_per_px`` screen pixels, clamped."""
    if not (math.isfinite(m_per_px) and m_per_px > 0):
        return min_zoom
    z = round(math.log2(M_PER_PX_Z0 * math.cos(math.radians(lat)) / m_per_px))
    return max(min_zoom, min(max_zoom, z))


def tiles_covering(west: float, south: float, east: float, north: float, z: int) -> list[TileKey]:
    """Every tile of zoom ``z`` that touches the box, row by row from the north-west."""
    n = 2**z
    x0, y0 = lonlat_to_tile(west, north, z)
    x1, y1 = lonlat_to_tile(east, south, z)
    xs = range(max(0, math.floor(x0)), min(n - 1, math.floor(x1)) + 1)
    ys = range(max(0, math.floor(y0)), min(n - 1, math.floor(y1)) + 1)
    return [(z, x, y) for y in ys for x in xs]


# ---------------------------------------------------------------- sources


class TileSource:
    """Where tile bytes come from; ``fetch`` runs on worker threads."""

    kind = "none"
    min_zoom = 0
    max_zoom = 19
    workers = 2

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def fetch(self, z: int, x: int, y: int) -> bytes | None:
        """The encoded image of one tile, or None when the source has no such tile."""
        raise NotImplementedError

    def close(self) -> None:
        """Release files or connections."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"


def _fill(template: str, z: int, x: int, y: int) -> str:
    return (
        template.replace("{z}", str(z))
        .replace("{x}", str(x))
        .replace("{-y}", str(2**z - 1 - y))
        .replace("{y}", str(y))
    )


def _check_template(spec: str) -> None:
    if "{z}" not in spec or "{x}" not in spec or ("{y}" not in spec and "{-y}" not in spec):
        raise ValueError(
            f"tile source {spec!r}: a URL or folder template needs {{z}}, {{x}} and {{y}}"
        )


class UrlTileSource(TileSource):
    """``http(s)://host/.../{z}/{x}/{y}.png``, with an on-disk cache."""

    kind = "url"
    workers = 4

    def __init__(self, spec: str, cache_dir: Path | None, timeout_s: float = 10.0) -> None:
        super().__init__(spec)
        _check_template(spec)
        self.cache_dir = cache_dir
        self.timeout_s = timeout_s
        self.downloads = 0  # tiles fetched from the server (not from the disk cache)

    def cache_path(self, z: int, x: int, y: int) -> Path | None:
        """Where the disk cache keeps one tile."""
        if self.cache_dir is None:
            return None
        return self.cache_dir / str(z) / str(x) / f"{y}.tile"

    def fetch(self, z: int, x: int, y: int) -> bytes | None:
        path = self.cache_path(z, x, y)
        if path is not None and path.is_file():
            return path.read_bytes()
        req = urllib.request.Request(
            _fill(self.spec, z, x, y), headers={"User-Agent": "huangpu-dispatch-console"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                data = bytes(resp.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None  # outside the server's coverage: blank, not an error
            raise
        self.downloads += 1
        if path is not None and data:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{threading.get_ident()}.part")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return data


class FolderTileSource(TileSource):
    """A local folder laid out ``{z}/{x}/{y}.png`` (or a template with those placeholders)."""

    kind = "folder"

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        if "{z}" in spec:
            _check_template(spec)
            self.template = spec
            root = Path(spec.split("{", 1)[0])
            if not root.is_dir():
                raise ValueError(f"tile folder {str(root)!r} does not exist")
        else:
            root = Path(spec)
            if not root.is_dir():
                raise ValueError(f"tile folder {spec!r} does not exist")
            self.template = str(root / "{z}" / "{x}" / ("{y}" + self._guess_ext(root)))
        zooms = sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())
        if zooms and "{z}" not in spec:
            self.min_zoom, self.max_zoom = zooms[0], zooms[-1]

    @staticmethod
    def _guess_ext(root: Path) -> str:
        for zdir in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
            for xdir in zdir.iterdir():
                if xdir.is_dir():
                    for f in xdir.iterdir():
                        if f.suffix.lower() in IMAGE_EXTS:
                            return f.suffix
        raise ValueError(f"tile folder {str(root)!r} holds no {{z}}/{{x}}/{{y}} image tiles")

    def fetch(self, z: int, x: int, y: int) -> bytes | None:
        path = Path(_fill(self.template, z, x, y))
        return path.read_bytes() if path.is_file() else None


class MBTilesSource(TileSource):
    """An MBTiles (SQLite) file; rows are TMS (counted from the south), so y is flipped."""

    kind = "mbtiles"

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.path = Path(spec)
        if not self.path.is_file():
            raise ValueError(f"MBTiles file {spec!r} does not exist")
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            con = self._con()
            meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
            con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise ValueError(f"MBTiles file {spec!r} is not readable: {exc}") from None
        try:
            self.min_zoom = int(meta.get("minzoom", self.min_zoom))
            self.max_zoom = int(meta.get("maxzoom", self.max_zoom))
        except ValueError:
            pass  # bad metadata: keep the defaults, tiles still load
        self.scheme = str(meta.get("scheme", "tms")).lower()

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:  # one read-only connection per worker thread
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self._local.con = con
            with self._lock:
                self._conns.append(con)
        return con

    def fetch(self, z: int, x: int, y: int) -> bytes | None:
        row = y if self.scheme == "xyz" else 2**z - 1 - y
        hit = (
            self._con()
            .execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, row),
            )
            .fetchone()
        )
        return bytes(hit[0]) if hit else None

    def close(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
        for con in conns:
            # a connection made on another thread refuses; that thread's end closes it
            with contextlib.suppress(sqlite3.ProgrammingError):
                con.close()


def open_tile_source(spec: str, cache_dir: Path | None = None) -> TileSource | None:
    """The source ``spec`` names; None for an empty spec.  Raises ValueError naming the problem."""
    spec = (spec or "").strip()
    if not spec:
        return None
    low = spec.lower()
    if low.startswith(("http://", "https://")):
        return UrlTileSource(spec, cache_dir)
    if low.startswith("file://"):
        spec = spec[len("file://") :]
    if low.endswith(".mbtiles"):
        return MBTilesSource(spec)
    if "://" in spec:
        raise ValueError(f"tile source {spec!r}: only http(s) URLs, folders and .mbtiles files")
    return FolderTileSource(spec)


def default_cache_dir(spec: str) -> Path:
    """Disk cache of one URL template: the user cache dir, ``tiles/<hash>``."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    root = Path(base) if base else Path.home() / ".cache" / "huangpu-dispatch"
    return root / "tiles" / hashlib.sha1(spec.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- loading


class TileLoader(QObject):
    """Fetches and decodes tiles on a thread pool; keeps the recent ones (LRU) in memory."""

    tileLoaded = Signal(object)  # TileKey, on the GUI thread
    _fetched = Signal(object, object, str)  # key, QImage | None, error

    def __init__(
        self, source: TileSource, max_tiles: int = 600, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.max_tiles = max_tiles
        self.cache: OrderedDict[TileKey, QImage] = OrderedDict()
        self.missing: set[TileKey] = set()  # the source has no such tile: draw nothing
        self.failed: dict[TileKey, float] = {}  # errors, retried after RETRY_FAILED_S
        self.pending: dict[TileKey, Future[None]] = {}
        self.worker_threads: set[int] = set()  # thread idents that fetched (off the GUI thread)
        self.errors = 0
        self.last_error = ""
        self._pool = ThreadPoolExecutor(source.workers, thread_name_prefix=f"tiles-{source.kind}")
        self._closed = False
        self._emit_lock = threading.Lock()
        self._fetched.connect(self._on_fetched, Qt.ConnectionType.QueuedConnection)

    def get(self, key: TileKey) -> QImage | None:
        """A cached tile (marked recently used), or None."""
        img = self.cache.get(key)
        if img is not None:
            self.cache.move_to_end(key)
        return img

    def want(self, keys: list[TileKey]) -> int:
        """Fetch what ``keys`` lack; drop queued fetches not wanted now. Returns how many queued."""
        wanted = set(keys)
        for k, fut in list(self.pending.items()):
            if k not in wanted and fut.cancel():
                del self.pending[k]
        now = time.monotonic()
        queued = 0
        for k in keys:
            if k in self.cache or k in self.missing or k in self.pending or self._closed:
                continue
            if now - self.failed.get(k, -math.inf) < RETRY_FAILED_S:
                continue
            self.pending[k] = self._pool.submit(self._work, k)
            queued += 1
        return queued

    def _work(self, key: TileKey) -> None:
        """Worker thread: bytes -> QImage, handed over by a queued signal."""
        self.worker_threads.add(threading.get_ident())
        img: QImage | None = None
        err = ""
        try:
            data = self.source.fetch(*key)
            if data is not None:
                img = QImage.fromData(data)
                if img.isNull():
                    img, err = None, f"tile {key}: not a decodable image ({len(data)} bytes)"
                else:
                    img = img.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        except Exception as exc:  # network, disk, database: the tile stays blank
            err = f"tile {key}: {type(exc).__name__}: {exc}"
        with self._emit_lock:
            if not self._closed:
                try:
                    self._fetched.emit(key, img, err)
                except RuntimeError:  # the loader was deleted with its map
                    self._closed = True

    @Slot(object, object, str)
    def _on_fetched(self, key: TileKey, img: QImage | None, err: str) -> None:
        self.pending.pop(key, None)
        if err:
            self.errors += 1
            self.last_error = err
            self.failed[key] = time.monotonic()
            if self.errors <= 3:
                log.warning("%s", err)
            return
        if img is None:
            self.missing.add(key)
            return
        self.failed.pop(key, None)
        self.cache[key] = img
        while len(self.cache) > self.max_tiles:
            self.cache.popitem(last=False)
        self.tileLoaded.emit(key)

    def close(self) -> None:
        """Stop fetching (queued fetches are dropped) and release the source."""
        with self._emit_lock:
            self._closed = True
        for fut in self.pending.values():
            fut.cancel()
        self.pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.source.close()


# ---------------------------------------------------------------- drawing


class TilesItem(pg.GraphicsObject):
    """Draws the tiles covering the view, under everything; parents stand in while loading."""

    def __init__(self) -> None:
        super().__init__()
        self.loader: TileLoader | None = None
        self.proj: DisplayProjection | None = None
        self.zoom = 0
        self.tiles: list[tuple[TileKey, QRectF]] = []
        self._bounds = QRectF()
        self.drawn = 0  # tiles (or stand-ins) drawn in the last paint
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(40)  # a burst of arriving tiles -> one repaint
        self._repaint.timeout.connect(self.update)
        self._last_view: tuple[QRectF, float] | None = None

    def set_loader(self, loader: TileLoader | None) -> None:
        """Use ``loader`` (None: no raster base map)."""
        if self.loader is not None:
            self.loader.tileLoaded.disconnect(self._on_tile)
        self.loader = loader
        if loader is not None:
            loader.tileLoaded.connect(self._on_tile)
        self.tiles = []
        if self._last_view is not None:
            self.update_view(*self._last_view)
        self.update()

    def set_projection(self, proj: DisplayProjection | None) -> None:
        """The map plane changed: place the tiles again."""
        self.proj = proj
        if self._last_view is not None:
            self.update_view(*self._last_view)

    def update_view(self, view: QRectF, m_per_px: float) -> None:
        """The visible plane rectangle and scale changed: choose a zoom and ask for its tiles."""
        self._last_view = (QRectF(view), m_per_px)
        if self.loader is None or self.proj is None or not view.isValid():
            return
        src = self.loader.source
        lon_a, lat_a = self.proj.xy_to_display(view.left(), view.top())
        lon_b, lat_b = self.proj.xy_to_display(view.right(), view.bottom())
        west, east = min(lon_a, lon_b), max(lon_a, lon_b)
        south, north = min(lat_a, lat_b), max(lat_a, lat_b)
        z = zoom_for(m_per_px, (south + north) / 2, src.min_zoom, src.max_zoom)
        keys = tiles_covering(west, south, east, north, z)
        while len(keys) > MAX_TILES_IN_VIEW and z > src.min_zoom:
            z -= 1
            keys = tiles_covering(west, south, east, north, z)
        self.zoom = z
        placed: list[tuple[TileKey, QRectF]] = []
        bounds = QRectF()
        for key in keys:
            w, s, e, n = tile_bounds(*key)
            x, y = self.proj.display_to_xy([w, e], [s, n])
            r = QRectF(float(x[0]), float(y[0]), float(x[1] - x[0]), float(y[1] - y[0]))
            placed.append((key, r))
            bounds = bounds.united(r)
        self.prepareGeometryChange()
        self.tiles = placed
        self._bounds = bounds
        self.loader.want(keys)
        self.update()

    @Slot(object)
    def _on_tile(self, key: TileKey) -> None:
        if not self._repaint.isActive():
            self._repaint.start()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _image_for(self, key: TileKey) -> tuple[QImage, QRectF] | None:
        """The tile, or the nearest loaded ancestor's part covering it (while it loads)."""
        assert self.loader is not None
        z, x, y = key
        for up in range(0, 5):
            if z - up < 0:
                break
            k = (z - up, x >> up, y >> up)
            img = self.loader.get(k)
            if img is None:
                continue
            if up == 0:
                return img, QRectF(0, 0, img.width(), img.height())
            f = 1 << up
            sw, sh = img.width() / f, img.height() / f
            return img, QRectF((x % f) * sw, (y % f) * sh, sw, sh)
        return None

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.drawn = 0
        if self.loader is None or not self.tiles:
            return
        tr = p.transform()
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for key, rect in self.tiles:
            found = self._image_for(key)
            if found is None:
                continue
            img, src = found
            dev = tr.mapRect(rect).adjusted(-0.5, -0.5, 0.5, 0.5)  # no hairline seams
            p.drawImage(dev, img, src)
            self.drawn += 1
        p.restore()


def loader_for(
    spec: str, cache_dir: Callable[[str], Path] = default_cache_dir
) -> TileLoader | None:
    """A loader for ``spec`` (None when empty); URL sources get a disk cache."""
    low = spec.strip().lower()
    cache = cache_dir(spec) if low.startswith(("http://", "https://")) else None
    source = open_tile_source(spec, cache)
    return TileLoader(source) if source is not None else None
