"""Every string the widgets translate has a finished Chinese translation, and switching works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTranslator
from PySide6.QtWidgets import QApplication, QMenuBar, QWidget

from widgets import i18n
from widgets.i18n import LanguageManager, qm_path, ts_path

ROOT = Path(__file__).resolve().parents[2]
WIDGETS = ROOT / "widgets"

Message = tuple[str, str]  # (context, source)


def _messages(ts: Path, finished_only: bool) -> dict[Message, str]:
    out: dict[Message, str] = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name", "")
        for msg in ctx.iter("message"):
            source = msg.findtext("source", "")
            tr = msg.find("translation")
            assert tr is not None, f"{name}: {source!r} has no <translation> element"
            kind = tr.get("type")
            if kind in ("vanished", "obsolete"):
                continue
            forms = [f.text or "" for f in tr.iter("numerusform")] or [tr.text or ""]
            if finished_only and (kind == "unfinished" or not all(f.strip() for f in forms)):
                continue
            out[(name, source)] = forms[0]
    return out


@pytest.fixture(scope="module")
def used_strings(tmp_path_factory: pytest.TempPathFactory) -> dict[Message, str]:
    """What pyside6-lupdate finds in widgets/ today (tr, translate, QT_TRANSLATE_NOOP)."""
    tool = Path(sys.executable).parent / "pyside6-lupdate"
    if not tool.exists():
        found = shutil.which("pyside6-lupdate")
        assert found, "pyside6-lupdate is part of PySide6 and must be available"
        tool = Path(found)
    sources = sorted(str(p) for p in WIDGETS.rglob("*.py"))
    out = tmp_path_factory.mktemp("lupdate") / "scan_zh_CN.ts"
    done = subprocess.run(
        [str(tool), *sources, "-locations", "none", "-ts", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return _messages(out, finished_only=False)


def test_every_used_string_has_a_finished_chinese_translation(
    used_strings: dict[Message, str],
) -> None:
    assert len(used_strings) > 50  # the scan really found the interface
    finished = _messages(ts_path("zh_CN"), finished_only=True)
    missing = sorted(set(used_strings) - set(finished))
    assert not missing, "untranslated (context, source) pairs:\n" + "\n".join(map(str, missing))


def test_placeholders_survive_translation() -> None:
    for (ctx, source), text in _messages(ts_path("zh_CN"), finished_only=True).items():
        for mark in ("%1", "%2", "{n}", "{name}", "{age}", "{id}", "{units}", "{station}"):
            if mark in source:
                assert mark in text, f"{ctx}: {source!r} -> {text!r} lost {mark}"


def test_compiled_catalogue_is_current_and_loads(qapp: QApplication) -> None:
    i18n.compile_if_stale("zh_CN")
    assert qm_path("zh_CN").stat().st_mtime >= ts_path("zh_CN").stat().st_mtime
    tr = QTranslator()
    assert tr.load(str(qm_path("zh_CN")))
    assert tr.translate("MainWindow", "&File") == "文件(&F)"
    assert tr.translate("UnitStatus", "Available") == "空闲"


def test_stale_catalogue_is_recompiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "I18N_DIR", tmp_path)
    shutil.copy(ROOT / "resources" / "i18n" / "console_zh_CN.ts", tmp_path / "console_zh_CN.ts")
    assert i18n.compile_if_stale("zh_CN") is True
    assert (tmp_path / "console_zh_CN.qm").stat().st_size > 1000
    assert i18n.compile_if_stale("zh_CN") is False  # now up to date


class _Probe(QWidget):
    """A widget that retranslates on LanguageChange, like every panel."""

    def __init__(self) -> None:
        super().__init__()
        self.bar = QMenuBar(self)
        self.menu = self.bar.addMenu("")
        self.changes = 0
        self.retranslate()

    def retranslate(self) -> None:
        self.menu.setTitle(QCoreApplication.translate("MainWindow", "&File"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.changes += 1
            self.retranslate()
        super().changeEvent(event)


@pytest.fixture
def manager(qapp: QApplication) -> Iterator[LanguageManager]:
    lm = LanguageManager(qapp)
    yield lm
    lm.set_language("en")  # as found: no translator installed


def test_switching_language_retitles_a_visible_menu(qtbot, manager: LanguageManager) -> None:
    probe = _Probe()
    qtbot.addWidget(probe)
    probe.show()
    manager.set_language("zh_CN")
    assert probe.bar.actions()[0].text() == "文件(&F)"
    manager.set_language("en")
    assert probe.bar.actions()[0].text() == "&File"
    assert i18n.current_language() == "en" and not i18n.is_chinese()
    manager.set_language("zh_CN")
    assert probe.bar.actions()[0].text() == "文件(&F)"
    assert probe.changes >= 2


def test_unknown_language_is_refused_by_name(manager: LanguageManager) -> None:
    with pytest.raises(ValueError, match=r"'fr'.*known: en, zh_CN"):
        manager.set_language("fr")
