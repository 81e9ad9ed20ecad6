"""Incident pins on the map: one repaint with a busy shift's open incidents; ONE JSON line.

    QT_QPA_PLATFORM=offscreen python bench/markers.py [--pins 500] [--repeat 20]

The map's incident layer (:class:`~widgets.map.layers.markers.MarkersItem`: a pixmap per
pin, its incident number in a box beside it, one pin selected and ringed by the layer's
child item) is painted into a 1400x900 image as the map view paints it, at two zooms: the
whole district (every pin on screen) and a street view (the district four times larger:
most pins off screen).  The shipped ``paint`` (anchors mapped in one numpy step, pins off
the painted area skipped) is timed against the loop it replaced, in the same run: every
pin through ``QTransform.map`` and drawn wherever it lands.  ``bench/shift.py`` found that
loop in the GUI thread's longest stalls with 500 open incidents (``SHIFT_DUMP_STALLS_MS``).

Keys: pins, district_ms, district_naive_ms, ratio_district (naive / shipped), street_ms,
street_naive_ms, ratio_street, pins_on_screen_street, same_image (both ways painted the
same pixels, at both zooms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtWidgets import QApplication

from widgets.map.layers.markers import MarkersItem
from widgets.map.symbols import incident_pixmap

W, H = 1400, 900
DISTRICT_M = 4000.0  # metres across the painted width at the district zoom


def make_item(n: int, seed: int = 5) -> MarkersItem:
    """``n`` incident pins over a 4 km square, numbered, one of them selected."""
    rng = np.random.default_rng(seed)
    pixmaps = {k: incident_pixmap(k) for k in (1, 2, 3, 4)}
    item = MarkersItem(pixmaps, anchor=(0.5, 1.0))
    x = rng.uniform(0.0, DISTRICT_M, n)
    y = rng.uniform(0.0, DISTRICT_M * H / W, n)
    item.set_points(x, y, rng.integers(1, 5, n), rng.uniform(0, 1, n))
    ids = [10_000 + k for k in range(n)]
    item.label_of = lambda k: str(ids[k])
    item.highlighted = lambda k: k == n // 2
    return item


def naive_paint(item: MarkersItem, p: QPainter) -> None:
    """The loop ``MarkersItem.paint`` used before: every pin mapped and drawn in Python (the
    selected pin is ringed by the layer's child item, the same way after either)."""
    tr = p.transform()
    p.resetTransform()
    ax, ay = item.anchor
    for i in [int(i) for i in item.order]:
        pm = item.pixmaps.get(int(item.kind[i]))
        if pm is None or not np.isfinite(item.x[i]):
            continue
        pt = tr.map(QPointF(float(item.x[i]), float(item.y[i])))
        w = pm.width() / pm.devicePixelRatio()
        h = pm.height() / pm.devicePixelRatio()
        left, top = pt.x() - ax * w, pt.y() - ay * h
        p.drawPixmap(QPointF(left, top), pm)
        if item.label_of is not None:
            label = item._label(item.label_of(i), pm.devicePixelRatio(), False)
            lh = label.height() / label.devicePixelRatio()
            p.drawPixmap(QPointF(left + w * 0.78, top + h * 0.36 - lh / 2), label)


def render(item: MarkersItem, scale: float, paint: Callable[[QPainter], None]) -> QImage:
    img = QImage(W, H, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor("white"))
    p = QPainter(img)
    # metres to pixels, centred on the district's middle (a map view's transform)
    cx, cy = DISTRICT_M / 2, DISTRICT_M * H / W / 2
    p.setTransform(QTransform().translate(W / 2, H / 2).scale(scale, scale).translate(-cx, -cy))
    p.save()
    paint(p)
    p.restore()
    item.selected_pins.paint(p, None)  # type: ignore[arg-type]  # the ring: as the scene
    p.end()
    return img


def timed(fn: Callable[[], object], repeat: int) -> float:
    fn()  # label pixmaps cached, as after the first paint on screen
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--pins", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    item = make_item(args.pins)
    out: dict[str, object] = {"pins": args.pins}
    same = True
    for name, scale in (("district", W / DISTRICT_M), ("street", 4 * W / DISTRICT_M)):

        def shipped(p: QPainter) -> None:
            item.paint(p, None)  # type: ignore[arg-type]

        def naive(p: QPainter) -> None:
            naive_paint(item, p)

        fast = timed(lambda s=scale, f=shipped: render(item, s, f), args.repeat)  # type: ignore[misc]
        slow = timed(lambda s=scale, f=naive: render(item, s, f), args.repeat)  # type: ignore[misc]
        same = same and render(item, scale, shipped) == render(item, scale, naive)
        out[f"{name}_ms"] = round(fast, 3)
        out[f"{name}_naive_ms"] = round(slow, 3)
        out[f"ratio_{name}"] = round(slow / fast, 2) if fast > 0 else None
        if name == "street":
            pts = QTransform().translate(W / 2, H / 2).scale(scale, scale)
            pts = pts.translate(-DISTRICT_M / 2, -DISTRICT_M * H / W / 2)
            px = pts.m11() * item.x + pts.m31()
            py = pts.m22() * item.y + pts.m32()
            out["pins_on_screen_street"] = int(
                ((px >= 0) & (px <= W) & (py >= 0) & (py <= H)).sum()
            )
    out["same_image"] = bool(same)
    print(json.dumps(out))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
