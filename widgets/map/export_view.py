"""A window showing an exported situation map in Chromium (QtWebEngine).

The page is loaded from its file with ``setUrl(QUrl.fromLocalFile(...))``,
never ``setHtml`` (limited to 2 MB, and it would give the page no file
origin).  Local pages may not reach remote URLs, except a configured tile
server the page itself names.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

try:  # import before the QApplication exists (Qt wants shared GL contexts for it)
    from PySide6.QtWebEngineCore import QWebEngineSettings
    from PySide6.QtWebEngineWidgets import QWebEngineView

    WEBENGINE = True
except ImportError:  # pragma: no cover - QtWebEngine is part of PySide6_Addons
    WEBENGINE = False


class ExportViewer(QWidget):
    """A top-level window with a QWebEngineView; ``loaded(ok)`` after each load."""

    loaded = Signal(bool)

    def __init__(self, parent: QWidget | None = None, allow_remote: bool = False) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        if not WEBENGINE:
            raise RuntimeError("QtWebEngine is not available; open the exported file in a browser")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses root
        self.setObjectName("exportViewer")
        self.web = QWebEngineView(self)
        s = self.web.settings()
        s.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        # only a page with a configured tile server needs the network
        remote = QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls
        s.setAttribute(remote, allow_remote)
        self.web.loadFinished.connect(self._finished)
        self.caption = QLabel(self)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.caption)
        lay.addWidget(self.web, 1)
        self.path: Path | None = None
        self.last_ok: bool | None = None
        self.loads = 0
        self.resize(1100, 800)
        self.retranslateUi()

    def show_file(self, path: Path | str) -> None:
        """Load an exported page from its file."""
        p = Path(path).resolve()
        if not p.is_file():
            raise FileNotFoundError(f"exported map {str(p)!r} does not exist")
        self.path = p
        self.last_ok = None
        self.web.setUrl(QUrl.fromLocalFile(str(p)))
        self.retranslateUi()

    def _finished(self, ok: bool) -> None:
        self.loads += 1
        self.last_ok = bool(ok)
        self.loaded.emit(bool(ok))

    def retranslateUi(self) -> None:
        """Window title and the file caption (on LanguageChange)."""
        self.setWindowTitle(self.tr("Exported situation map"))
        self.caption.setText(f"  {self.path}" if self.path is not None else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
