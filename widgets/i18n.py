"""Runtime language switching through Qt's own translation machinery.

Source strings are English (``self.tr``); Chinese lives in
``resources/i18n/console_zh_CN.ts`` (edited with Qt Linguist or by hand) and is
compiled to ``.qm`` with ``pyside6-lrelease``.  Installing a new translator makes
Qt send ``LanguageChange`` to every widget, which re-reads its texts, so the
operator can switch without restarting.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parent.parent / "resources" / "i18n"
CATALOGUE = "console"
DEFAULT_LANGUAGE = "zh_CN"
SOURCE_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
"""Language code -> its name written in itself (menu entries are never translated)."""

_current = SOURCE_LANGUAGE  # what shows until a translator is installed
_installed: list[QTranslator] = []  # shared: whichever manager switches replaces them all


def current_language() -> str:
    """The language the interface shows now (for config names like ``name_zh``/``name_en``)."""
    return _current


def is_chinese() -> bool:
    """Whether config-provided names should be the Chinese ones."""
    return _current.startswith("zh")


def ts_path(lang: str) -> Path:
    """The editable translation source for ``lang``."""
    return I18N_DIR / f"{CATALOGUE}_{lang}.ts"


def qm_path(lang: str) -> Path:
    """The compiled catalogue Qt loads for ``lang``."""
    return I18N_DIR / f"{CATALOGUE}_{lang}.qm"


def lrelease_executable() -> str | None:
    """``pyside6-lrelease`` next to this interpreter, else on PATH, else None."""
    beside = Path(sys.executable).parent / "pyside6-lrelease"
    if beside.exists():
        return str(beside)
    return shutil.which("pyside6-lrelease")


def compile_if_stale(lang: str) -> bool:
    """Rebuild the ``.qm`` when the ``.ts`` is newer (a translator just edited it).

    Returns True when a compile ran and succeeded.  A missing tool is not an
    error: the existing ``.qm`` (if any) is used as is.
    """
    ts, qm = ts_path(lang), qm_path(lang)
    if not ts.exists():
        return False
    if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
        return False
    tool = lrelease_executable()
    if tool is None:
        log.warning("%s is newer than %s but pyside6-lrelease is not available", ts, qm)
        return False
    done = subprocess.run(
        [tool, str(ts), "-qm", str(qm)], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        log.warning("pyside6-lrelease failed on %s: %s", ts, done.stderr.strip())
        return False
    return True


class LanguageManager:
    """Switches the application's translators (kept referenced while installed).

    The installed translators are module-wide, so two managers on the same
    application never leave a stale catalogue behind.
    """

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app

    @property
    def language(self) -> str:
        """The active language code."""
        return _current

    def set_language(self, lang: str) -> None:
        """Switch every widget to ``lang`` ("zh_CN" or "en"); unknown codes raise ValueError."""
        global _current, _installed
        if lang not in LANGUAGES:
            known = ", ".join(sorted(LANGUAGES))
            raise ValueError(f"unknown interface language {lang!r} (known: {known})")
        for tr in _installed:
            self._app.removeTranslator(tr)
        _installed = []
        _current = lang
        QLocale.setDefault(QLocale(lang))
        if lang != SOURCE_LANGUAGE:
            compile_if_stale(lang)
            ours = QTranslator()
            if ours.load(str(qm_path(lang))):
                _installed.append(ours)
            else:
                log.warning("no compiled translation at %s; showing English", qm_path(lang))
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            qtbase = QTranslator()
            if qtbase.load(f"qtbase_{lang}", qt_dir):  # standard dialogs, context menus
                _installed.append(qtbase)
        for tr in _installed:
            self._app.installTranslator(tr)
        # install/remove post LanguageChange to each window; deliver now, so the
        # switch is complete when this returns (menus, docks, models all re-read)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
