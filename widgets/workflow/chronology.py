"""An incident's chronology: every recorded step with its time (Asia/Shanghai) and actor.

The hub keeps the steps (intake, plan, approvals, orders and receipts,
alerts, status changes) in the store; this dialog asks for them
(GetChronology) and turns each ``kind``/``detail`` into one readable line.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import Config
from console.hub.messages import GetChronology, Reply
from widgets.bridge import HubBridge
from widgets.panels.common import incident_status_text, incident_type_name
from widgets.workflow.alerts import alert_kind_text
from widgets.workflow.common import local_time, refused_text, show_message

ORDER_STATE_TEXT = cast(
    dict[str, str],
    {
        "pending": QT_TRANSLATE_NOOP("OrderState", "waiting to be sent"),
        "delivered": QT_TRANSLATE_NOOP("OrderState", "delivered"),
        "read": QT_TRANSLATE_NOOP("OrderState", "read"),
        "accepted": QT_TRANSLATE_NOOP("OrderState", "accepted"),
        "rejected": QT_TRANSLATE_NOOP("OrderState", "rejected"),
        "arrived": QT_TRANSLATE_NOOP("OrderState", "arrived on scene"),
        "finished": QT_TRANSLATE_NOOP("OrderState", "finished"),
        "expired": QT_TRANSLATE_NOOP("OrderState", "expired"),
        "cancelled": QT_TRANSLATE_NOOP("OrderState", "cancelled"),
    },
)


def order_state_text(state: str) -> str:
    """Display text of an order state."""
    src = ORDER_STATE_TEXT.get(state)
    return QCoreApplication.translate("OrderState", src) if src else state


MEDIA_ICON = QStyle.StandardPixmap.SP_FileDialogContentsView


def media_of(kind: str, detail: dict[str, Any]) -> int | None:
    """The photo or clip a chronology entry carries (its attachment id), else None."""
    key = {"feedback": "photo_id", "feedback_clip": "attachment_id"}.get(kind)
    value = detail.get(key) if key else None
    return int(value) if isinstance(value, int) else None


def step_text(kind: str, detail: dict[str, Any], config: Config | None = None) -> str:
    """One chronology entry in words."""
    d = detail or {}
    if kind == "created":
        t = str(d.get("incident_type", ""))
        name = incident_type_name(config, t) if config is not None else t
        return QCoreApplication.translate("Chronology", "Incident registered: %1").replace(
            "%1", name
        )
    if kind == "intake":
        return QCoreApplication.translate("Chronology", "Call taken at workstation %1").replace(
            "%1", str(d.get("workstation", ""))
        )
    if kind == "status":
        return QCoreApplication.translate("Chronology", "Status: %1 → %2").replace(
            "%1", incident_status_text(str(d.get("from", "")))
        ).replace("%2", incident_status_text(str(d.get("to", "")))) + (
            f" ({d['note']})" if d.get("note") else ""
        )
    if kind == "plan_proposed":
        return QCoreApplication.translate("Chronology", "Plan #%1 proposed").replace(
            "%1", str(d.get("plan_id", "?"))
        )
    if kind == "plan_first_approval":
        return (
            QCoreApplication.translate("Chronology", "First approval of plan #%1 (%2 needed)")
            .replace("%1", str(d.get("plan_id", "?")))
            .replace("%2", str(d.get("needed", 2)))
        )
    if kind == "plan_approve":
        return QCoreApplication.translate("Chronology", "Plan #%1 approved; orders sent").replace(
            "%1", str(d.get("plan_id", "?"))
        )
    if kind == "plan_dispatched_by_policy":
        return QCoreApplication.translate(
            "Chronology", "Plan #%1 dispatched under the approval policy (no approval needed)"
        ).replace("%1", str(d.get("plan_id", "?")))
    if kind == "plan_reject":
        return (
            QCoreApplication.translate("Chronology", "Plan #%1 rejected: %2")
            .replace("%1", str(d.get("plan_id", "?")))
            .replace("%2", str(d.get("reason", "")))
        )
    if kind.startswith("order_"):
        text = (
            QCoreApplication.translate("Chronology", "Order to %1: %2")
            .replace("%1", str(d.get("unit", "?")))
            .replace("%2", order_state_text(kind[len("order_") :]))
        )
        extra = d.get("reason") or d.get("outcome")
        return f"{text} ({extra})" if extra else text
    if kind == "reassigned":
        return (
            QCoreApplication.translate("Chronology", "Reassigned: %1 replaces %2")
            .replace("%1", str(d.get("to", "?")))
            .replace("%2", str(d.get("from", "?")))
        )
    if kind == "proposal_dismissed":
        text = QCoreApplication.translate("Chronology", "Proposal dismissed: %1").replace(
            "%1", str(d.get("proposed", "?"))
        )
        return f"{text} ({d['reason']})" if d.get("reason") else text
    if kind == "alert_acknowledged":
        return QCoreApplication.translate("Chronology", "Alert acknowledged: %1").replace(
            "%1", alert_kind_text(str(d.get("kind", "")))
        )
    if kind.startswith("alert_"):
        return QCoreApplication.translate("Chronology", "Alert: %1").replace(
            "%1", str(d.get("text", "")) or kind[len("alert_") :]
        )
    if kind == "feedback":  # an officer's report from the scene, maybe with a photo
        text = QCoreApplication.translate("Chronology", "Report from the scene: %1").replace(
            "%1", str(d.get("text", ""))
        )
        if d.get("photo_id") is not None:
            text += " " + QCoreApplication.translate("Chronology", "[photo]")
        if d.get("photo_refused"):
            text += " " + QCoreApplication.translate("Chronology", "(photo refused: %1)").replace(
                "%1", str(d["photo_refused"])
            )
        return text
    if kind == "feedback_clip":
        return (
            QCoreApplication.translate("Chronology", "Video clip from the scene (%1 s): %2")
            .replace("%1", str(d.get("seconds", "?")))
            .replace("%2", str(d.get("text", "")))
        )
    if kind == "merged":
        return QCoreApplication.translate(
            "Chronology", "Duplicate report #%1 merged into this incident"
        ).replace("%1", str(d.get("from", "?")))
    if kind == "call_merged":
        text = QCoreApplication.translate(
            "Chronology", "Call %1 merged into this incident"
        ).replace("%1", str(d.get("call", "?")))
        who = str(d.get("caller") or "")
        if who:
            text += " — " + QCoreApplication.translate("Chronology", "caller %1").replace("%1", who)
        if d.get("description"):
            text += f": {d['description']}"
        return text
    if kind == "detail" and set(d) == {"plan_id"}:
        return QCoreApplication.translate("Chronology", "Linked to plan #%1").replace(
            "%1", str(d["plan_id"])
        )
    if kind == "detail":
        return QCoreApplication.translate("Chronology", "Details: %1").replace("%1", _compact(d))
    return f"{kind}: {_compact(d)}" if d else kind


SYSTEM_ACTORS = cast(
    dict[str, str],
    {
        "system": QT_TRANSLATE_NOOP("Chronology", "system"),
        "planner": QT_TRANSLATE_NOOP("Chronology", "plan engine"),
        "terminal": QT_TRANSLATE_NOOP("Chronology", "terminal"),
    },
)


def actor_text(actor: str) -> str:
    """A person's name as is; the hub's own actors (system, planner, terminal) in words."""
    src = SYSTEM_ACTORS.get(actor)
    return QCoreApplication.translate("Chronology", src) if src else actor


def _compact(d: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in d.items() if v not in ("", None, [], {}))


class ChronologyDialog(QDialog):
    """The steps of one incident, oldest first; Refresh asks the hub again."""

    TIME, ACTOR, STEP = range(3)
    mediaRequested = Signal(int, int)
    """(incident id, attachment id): a report's photo or clip was double-clicked."""

    def __init__(
        self,
        bridge: HubBridge,
        incident_id: int,
        *,
        config: Config | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.config = config
        self.incident_id = int(incident_id)
        self.rows: list[dict[str, Any]] = []
        self.loads = 0
        self.table = QTableWidget(0, 3, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.cellDoubleClicked.connect(self._row_activated)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.ACTOR, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.STEP, QHeaderView.ResizeMode.Stretch)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.load)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message_label)
        lay.addLayout(buttons)
        self.resize(760, 460)
        self.retranslateUi()

    def retranslateUi(self) -> None:
        """Every text (also on LanguageChange)."""
        self.setWindowTitle(
            self.tr("Chronology of incident #%1").replace("%1", str(self.incident_id))
        )
        self.table.setHorizontalHeaderLabels(
            [self.tr("Time (Shanghai)"), self.tr("Who"), self.tr("Step")]
        )
        self.refresh_button.setText(self.tr("Refresh"))
        self.close_button.setText(self.tr("Close"))
        self.set_rows(self.rows)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def load(self) -> None:
        """Ask the hub for the chronology."""
        self.bridge.call(GetChronology(incident_id=self.incident_id), self._on_reply)

    def _on_reply(self, reply: Reply) -> None:
        self.loads += 1
        if not reply.ok:
            show_message(self.message_label, refused_text(reply.error))
            return
        if not isinstance(reply.result, list):
            show_message(self.message_label, refused_text(f"unexpected reply {reply.result!r}"))
            return
        show_message(self.message_label, "")
        self.set_rows([r for r in reply.result if isinstance(r, dict)])

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Show chronology rows ({t, actor, kind, detail}), oldest first."""
        self.rows = sorted(rows, key=lambda r: float(r.get("t", 0.0)))
        t = self.table
        t.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            detail = r.get("detail") if isinstance(r.get("detail"), dict) else {}
            cells = (
                local_time(float(r.get("t", 0.0)), with_date=True),
                actor_text(str(r.get("actor", ""))),
                step_text(str(r.get("kind", "")), detail or {}, self.config),
            )
            media = media_of(str(r.get("kind", "")), detail or {})
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == self.STEP:
                    tip = f"{r.get('kind', '')}: {_compact(detail or {})}"
                    if media is not None:
                        item.setIcon(self.style().standardIcon(MEDIA_ICON))
                        tip = self.tr("Double-click: the incident's photos and clips") + "\n" + tip
                    item.setToolTip(tip)
                t.setItem(i, c, item)

    def _row_activated(self, row: int, _column: int) -> None:
        """A report with a photo or clip: show the incident's photos and clips."""
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            detail = r.get("detail") if isinstance(r.get("detail"), dict) else {}
            media = media_of(str(r.get("kind", "")), detail or {})
            if media is not None:
                self.mediaRequested.emit(self.incident_id, media)

    def step_texts(self) -> list[str]:
        """The Step column as shown (oldest first)."""
        items = (self.table.item(i, self.STEP) for i in range(self.table.rowCount()))
        return [it.text() if it is not None else "" for it in items]
