"""The sound of a new order: a two-tone alarm nobody mistakes for a phone's chime.

The tones are made here (a WAV in the user's cache, no asset to ship) and played
through Qt Multimedia where it is installed, else the system's ``paplay`` /
``aplay`` / ``afplay``, else the desktop beep.  ``rings`` counts what was played,
so a test (or an operator's log) can tell the terminal did ring.
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

RATE = 16_000
PATTERNS = {
    "order": [(960, 0.18), (640, 0.18)] * 4,  # the new-order alarm: 1.4 s, two tones
    "update": [(880, 0.12), (0, 0.06), (880, 0.12)],
    "message": [(1320, 0.1), (0, 0.05), (990, 0.15)],
}
PLAYERS = (("paplay",), ("aplay", "-q"), ("afplay",))


def write_wav(path: Path, pattern: list[tuple[int, float]]) -> Path:
    """Square-ish tones (a sine with its third harmonic: loud on small speakers)."""
    frames = bytearray()
    for freq, secs in pattern:
        n = int(RATE * secs)
        for k in range(n):
            fade = min(1.0, k / 200, (n - k) / 200)
            if freq:
                ph = 2 * math.pi * freq * k / RATE
                v = (math.sin(ph) + 0.3 * math.sin(3 * ph)) * 0.6 * fade
            else:
                v = 0.0
            frames += struct.pack("<h", int(v * 32767))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return path


class Alarm:
    """Plays the terminal's sounds; silent with ``muted`` (tests, screenshots)."""

    def __init__(self, muted: bool = False, folder: Path | None = None) -> None:
        self.muted = muted
        self.rings: list[str] = []
        self.folder = folder or Path(tempfile.gettempdir()) / "dispatch-terminal-sounds"
        self._player = next((cmd for cmd in PLAYERS if shutil.which(cmd[0])), None)
        self._effects: dict[str, object] = {}

    def _wav(self, kind: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{kind}.wav"
        if not path.exists():
            write_wav(path, PATTERNS[kind])
        return path

    def ring(self, kind: str) -> None:
        """Play ``kind`` (order, update, message) without waiting for it."""
        self.rings.append(kind)
        if self.muted or kind not in PATTERNS:
            return
        try:
            path = self._wav(kind)
            if self._qt(kind, path):
                return
            if self._player is not None:
                subprocess.Popen(
                    [*self._player, str(path)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                return
        except Exception:  # no sound must never cost the order
            log.exception("could not play the %s sound", kind)
        QApplication.beep()

    def _qt(self, kind: str, path: Path) -> bool:
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:  # Qt Multimedia or its audio backend is missing here
            return False
        fx = self._effects.get(kind)
        if fx is None:
            fx = QSoundEffect()
            fx.setSource(QUrl.fromLocalFile(str(path)))
            fx.setVolume(1.0)
            self._effects[kind] = fx
        fx.play()  # type: ignore[attr-defined]
        return True
