"""The order card as an officer reads it at a glance, and the turns of the route by street.

Big type for what matters on the move (what happened, where, the role, how soon),
the caller's own words and callback number, who else is coming, and who approved
it; the changes of an update on top.  Rich text in one label: it wraps on a phone
and needs no layout of its own.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QScrollArea, QWidget

from console.link import protocol as p
from console.link.order_card import distance_text, eta_text, step_text
from widgets.terminal.texts import say

PRIORITY_COLOUR = {1: "#c62828", 2: "#ef6c00", 3: "#1565c0", 4: "#455a64"}
TURN_GLYPH = {
    "depart": "↑",
    "straight": "↑",
    "slight_left": "↖",
    "left": "←",
    "sharp_left": "↙",
    "slight_right": "↗",
    "right": "→",
    "sharp_right": "↘",
    "uturn": "↶",
    "arrive": "◎",
}


def _e(text: object) -> str:
    return html.escape(str(text))


def card_html(
    order: p.OrderBody, state: str, own: str, lang: str = "zh", compact: bool = False
) -> str:
    """The card as rich text (``compact``: a phone's narrow column)."""
    zh = lang == "zh"
    card = order.card
    big = "20pt" if compact else "22pt"
    mid = "14pt" if compact else "15pt"
    small = "10.5pt"
    if card is None:  # a hub of an older build: the order's own fields
        return (
            f"<p style='font-size:{big};font-weight:bold'>{_e(order.incident_type)} "
            f"P{order.priority}</p><p style='font-size:{mid}'>{_e(order.role)}<br>"
            f"{_e(order.address)}</p><p>{_e(order.briefing)}</p>"
        )
    colour = PRIORITY_COLOUR.get(card.priority, "#333")
    parts: list[str] = []
    if card.changes_zh:
        what = "、".join(card.changes_zh) if zh else ", ".join(card.changes_en)
        parts.append(
            f"<p style='background:#fff3cd;color:#7a4f01;font-size:{mid};padding:4px'>"
            f"{_e(say('order_update', lang, what=what))}</p>"
        )
    parts.append(
        f"<p style='margin:0'><span style='font-size:{big};font-weight:bold;color:{colour}'>"
        f"{_e(card.type_zh if zh else card.type_en)} · P{card.priority}</span>"
        f"<span style='font-size:{small};color:#666'>&nbsp;&nbsp;{_e(say('incident', lang))} "
        f"{_e(card.incident_no)}</span></p>"
    )
    parts.append(
        f"<p style='margin:2px 0;font-size:{mid};color:#555'>"
        f"{_e(say('state_' + state, lang)) if state else ''}</p>"
    )
    role = card.role_zh if zh else card.role_en
    parts.append(
        f"<p style='margin:4px 0;font-size:{big};font-weight:bold'>{_e(say('role', lang))}："
        f"{_e(role)}</p>"
    )
    street = f" ({_e(card.street)})" if card.street else ""
    parts.append(
        f"<p style='margin:4px 0;font-size:{mid}'><b>{_e(say('place', lang))}：{_e(card.place)}"
        f"</b>{street}</p>"
    )
    eta = f"{_e(say('eta', lang))} {eta_text(card.eta_s, lang)}"
    if card.distance_m is not None:
        eta += f" · {distance_text(card.distance_m, lang)}"
    force = card.force_zh if zh else card.force_en
    parts.append(
        f"<p style='margin:2px 0;font-size:{mid}'>{eta} &nbsp;|&nbsp; "
        f"{_e(say('force', lang))} {card.force_level} {_e(force)}</p>"
    )
    parts.append(
        f"<p style='margin:6px 0 0 0;font-size:{small};color:#666'>{_e(say('report', lang))}</p>"
        f"<p style='margin:0;font-size:{mid};background:#f3f3f3;padding:4px'>"
        f"“{_e(card.report or '-')}”</p>"
        f"<p style='margin:2px 0;font-size:{mid}'>{_e(say('callback', lang))}："
        f"<b>{_e(card.callback or '-')}</b></p>"
    )
    for c in card.more_calls:
        parts.append(
            f"<p style='margin:2px 0;font-size:{mid}'>{_e(say('more_calls', lang))} "
            f"<b>{_e(c.number or '-')}</b>：{_e(c.text)}</p>"
        )
    if order.instructions:
        parts.append(
            f"<p style='margin:4px 0;font-size:{small};color:#444'>"
            f"{_e(say('instructions', lang))}：{_e(order.instructions)}</p>"
        )
    if card.team:
        rows = []
        for m in card.team:
            me = m.call_sign == own
            name = f"<b>{_e(m.call_sign)}</b>" + (f" ({_e(say('me', lang))})" if me else "")
            rows.append(
                f"<tr style='{'background:#e3f2fd' if me else ''}'><td>{name}</td>"
                f"<td>&nbsp;{_e(m.role_zh if zh else m.role_en)}</td>"
                f"<td align='right'>&nbsp;{eta_text(m.eta_s, lang)}</td></tr>"
            )
        more = card.team_total - len(card.team)
        tail = f"<p style='font-size:{small}'>+{more}</p>" if more > 0 else ""
        parts.append(
            f"<p style='margin:6px 0 0 0;font-size:{small};color:#666'>{_e(say('team', lang))} "
            f"({card.team_total})</p><table style='font-size:{mid}' cellspacing='0'>"
            + "".join(rows)
            + "</table>"
            + tail
        )
    parts.append(
        f"<p style='margin:6px 0 0 0;font-size:{small};color:#666'>{_e(say('coords', lang))} "
        f"GCJ-02 {card.lat_gcj:.6f}, {card.lon_gcj:.6f} · WGS84 {card.lat:.6f}, "
        f"{card.lon:.6f}</p>"
    )
    if card.approved_by:
        parts.append(
            f"<p style='margin:2px 0;font-size:{small};color:#666'>{_e(say('approved', lang))}："
            f"{_e('、'.join(card.approved_by) if zh else ', '.join(card.approved_by))}</p>"
        )
    if card.notes:
        parts.append(
            f"<p style='margin:2px 0;font-size:{small};color:#666'>{_e(say('notes', lang))}："
            f"{_e(card.notes)}</p>"
        )
    return "".join(parts)


class CardView(QScrollArea):
    """The current order's card (or "no order"), scrollable on a small screen."""

    def __init__(self, lang: str = "zh", compact: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.compact = compact
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setContentsMargins(12, 8, 12, 8)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.show_order(None, "", "")

    def show_order(self, order: p.OrderBody | None, state: str, own: str) -> None:
        if order is None:
            self.label.setText(
                f"<p style='font-size:20pt;color:#555'>{_e(say('no_order', self.lang))}</p>"
                f"<p style='font-size:13pt;color:#777'>{_e(say('no_order_hint', self.lang))}</p>"
            )
            return
        self.label.setText(card_html(order, state, own, self.lang, self.compact))


class StepsView(QListWidget):
    """The route's turns by street, one big line each."""

    def __init__(self, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        f = QFont(self.font())
        f.setPointSizeF(max(f.pointSizeF() * 1.6, 14.0))
        self.setFont(f)
        self.setWordWrap(True)
        self.setSpacing(3)

    def show_card(self, card: p.OrderCard | None) -> None:
        self.clear()
        if card is None:
            return
        if not card.steps:
            self.addItem(QListWidgetItem(say("route_none", self.lang)))
            return
        for s in card.steps:
            self.addItem(
                QListWidgetItem(f"{TURN_GLYPH.get(s.turn, '·')}  {step_text(s, self.lang)}")
            )
