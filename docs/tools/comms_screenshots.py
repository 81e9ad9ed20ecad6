"""Render the communications screenshots of the documentation from the real demo hub.

    python docs/tools/comms_screenshots.py [docs/]      (offscreen is fine: no web views)
    python docs/tools/comms_screenshots.py --merge-ts resources/i18n/console_zh_CN.ts

Starts the embedded demo hub in a temporary database with its terminal link (CURVE on
loopback) and real terminals (the library the officers' apps use) for the units of a knife
attack on 南京东路步行街.  The command room writes to the incident's units, the officers
read it and report from the scene with photos and a short clip, the operator replies to
one of them; then it saves:

- ``screenshot-messages.png``: the window with the Messages dock in front: the thread
  both ways with delivery and read receipts, the reports with their thumbnails;
- ``screenshot-incident-media.png``: the same window with the Photos and clips dock in
  front, and the large view of one photo.

The pictures are drawn here and say so ("演示图片"); nothing comes from a real scene.

Translations: the Chinese of the communications texts is in :data:`ZH` below until it is
merged into ``resources/i18n/console_zh_CN.ts`` (``--merge-ts`` does that, then
``pyside6-lrelease`` or the console's own recompile makes the ``.qm``).  Until then the
script lays :data:`ZH` over the catalogue so the screenshots show what the merged
catalogue will show (a merged copy compiled in a temporary folder).  Hub and audit keys
go to a temporary key folder, never the user's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere: find the project's packages
    sys.path.insert(0, str(ROOT))

ZH: dict[str, dict[str, str]] = {
    "AlertKind": {
        "No terminal online": "无在线终端",
        "Approved without orders": "已批准但无指令",
        "Database cannot be written": "数据库无法写入",
        "Database writable again": "数据库已恢复写入",
        "Report from the scene": "现场反馈",
    },
    "AlertsBoard": {
        "Record delivery by radio or phone…": "登记电台/电话下达…",
    },
    "AttachmentViewer": {
        "%1 from %2 — incident #%3": "%1 — 来自 %2 — 警情 #%3",
        "Play": "播放",
        "Save…": "保存…",
        "Close": "关闭",
        "This picture cannot be shown.": "无法显示此图片。",
        "Save attachment": "保存附件",
        "Could not save: %1": "保存失败: %1",
        "Saved to %1": "已保存到 %1",
        "Opened in the system video player (%1)": "已用系统播放器打开 (%1)",
        "No video player on this workstation: the clip was saved to %1": (
            "本机没有视频播放器: 视频已保存到 %1"
        ),
    },
    "CommsTools": {
        "Photos and clips": "照片和视频",
        "&Communications": "通讯(&O)",
        "&Messages with the officers": "与民警的消息(&M)",
        "&Photos and clips of the selected incident": "所选警情的照片和视频(&P)",
        "&Record an order delivered by radio or phone…": "登记用电台或电话下达的指令(&R)…",
        "For the selected (or most urgent) “no terminal” alert": (
            "针对所选 (或最紧急) 的“无在线终端”告警"
        ),
        "Messages (%1 new)": "消息 (%1 条新)",
        "Messages": "消息",
        "No open “no terminal” alert: every order reached a terminal.": (
            "没有未处理的“无在线终端”告警: 所有指令均已送达终端。"
        ),
        "Cannot record this delivery: %1": "无法登记此次下达: %1",
        "Recorded: the order for %1 was delivered by hand.": "已登记: %1 的指令已人工下达。",
    },
    "IncidentMedia": {
        "Photo": "照片",
        "Video clip": "视频",
    },
    "IncidentMediaPanel": {
        "Open": "打开",
        "Save with the incident…": "随警情保存…",
        "Save every photo and clip of the incident into one folder, with a list": (
            "把本警情的全部照片和视频存入一个文件夹, 附清单"
        ),
        "Refresh": "刷新",
        "Select an incident to see its photos and clips.": "请选择警情以查看其照片和视频。",
        "Incident #%1: no photos or clips from the scene yet.": "警情 #%1: 暂无现场照片或视频。",
        "Incident #%1: %2 photos, %3 clips": "警情 #%1: 照片 %2 张, 视频 %3 段",
        "Save with the incident": "随警情保存",
        "Not all files were saved: %1": "部分文件未能保存: %1",
        "%1 files saved with the incident in %2": "已随警情保存 %1 个文件到 %2",
    },
    "ManualDelivery": {
        "Radio": "电台",
        "Phone": "电话",
        "In person": "当面",
    },
    "ManualDeliveryDialog": {
        "Order delivered by radio or phone": "用电台或电话下达的指令",
        "No terminal could receive the order for %1 (incident #%2). Record how it reached "
        "the unit; the order then moves on as if the terminal had confirmed it.": (
            "%1 的指令 (警情 #%2) 无终端可接收。请登记指令是如何送达该单位的; "
            "登记后指令状态将如同终端确认一样推进。"
        ),
        "Delivered by": "下达方式",
        "Who answered": "接收人",
        "name or badge number of the officer": "民警姓名或警号",
        "When (Shanghai)": "时间 (北京时间)",
        "The officer accepted the order": "民警已接受指令",
        "Record delivery": "登记下达",
        "Cancel": "取消",
    },
    "MessageDialog": {
        "Message to %1": "发消息给 %1",
    },
    "MessageState": {
        "waiting": "待送达",
        "delivered": "已送达",
        "read": "已读",
        "not delivered (expired)": "未送达 (已过期)",
        "received": "已收到",
    },
    "MessageThread": {
        "Time": "时间",
        "From → to": "发送 → 接收",
        "Message": "内容",
        "State": "状态",
        "read %1/%3 · delivered %2/%3": "已读 %1/%3 · 已送达 %2/%3",
        "[video clip]": "[视频]",
        "[photo]": "[照片]",
        "[photo refused: %1]": "[照片被拒: %1]",
        "%1 → command room": "%1 → 指挥中心",
    },
    "Messages": {
        "station %1": "%1",
        "every unit of incident #%1": "警情 #%1 的全部单位",
    },
    "MessagesPanel": {
        "every unit of the incident": "本警情全部单位",
        "one unit": "单个单位",
        "every unit of a station": "某派出所全部单位",
        "To:": "发给:",
        "Send": "发送",
        "Send to the terminals (Ctrl+Enter)": "发送到终端 (Ctrl+Enter)",
        "Message to the officers (delivered to their terminals, read receipts)": (
            "给民警的消息 (发送到终端, 有已读回执)"
        ),
        "call sign": "呼号",
        "Write a message first.": "请先填写消息内容。",
        "The message is too long (%1 characters, at most %2).": (
            "消息过长 (%1 个字符, 最多 %2 个)。"
        ),
        "Select an incident first.": "请先选择警情。",
        "Name the unit (call sign).": "请填写单位呼号。",
        "Choose a station.": "请选择派出所。",
        "Sent to %1.": "已发送给 %1。",
        "Sent to %1 units.": "已发送给 %1 个单位。",
        "No terminal: %1 — reach them by radio or phone.": "无终端: %1 — 请用电台或电话联系。",
    },
}
"""Chinese of the communications texts: context -> English source -> Chinese."""


# ------------------------------------------------------------------ the catalogue


def merge_ts(path: Path) -> int:
    """Add :data:`ZH` to a Qt Linguist file (a finished translation replaces an
    unfinished one; a finished one is kept); how many messages were added or finished."""
    tree = ET.parse(path)
    root = tree.getroot()
    contexts = {c.findtext("name", ""): c for c in root.iter("context")}
    changed = 0
    for name in sorted(ZH):
        ctx = contexts.get(name)
        if ctx is None:
            ctx = ET.SubElement(root, "context")
            ET.SubElement(ctx, "name").text = name
            contexts[name] = ctx
        have = {m.findtext("source", ""): m for m in ctx.iter("message")}
        for source, text in sorted(ZH[name].items()):
            msg = have.get(source)
            if msg is None:
                msg = ET.SubElement(ctx, "message")
                ET.SubElement(msg, "source").text = source
                ET.SubElement(msg, "translation")
            tr = msg.find("translation")
            if tr is None:
                tr = ET.SubElement(msg, "translation")
            if tr.get("type") in (None, "") and (tr.text or "").strip():
                continue  # finished already: a human's wording wins
            tr.attrib.pop("type", None)
            tr.text = text
            changed += 1
    ET.indent(tree, space="    ")
    body = ET.tostring(root, encoding="unicode")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )
    return changed


def catalogue_with_zh(tmp: Path) -> Path | None:
    """The console's catalogue with :data:`ZH` merged in, compiled in ``tmp`` (None
    without ``pyside6-lrelease``): what the screenshots show until the merge is done."""
    import shutil
    import subprocess

    from widgets.i18n import lrelease_executable, ts_path

    tool = lrelease_executable()
    if tool is None:
        return None
    ts = tmp / "console_zh_CN.ts"
    shutil.copyfile(ts_path("zh_CN"), ts)
    merge_ts(ts)
    qm = ts.with_suffix(".qm")
    subprocess.run([tool, str(ts), "-qm", str(qm)], check=True, capture_output=True, timeout=120)
    return qm


# ------------------------------------------------------------------ the scene

T_START = 1_780_034_700.0  # 2026-05-29 14:05 Asia/Shanghai
SCENE = (121.4737, 31.2304)
ADDRESS = "南京东路步行街 (近河南中路)"
TO_UNITS = "嫌疑人男性约30岁, 黑色外套, 持刀向河南中路方向逃离, 注意自身安全"
REPORTS = [
    "已到达现场, 伤者一名, 左臂刀伤, 意识清醒, 已呼叫120",
    "嫌疑人已在河南中路口被控制, 凶器已收缴",
    "现场视频: 嫌疑人逃离方向",
]
REPLY = "收到, 120预计3分钟到达, 请保护现场、留存监控"


def scene_jpeg(title: str, hue: int, w: int = 960, h: int = 720) -> bytes:
    """A drawn stand-in for a scene photo (labelled as a demo picture), as JPEG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter

    img = QImage(w, h, QImage.Format.Format_RGB32)
    p = QPainter(img)
    sky = QLinearGradient(0, 0, 0, h)
    sky.setColorAt(0.0, QColor.fromHsv(hue, 60, 235))
    sky.setColorAt(1.0, QColor.fromHsv(hue, 90, 120))
    p.fillRect(0, 0, w, h, sky)
    p.fillRect(0, int(h * 0.62), w, h, QColor("#5f6368"))  # the street
    for k in range(6):  # shop fronts
        p.fillRect(40 + k * 155, int(h * 0.25), 120, int(h * 0.37), QColor.fromHsv(hue, 40, 200))
    p.setPen(QColor("white"))
    for k in range(8):  # lane marks
        p.fillRect(30 + k * 125, int(h * 0.8), 70, 10, QColor("#eeeeee"))
    p.fillRect(int(w * 0.55), int(h * 0.55), 190, 110, QColor("#1e88e5"))  # a police car
    p.fillRect(int(w * 0.55), int(h * 0.55), 190, 22, QColor("#e53935"))
    font = QFont("WenQuanYi Micro Hei", 30)
    font.setBold(True)
    p.setFont(font)
    p.fillRect(0, 0, w, 70, QColor(0, 0, 0, 130))
    p.drawText(QRect(20, 0, w - 40, 70), Qt.AlignmentFlag.AlignVCenter, title)
    p.setFont(QFont("WenQuanYi Micro Hei", 20))
    p.drawText(
        QRect(20, h - 50, w - 40, 40),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        "演示图片 demo picture",
    )
    p.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "JPG", 85)
    return bytes(data.data())


def scene_clip(path: Path) -> tuple[Any, bytes]:
    """A 4 s drawn clip (a dot running off to the right), transcoded as a terminal does."""
    import cv2
    import numpy as np

    from console.terminal.media import transcode_clip

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (640, 360))
    for k in range(100):
        f = np.full((360, 640, 3), (90, 96, 100), np.uint8)
        f[220:, :] = (60, 60, 60)
        cv2.circle(f, (80 + 5 * k, 230), 26, (40, 40, 40), -1)
        writer.write(f)
    writer.release()
    return transcode_clip(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("out", nargs="?", default="docs", type=Path)
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--size", default="1600x960", help="window size, WIDTHxHEIGHT")
    ap.add_argument("--merge-ts", type=Path, help="add the Chinese texts to this .ts and stop")
    args = ap.parse_args(argv)
    if args.merge_ts is not None:
        print(f"{merge_ts(args.merge_ts)} messages added or finished in {args.merge_ts}")
        return 0
    width, height = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="comms-shots-") as tmp:
        from console.link.keys import KEY_DIR_ENV, create_hub_keys

        keydir = Path(tmp) / "keys"
        create_hub_keys(keydir)
        os.environ[KEY_DIR_ENV] = str(keydir)
        return render(args.out, args.lang, width, height, Path(tmp))


def render(out: Path, lang: str, width: int, height: int, tmp: Path) -> int:
    from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTranslator

    from console.hub.bootstrap import start_embedded_hub
    from console.hub.client import InprocClient
    from console.hub.messages import ApprovePlan, CreateIncident, GetPlan
    from console.hub.messaging import SendMessage
    from console.link.keys import KeyPair, TerminalKey, load_or_create_hub_keys
    from console.link.node import HubNode
    from console.link.officer_loop import attach
    from console.link.trust import enroll_keys
    from console.terminal.client import TerminalClient
    from console.terminal.localstore import SqliteStore
    from widgets.app import prepare_application, spin, wait_for
    from widgets.bridge import HubBridge
    from widgets.comms_tools import CommsTools, install_comms_tools
    from widgets.i18n import LanguageManager
    from widgets.main_window import MainWindow
    from widgets.workflow.messages_panel import TARGET_UNIT

    app = prepare_application([sys.argv[0]])
    LanguageManager(app).set_language(lang)
    qm = catalogue_with_zh(tmp) if lang.startswith("zh") else None
    if qm is not None:  # until ZH is in the catalogue: the merged copy, laid over it
        overlay = QTranslator(app)
        if overlay.load(str(qm)):
            QCoreApplication.installTranslator(overlay)
    out.mkdir(parents=True, exist_ok=True)

    class Clock:
        def __init__(self, t: float) -> None:
            self.t = t

        def __call__(self) -> float:
            return self.t

        def advance(self, s: float) -> float:
            self.t += s
            return self.t

    clock = Clock(T_START)
    hub = start_embedded_hub(f"sqlite:///{tmp}/hub.db", simulate=True, clock=clock)
    node = HubNode(
        hub.store,
        load_or_create_hub_keys(tmp / "hubkeys"),
        "tcp://127.0.0.1:0",
        hub=hub,
        clock=clock,
    )
    attach(hub, node.link)
    node.start()
    bridge = HubBridge(InprocClient(hub, actor="王值班", role="operator", workstation="A1"))
    settings = QSettings(str(tmp / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bridge, hub.config, settings=settings)
    tools: CommsTools = getattr(window, "comms_tools", None) or install_comms_tools(window)
    terminals: list[tuple[TerminalClient, SqliteStore]] = []
    try:
        window.resize(width, height)
        window.show()
        window.start()
        wait_for(lambda: window.is_loaded, 60)
        op = InprocClient(hub, actor="王值班", role="operator", workstation="A1")
        sups = [InprocClient(hub, actor=n, role="supervisor") for n in ("李组长", "赵组长")]
        r = op.call(
            CreateIncident(
                incident_type="knife_attack",
                lon=SCENE[0],
                lat=SCENE[1],
                address=ADDRESS,
                caller="13916248801",
                description="一男子持刀划伤路人后逃跑",
            )
        )
        assert r.ok, r.error
        iid = int(r.result["incident_id"])
        plan = op.call(GetPlan(incident_id=iid)).result
        signs = [str(s["call_sign"]) for s in plan.body["slots"]]
        # every unit of the plan but the last has its terminal on the air
        events: dict[str, list[tuple[str, Any]]] = {}
        for cs in signs[:-1]:
            key = TerminalKey(cs, KeyPair.generate(), node.hub_keys.public)
            enroll_keys(hub.store, [(cs, key.keys.public)])
            store = SqliteStore(tmp / f"t-{cs}.sqlite3")
            got: list[tuple[str, Any]] = []
            events[cs] = got
            client = TerminalClient(
                key,
                node.link.endpoint,
                store,
                on_event=lambda k, p, got=got: got.append((k, p)),
                clock=clock,
            )
            client.start()
            terminals.append((client, store))
            wait_for(lambda c=client: c.connected, 30)
        for k in range(plan.approvals_needed):
            sups[k].call(ApprovePlan(plan_id=plan.plan_id))
        wait_for(lambda: all(any(k == "order" for k, _ in e) for e in events.values()), 30)
        window.incident_panel.select_incident(iid)
        spin(300)

        def of(cs: str, kind: str) -> list[Any]:
            return [p for k, p in events[cs] if k == kind]

        # to every unit of the incident; the officers read it (all but one)
        clock.advance(70)
        op.call(SendMessage(text=TO_UNITS, to_incident=iid))
        wait_for(lambda: all(of(cs, "message") for cs in events), 30)
        for cs in list(events)[:-1]:
            clock.advance(15)
            client = terminals[list(events).index(cs)][0]
            client.read_message(of(cs, "message")[0].message_id).result(10)
        # reports from the scene: two photos and a clip
        first, second = next(iter(events)), list(events)[min(1, len(events) - 1)]
        for cs, text, hue in ((first, REPORTS[0], 20), (second, REPORTS[1], 200)):
            clock.advance(95)
            c = terminals[list(events).index(cs)][0]
            oid = of(cs, "order")[0].order.order_id
            photo = scene_jpeg(f"{cs} 现场照片", hue)
            mid = c.feedback(text, oid, photo).result(10)
            wait_for(lambda c=c, mid=mid: not c.is_unacked(mid), 30)
        clock.advance(40)
        clip, still = scene_clip(tmp / "clip.mp4")
        c = terminals[list(events).index(second)][0]
        mid = c.feedback(REPORTS[2], of(second, "order")[0].order.order_id, still, clip).result(10)
        wait_for(lambda: not c.is_unacked(mid), 30)
        # the operator answers the first officer from the panel
        clock.advance(30)
        panel = tools.messages
        panel.set_target(TARGET_UNIT, first)
        panel.text_edit.setPlainText(REPLY)
        panel.send()
        wait_for(lambda: len(of(first, "message")) >= 2, 30)
        clock.advance(12)
        terminals[0][0].read_message(of(first, "message")[-1].message_id).result(10)
        spin(1500)

        # the messages dock in front, tall enough for the thread
        tools.show_messages()
        window.resize_docks(["messagesDock"], [470], Qt.Orientation.Vertical)
        wait_for(lambda: len(tools.messages.thread_view.rows) >= 5, 30)
        wait_for(lambda: len(tools.media.attachments) >= 3, 30)
        spin(1200)
        panel.text_edit.clear()
        window.grab().save(str(out / "screenshot-messages.png"))

        # photos and clips in front, one photo large
        tools.show_media()
        window.resize_docks(["incidentMediaDock"], [300], Qt.Orientation.Vertical)
        spin(600)
        media = tools.media
        photo_id = next(a.attachment_id for a in media.attachments if a.kind == "photo")
        media.open_attachment(photo_id)
        wait_for(lambda: photo_id in media.viewers, 30)
        viewer = media.viewers[photo_id]
        viewer.resize(720, 520)  # over the map, clear of the dock's thumbnails and summary
        spin(800)
        shot = window.grab()
        from PySide6.QtGui import QPainter

        at = window.centralWidget().geometry().topLeft()
        x, y = at.x() + 40, at.y() + 30
        p = QPainter(shot)
        p.drawPixmap(x, y, viewer.grab())
        p.setPen(Qt.GlobalColor.darkGray)
        p.drawRect(x, y, viewer.width() - 1, viewer.height() - 1)
        p.end()
        shot.save(str(out / "screenshot-incident-media.png"))
        for c_, _ in terminals:
            c_.stop()
        for c_ in (op, *sups):
            c_.close()
    finally:
        tools.close_all()
        window.close()
        bridge.close()
        for c_, s_ in terminals:
            c_.stop()
            s_.close()
        node.stop()
        hub.stop()
        hub.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
