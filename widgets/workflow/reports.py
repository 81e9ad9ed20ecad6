"""After-action and shift reports: printable (Qt print, PDF) and exportable (PDF, CSV).

A report is built as HTML for a :class:`QTextDocument` from the hub's record
(:mod:`console.history.record`, :mod:`console.history.report`), set in a CJK font so
Chinese prints (the PDF embeds the font), and paged by Qt with page numbers.  CSV files
are UTF-8 with a byte-order mark, so a spreadsheet opens the Chinese correctly.
Texts follow the interface language; names from the record (places, outcomes, notes)
are printed as recorded.
"""

from __future__ import annotations

import csv
import html
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QMarginsF, QUrl
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from console.config import Config
from console.history.shiftlog import parse_duty_change
from widgets.panels.common import incident_status_text, incident_type_name, priority_text
from widgets.workflow.alerts import alert_kind_text
from widgets.workflow.chronology import actor_text, order_state_text, step_text
from widgets.workflow.common import duration_text, local_time
from widgets.workflow.plan_review import plan_status_text

REPORT_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC")
BASE_PT = 9.0
CSS = """
body { font-size: 9pt; }
h1 { font-size: 16pt; margin-bottom: 2px; }
h2 { font-size: 12pt; margin-top: 12px; margin-bottom: 4px; color: #1a237e; }
table { border-collapse: collapse; }
th { background-color: #e8eaf6; font-weight: bold; }
td, th { border: 1px solid #9e9e9e; padding: 2px 4px; }
.late { color: #b71c1c; font-weight: bold; }
.met { color: #1b5e20; }
.muted { color: #607d8b; }
"""


def rtr(text: str) -> str:
    """Translate in the "Reports" context (the .ts file holds the Chinese; named so that
    lupdate, which knows no context for a module function, leaves these calls alone)."""
    return QCoreApplication.translate("Reports", text)


def report_font() -> QFont:
    """The report's font: the first installed CJK family (else the default)."""
    installed = set(QFontDatabase.families())
    family = next((f for f in REPORT_FONTS if f in installed), "")
    font = QFont(family) if family else QFont()
    font.setPointSizeF(BASE_PT)
    return font


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _t(t: object, with_date: bool = True) -> str:
    return local_time(float(t), with_date) if isinstance(t, (int, float)) else "—"


def _d(seconds: object) -> str:
    return duration_text(float(seconds)) if isinstance(seconds, (int, float)) else "—"


def _met(ok: object) -> str:
    if ok is None:
        return "—"
    return (
        f'<span class="met">✓ {rtr("met")}</span>'
        if ok
        else f'<span class="late">✗ {rtr("late")}</span>'
    )


def html_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int] = ()
) -> str:
    """An HTML table; cells are already escaped (or trusted markup)."""
    head = "".join(
        f'<th width="{widths[i]}%">{h}</th>' if i < len(widths) else f"<th>{h}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    if not body:
        body = f'<tr><td colspan="{len(headers)}" class="muted">{rtr("none")}</td></tr>'
    head_row = f"<tr>{head}</tr>" if head else ""
    return f'<table width="100%" cellspacing="0" cellpadding="3">{head_row}{body}</table>'


def facts_table(pairs: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f'<tr><th width="26%" align="left">{k}</th><td>{v}</td></tr>' for k, v in pairs)
    return f'<table width="100%" cellspacing="0" cellpadding="3">{rows}</table>'


# ------------------------------------------------------------------ after-action report


def after_action_html(record: dict[str, Any], config: Config) -> tuple[str, dict[str, QImage]]:
    """The after-action report of one incident, and the images it shows (photo thumbnails)."""
    inc = record["incident"]
    resp = record.get("response") or {}
    images: dict[str, QImage] = {}
    name = incident_type_name(config, str(inc["incident_type"]))
    parts = [
        f"<h1>{rtr('After-action report')} — {rtr('incident')} #{inc['id']} {esc(name)}</h1>",
        f'<p class="muted">{rtr("Generated from the command centre record.")} '
        f"{rtr('Times are Beijing time (UTC+8).')}</p>",
        facts_table(
            [
                (rtr("Incident"), f"#{inc['id']} {esc(name)}"),
                (
                    rtr("Priority / force level"),
                    f"{esc(priority_text(int(inc['priority'])))} / {inc['force_level']}",
                ),
                (rtr("Status"), esc(incident_status_text(str(inc["status"])))),
                (rtr("Place"), f"{esc(inc['address'])} ({inc['lon']:.5f}, {inc['lat']:.5f})"),
                (rtr("Caller"), esc(inc.get("caller", ""))),
                (rtr("Report"), esc(inc.get("description", ""))),
                (
                    rtr("Call taken"),
                    f"{_t(inc['created_at'])} · {esc(actor_text(inc['created_by']))}",
                ),
                (rtr("Ended"), _t(inc.get("closed_at"))),
                (rtr("Outcome"), esc(inc.get("outcome", ""))),
                (rtr("Units"), esc(", ".join(inc.get("units", [])))),
            ]
        ),
        f"<h2>{rtr('Response against the standard')}</h2>",
        facts_table(
            [
                (rtr("Call to first order"), _d(resp.get("dispatch_delay_s"))),
                (rtr("Call to first arrival"), _d(resp.get("call_to_arrival_s"))),
                (
                    rtr("First unit on scene"),
                    f"{esc(resp.get('first_unit', ''))} · {rtr('order to arrival')} "
                    f"{_d(resp.get('response_s'))} / {rtr('standard')} {_d(resp.get('standard_s'))}"
                    if resp.get("first_unit")
                    else "—",
                ),
                (rtr("Standard"), _met(resp.get("within_standard"))),
            ]
        ),
        f"<h2>{rtr('Plans and decisions')}</h2>",
    ]
    plan_rows = []
    for p in record.get("plans", []):
        who = [
            f"{_t(a['t'], False)} {esc(a['user'])} ({rtr('first approval')})"
            for a in p["first_approvals"]
        ]
        who += [
            f"{_t(d['t'], False)} {esc(d['user'])}: {esc(_decision_text(d['decision']))}"
            + (f" — {esc(d['reason'])}" if d.get("reason") else "")
            for d in p["decisions"]
        ]
        plan_rows.append(
            [
                f"#{p['plan_id']}",
                esc(plan_status_text(str(p["status"]))),
                f"{_t(p['created_at'], False)} {esc(actor_text(p['created_by']))}",
                str(p.get("force_level") or "?"),
                esc(", ".join(s["call_sign"] for s in p["slots"])),
                "<br/>".join(who) or "—",
            ]
        )
    parts.append(
        html_table(
            [
                rtr("Plan"),
                rtr("Status"),
                rtr("Proposed"),
                rtr("Level"),
                rtr("Units"),
                rtr("Decisions"),
            ],
            plan_rows,
            (7, 13, 19, 7, 24, 30),
        )
    )
    parts.append(f"<h2>{rtr('Orders and receipts')}</h2>")
    parts.append(
        html_table(
            [
                rtr("Unit"),
                rtr("Sent"),
                rtr("Delivered"),
                rtr("Accepted"),
                rtr("Arrived"),
                rtr("Finished"),
                rtr("Order to arrival"),
                rtr("Standard"),
                rtr("State"),
            ],
            [
                [
                    esc(o["call_sign"]),
                    _t(o["created_at"], False),
                    _t(o["delivered_at"], False),
                    _t(o["accepted_at"], False),
                    _t(o["arrived_at"], False),
                    _t(o["finished_at"], False),
                    _d(o["response_s"]),
                    f"{_d(o['standard_s'])} {_met(o['within_standard'])}",
                    esc(order_state_text(str(o["state"])))
                    + (f" ({esc(o['rejected_reason'])})" if o.get("rejected_reason") else ""),
                ]
                for o in record.get("orders", [])
            ],
        )
    )
    parts.append(f"<h2>{rtr('Chronology')}</h2>")
    parts.append(
        html_table(
            [rtr("Time"), rtr("Who"), rtr("What")],
            [
                [
                    _t(c["t"], False),
                    esc(actor_text(c["actor"])),
                    esc(step_text(c["kind"], c["detail"], config)),
                ]
                for c in record.get("chronology", [])
            ],
            (12, 16, 72),
        )
    )
    messages = record.get("messages")
    parts.append(f"<h2>{rtr('Messages and reports from the scene')}</h2>")
    msg_rows = [
        [
            _t(m["t"], False),
            esc(m.get("sender_name") or m.get("sender")),
            esc(m.get("to", "")),
            esc(m["text"]),
            esc(
                ", ".join(
                    f"{r['call_sign']}: {order_state_text(r['state'])}" for r in m["recipients"]
                )
            ),
        ]
        for m in (messages or [])
    ]
    msg_rows += [
        [_t(r["t"], False), esc(r["call_sign"]), rtr("command centre"), esc(r["text"]), ""]
        for r in record.get("reports", [])
    ]
    parts.append(
        html_table(
            [rtr("Time"), rtr("From"), rtr("To"), rtr("Text"), rtr("Read")],
            msg_rows,
            (12, 14, 14, 40, 20),
        )
        if messages is not None or msg_rows
        else f'<p class="muted">{rtr("This database keeps no messages.")}</p>'
    )
    photos = record.get("photos", [])
    parts.append(f"<h2>{rtr('Photos from the scene')}</h2>")
    if not photos:
        parts.append(f'<p class="muted">{rtr("none")}</p>')
    cells = []
    for p in photos:
        img = QImage.fromData(bytes(p.get("thumb") or b""))
        size = f"{p.get('width', '?')}×{p.get('height', '?')}"
        caption = f"{_t(p['t'], False)} {esc(p['call_sign'])} ({size})"
        if img.isNull():
            cells.append(caption)
            continue
        key = f"photo-{p['photo_id']}"
        images[key] = img
        cells.append(f'<img src="{key}" width="{min(img.width(), 220)}"/><br/>{caption}')
    for k in range(0, len(cells), 3):
        parts.append(html_table([], [cells[k : k + 3]]))
    return html_document(parts), images


# ------------------------------------------------------------------ shift report


def shift_report_html(rep: dict[str, Any], config: Config) -> str:
    """The shift report (see :mod:`console.history.report`) as HTML."""
    t = rep["totals"]
    parts = [
        f"<h1>{rtr('Shift report')}</h1>",
        f"<p>{_t(rep['t0'])} — {_t(rep['t1'])}"
        f' <span class="muted">· {rtr("generated")} {_t(rep.get("generated_at"))}'
        f" {rtr('by')} {esc(rep.get('generated_by', ''))}"
        f" · {rtr('Times are Beijing time (UTC+8).')}</span></p>",
        facts_table(
            [
                (
                    rtr("Incidents handled"),
                    f"{t['active']} ({rtr('new')} {t['new']}, "
                    f"{rtr('carried over')} {t['carried_over']})",
                ),
                (rtr("Closed / cancelled"), f"{t['closed']} / {t['cancelled']}"),
                (rtr("Still open at the end"), str(t["open_at_end"])),
                (
                    rtr("By type"),
                    esc(
                        ", ".join(
                            f"{incident_type_name(config, k)} {v}"
                            for k, v in sorted(t["by_type"].items(), key=lambda kv: -kv[1])
                        )
                    ),
                ),
                (
                    rtr("By priority"),
                    esc(
                        ", ".join(
                            f"{priority_text(int(k))} {v}" for k, v in t["by_priority"].items()
                        )
                    ),
                ),
            ]
        ),
        f"<h2>{rtr('Response times against the standards')}</h2>",
        html_table(
            [
                rtr("Standard"),
                rtr("Limit"),
                rtr("Arrivals"),
                rtr("Within"),
                rtr("Mean"),
                rtr("90 %"),
                rtr("Worst"),
            ],
            [
                [
                    esc(_standard_name(config, r["standard"])),
                    _d(r["standard_s"]),
                    str(r["arrivals"]),
                    f'<span class="{"met" if r["within_share"] >= 0.9 else "late"}">'
                    f"{r['within']} ({r['within_share']:.0%})</span>",
                    _d(r["mean_s"]),
                    _d(r["p90_s"]),
                    _d(r["max_s"]),
                ]
                for r in rep["response"]
            ],
        ),
        f"<h2>{rtr('Incidents')}</h2>",
        html_table(
            [
                rtr("No."),
                rtr("Call"),
                rtr("Type"),
                rtr("P"),
                rtr("Place"),
                rtr("Status"),
                rtr("Call to arrival"),
                rtr("Standard"),
                rtr("Approved by"),
                rtr("Outcome"),
            ],
            [
                [
                    f"#{i['id']}",
                    _t(i["created_at"], False),
                    esc(incident_type_name(config, i["incident_type"])),
                    esc(priority_text(int(i["priority"]))),
                    esc(i["address"]),
                    esc(incident_status_text(i["status"])),
                    _d(i["response"]["call_to_arrival_s"]),
                    _met(i["response"]["within_standard"]),
                    esc(", ".join(i.get("approved_by", []))),
                    esc(i.get("outcome", "")),
                ]
                for i in rep["incidents"]
            ],
            (6, 8, 9, 5, 20, 9, 9, 8, 12, 14),
        ),
        f"<h2>{rtr('Units')}</h2>",
        html_table(
            [
                rtr("Unit"),
                rtr("Type"),
                rtr("Orders"),
                rtr("Incidents"),
                rtr("Arrivals"),
                rtr("Refused"),
                rtr("Mean response"),
                rtr("Within standard"),
                rtr("Time on task"),
            ],
            [
                [
                    esc(u["call_sign"]),
                    esc(_unit_type_name(config, u["unit_type"])),
                    str(u["orders"]),
                    str(u["incidents"]),
                    str(u["arrivals"]),
                    str(u["refused"]),
                    _d(u["mean_response_s"]),
                    "—" if u["within_share"] is None else f"{u['within_share']:.0%}",
                    _d(u["time_on_task_s"]),
                ]
                for u in rep["units"]
            ],
        ),
        f"<h2>{rtr('Alerts')}</h2>",
        html_table(
            [rtr("Time"), rtr("Incident"), rtr("Kind"), rtr("Text"), rtr("Acknowledged")],
            [
                [
                    _t(a["t"], False),
                    f"#{a['incident_id']}",
                    esc(alert_kind_text(a["kind"])),
                    esc(a["text"]),
                    f"{esc(a['acked_by'])} {_t(a['acked_at'], False)}" if a["acked_by"] else "—",
                ]
                for a in rep["alerts"]
            ],
            (10, 8, 16, 50, 16),
        ),
        f"<h2>{rtr('Who approved what')}</h2>",
        "<p>"
        + (
            esc(", ".join(f"{u}: {n}" for u, n in sorted(rep["approvals_by_user"].items())))
            or rtr("none")
        )
        + "</p>",
        html_table(
            [
                rtr("Time"),
                rtr("Supervisor"),
                rtr("Decision"),
                rtr("Plan"),
                rtr("Incident"),
                rtr("Reason"),
            ],
            [
                [
                    _t(a["t"], False),
                    esc(a["user"]),
                    esc(_decision_text(a["decision"])),
                    f"#{a['plan_id']}",
                    f"#{a['incident_id']}",
                    esc(a["reason"]),
                ]
                for a in rep["approvals"]
            ],
        ),
        f"<h2>{rtr('Shift log')}</h2>",
        html_table(
            [rtr("Time"), rtr("Who"), rtr("Entry")],
            [[_t(e["t"], False), esc(e["actor"]), esc(_log_text(e))] for e in rep.get("log", [])],
            (12, 16, 72),
        ),
    ]
    return html_document(parts)


def _decision_text(decision: str) -> str:
    return {
        "approve": rtr("approved"),
        "first_approval": rtr("first approval"),
        "reject": rtr("rejected"),
        "amend": rtr("amended"),
    }.get(decision, decision)


def duty_change_display(text: str, translate: Callable[[str], str]) -> str:
    """A roster ``duty_change`` line in the reader's language ("上岗: G-1, G-2 (2026-05-29 白班
    08:00-20:00)"); the stored English text as it is when it does not parse."""
    groups = parse_duty_change(text)
    if groups is None:
        return text
    out = []
    for on, units, line in groups:
        head = translate("On duty:") if on else translate("Off duty:")
        out.append(f"{head} {', '.join(units)}" + (f" ({line})" if line else ""))
    return "; ".join(out)


def _log_text(e: dict[str, Any]) -> str:
    if e["kind"] == "duty_change":
        return rtr("Duty roster:") + " " + duty_change_display(str(e["text"]), rtr)
    kind = {
        "note": "",
        "sign_in": rtr("Signed in:") + " ",
        "handover": rtr("Handover:") + " ",
        "handover_ack": rtr("Handover acknowledged:") + " ",
    }.get(str(e["kind"]), f"{e['kind']}: ")
    suffix = f" (#{e['incident_id']})" if e.get("incident_id") else ""
    return f"{kind}{e['text']}{suffix}"


def _standard_name(config: Config, key: str) -> str:
    from widgets.i18n import is_chinese

    st = config.arrival_standards.get(key)
    if st is None:
        return key
    return st.name_zh if is_chinese() else st.name_en


def _unit_type_name(config: Config, key: str) -> str:
    from widgets.panels.common import unit_type_name

    return unit_type_name(config, key)


def html_document(parts: list[str]) -> str:
    return f"<html><head><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"


# ------------------------------------------------------------------ documents, PDF, print


def make_document(body: str, images: dict[str, QImage] | None = None) -> QTextDocument:
    """A paged-ready document in the report font with its images."""
    doc = QTextDocument()
    doc.setDefaultFont(report_font())
    doc.setDefaultStyleSheet(CSS)
    for key, img in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(key), img)
    doc.setHtml(body)
    return doc


def write_pdf(doc: QTextDocument, path: Path | str, title: str) -> Path:
    """Print the document to an A4 PDF (fonts embedded, pages numbered); returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("Command and Dispatch Console")
    doc.print_(writer)
    del writer  # finishes the file
    if not out.exists() or out.stat().st_size == 0:
        raise OSError(f"the PDF could not be written to {out}")
    return out


def print_document(doc: QTextDocument, parent: Any = None) -> bool:
    """Ask for a printer (Qt's print dialog) and print; False if the user cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    doc.print_(printer)
    return True


# ------------------------------------------------------------------ CSV


def write_csv(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """UTF-8 (with BOM, for spreadsheets) CSV; returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(header))
        for r in rows:
            w.writerow(["" if v is None else _csv_value(v) for v in r])
    return out


def _csv_value(v: object) -> object:
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    return v


def incident_csv(record: dict[str, Any], config: Config) -> tuple[list[str], list[list[object]]]:
    """One incident as CSV: a row per chronology step (time, actor, kind, text)."""
    iid = record["incident"]["id"]
    header = ["incident", "time_local", "t_unix", "actor", "kind", "text"]
    rows: list[list[object]] = [
        [
            iid,
            local_time(c["t"], True),
            round(float(c["t"]), 3),
            c["actor"],
            c["kind"],
            step_text(c["kind"], c["detail"], config),
        ]
        for c in record.get("chronology", [])
    ]
    return header, rows


def incidents_csv(
    incidents: Sequence[dict[str, Any]], config: Config
) -> tuple[list[str], list[list[object]]]:
    """Incidents as CSV (search results or a shift report): a row per incident."""
    header = [
        "incident",
        "type",
        "type_name",
        "priority",
        "force_level",
        "status",
        "address",
        "lon",
        "lat",
        "call_local",
        "ended_local",
        "units",
        "call_to_arrival_s",
        "within_standard",
        "approved_by",
        "outcome",
    ]
    rows: list[list[object]] = []
    for i in incidents:
        r = i.get("response") or {}
        rows.append(
            [
                i["id"],
                i["incident_type"],
                incident_type_name(config, i["incident_type"]),
                i["priority"],
                i["force_level"],
                i["status"],
                i["address"],
                round(float(i["lon"]), 6),
                round(float(i["lat"]), 6),
                local_time(i["created_at"], True),
                local_time(i["closed_at"], True) if i.get("closed_at") else "",
                " ".join(i.get("units", [])),
                ""
                if r.get("call_to_arrival_s") is None
                else round(float(r["call_to_arrival_s"]), 1),
                "" if r.get("within_standard") is None else int(bool(r["within_standard"])),
                " ".join(i.get("approved_by", [])),
                i.get("outcome", ""),
            ]
        )
    return header, rows
