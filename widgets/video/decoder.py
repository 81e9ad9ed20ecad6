"""JPEG decoding off the GUI thread: previews and thumbnails become QImages on a worker.

The camera workers already shrink each preview to a small JPEG; this thread turns
it into a :class:`QImage` (safe outside the GUI thread, unlike QPixmap) and hands it
over with a queued signal.  Only the newest waiting image per key is decoded, so a
busy GUI never builds a backlog of frames.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage


class JpegDecoder(QObject):
    """``submit(key, jpeg, meta)`` from any thread; ``decoded(key, image, meta)`` on the
    GUI thread.  ``decoded_on`` names the threads that decoded (tests check it)."""

    decoded = Signal(str, QImage, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[str, tuple[bytes, Any]] = {}
        self._cond = threading.Condition()
        self._closed = False
        self.decoded_on: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="video-decoder", daemon=True)
        self._thread.start()

    def submit(self, key: str, data: bytes, meta: Any = None) -> None:
        """Decode ``data`` soon (a newer submit for ``key`` replaces one still waiting)."""
        with self._cond:
            self._pending[key] = (data, meta)
            self._cond.notify()

    def close(self) -> None:
        """Stop the worker (images still waiting are dropped)."""
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify()
        self._thread.join(2.0)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                key = next(iter(self._pending))
                data, meta = self._pending.pop(key)
            try:
                img = QImage.fromData(data)  # the format from the bytes (JPEG)
            except (ValueError, TypeError):
                continue
            if img.isNull():
                continue
            self.decoded_on.add(threading.current_thread().name)
            try:
                self.decoded.emit(key, img, meta)
            except RuntimeError:  # the wall is gone (its window closed)
                return
