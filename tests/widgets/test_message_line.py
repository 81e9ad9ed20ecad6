"""The message line of dialogs and panels (``show_message``): shown in red or green,
hidden when cleared, and polished again only when its colour changes."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.workflow.common import ERROR_STYLE, OK_STYLE, show_message

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


class StyleChanges(QObject):
    """Counts the style changes a widget receives (each one polishes it again)."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StyleChange:
            self.n += 1
        return False


def test_the_message_line_colours_hides_and_polishes_only_on_a_change(qtbot: Any) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    label = QLabel(box)
    QVBoxLayout(box).addWidget(label)
    box.show()
    changes = StyleChanges()
    label.installEventFilter(changes)

    show_message(label, "驳回需填写理由。")
    assert label.text() == "驳回需填写理由。" and label.isVisible()
    assert label.styleSheet() == ERROR_STYLE and changes.n == 1
    for _ in range(5):  # the same error again and again: no new polish
        show_message(label, "驳回需填写理由。")
    show_message(label, "")
    assert not label.isVisible() and changes.n == 1  # cleared: hidden, still red-styled
    show_message(label, "已发送", error=False)
    assert label.isVisible() and label.styleSheet() == OK_STYLE and changes.n == 2
    show_message(label, "已发送", error=False)
    assert changes.n == 2
