"""The terminal app's words, Chinese first (the officer picks ``--lang zh`` or ``en``).

Kept as one small table rather than in the workstation's Qt catalogue
(``resources/i18n/console_zh_CN.ts``): the terminal is its own program on its own
device, its words are few, and an officer switches language with one button.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("警务终端", "Police terminal"),
    "online": ("在线", "online"),
    "offline": ("离线", "offline"),
    "connecting": ("连接中…", "connecting…"),
    "waiting": ("{n} 条报告等待网络", "{n} reports waiting for the network"),
    "all_sent": ("报告已全部送达", "all reports sent"),
    "status": ("状态", "Status"),
    "available": ("空闲", "Available"),
    "busy": ("忙碌(现场处置)", "Busy (on a task)"),
    "off_duty": ("下班", "Off duty"),
    "no_order": ("暂无指令", "No order"),
    "no_order_hint": ("收到指令时将响铃并在此显示", "A new order rings and shows here"),
    "new_order": ("新指令！", "NEW ORDER!"),
    "order_update": ("指令更新：{what}", "Order updated: {what}"),
    "order_cancel": ("指令已撤销：{why}", "Order withdrawn: {why}"),
    "new_message": ("新消息：{text}", "New message: {text}"),
    "version": ("协议版本不兼容：{why}", "Protocol version mismatch: {why}"),
    "refused": ("指挥中心拒收：{why}", "Refused by the hub: {why}"),
    "ack": ("确认收到", "Acknowledge"),
    "accept": ("接受", "Accept"),
    "reject": ("拒绝", "Reject"),
    "arrived": ("到达现场", "Arrived"),
    "finish": ("完成", "Finished"),
    "photo": ("照片", "Photo"),
    "video": ("视频", "Video"),
    "camera": ("拍摄", "Camera"),
    "file": ("选择文件", "From file"),
    "send": ("发送", "Send"),
    "cancel": ("取消", "Cancel"),
    "ok": ("确定", "OK"),
    "tab_card": ("指令", "Order"),
    "tab_map": ("地图", "Map"),
    "tab_route": ("路线", "Route"),
    "tab_messages": ("消息", "Messages"),
    "tab_messages_n": ("消息 ({n})", "Messages ({n})"),
    "incident": ("警情", "Incident"),
    "role": ("任务", "Role"),
    "place": ("地点", "Place"),
    "coords": ("坐标", "Coordinates"),
    "report": ("报警内容", "Caller's report"),
    "callback": ("回拨电话", "Callback"),
    "more_calls": ("续报", "Further calls"),
    "eta": ("预计到达", "ETA"),
    "team": ("同时出警", "Also sent"),
    "me": ("本单位", "this unit"),
    "approved": ("批准", "Approved by"),
    "notes": ("备注", "Notes"),
    "instructions": ("指示", "Instructions"),
    "force": ("处置等级", "Force level"),
    "state_new": ("新指令，请确认", "New: acknowledge"),
    "state_read": ("已确认，请接受或拒绝", "Read: accept or reject"),
    "state_accepted": ("已接受，前往现场", "Accepted: on the way"),
    "state_arrived": ("已到达现场", "On scene"),
    "state_finished": ("已完成", "Finished"),
    "state_rejected": ("已拒绝", "Rejected"),
    "state_cancelled": ("已撤销", "Withdrawn"),
    "state_expired": ("已过期", "Expired"),
    "reject_title": ("拒绝指令", "Reject the order"),
    "reject_reason": ("拒绝原因（必填）", "Reason (required)"),
    "finish_title": ("处置结果", "Outcome"),
    "finish_outcome": ("处置结果（必填）", "Outcome (required)"),
    "photo_sent": ("照片已排队发送（{kb} KB）", "Photo queued ({kb} KB)"),
    "video_sent": ("视频已排队发送（{kb} KB，{s:.0f} 秒）", "Video queued ({kb} KB, {s:.0f} s)"),
    "media_failed": ("无法发送：{why}", "Cannot send: {why}"),
    "no_camera": ("未找到摄像头", "No camera found"),
    "compose": ("给指挥中心留言…", "Message to the command room…"),
    "from_me": ("我", "me"),
    "pending_net": ("等待网络", "waiting for the network"),
    "unread": ("未读", "unread"),
    "route_none": ("无规划路线：请按导航前往", "No planned route: use navigation"),
    "copy_gcj": ("复制导航坐标", "Copy nav. coordinates"),
    "copied": ("已复制 GCJ-02 坐标", "GCJ-02 coordinates copied"),
    "whole_route": ("全程", "Whole route"),
    "scene": ("现场", "Scene"),
    "no_fix": ("无定位", "no fix"),
    "lang": ("EN", "中文"),
}

REJECT_REASONS: list[tuple[str, str]] = [
    ("车辆故障", "vehicle fault"),
    ("正在处置其他警情", "busy with another incident"),
    ("距离过远", "too far away"),
    ("警力不足", "not enough officers"),
]
OUTCOMES: list[tuple[str, str]] = [
    ("已处置完毕", "dealt with"),
    ("嫌疑人已控制", "suspect detained"),
    ("伤者已送医", "injured taken to hospital"),
    ("移交其他部门", "handed over"),
    ("现场无警情", "nothing found"),
]


def say(key: str, lang: str = "zh", **kw: object) -> str:
    """The text for ``key`` in ``lang`` (zh or en), formatted with ``kw`` (named ``say``, not
    ``tr``, so Qt's lupdate does not take the keys for Qt texts of no context)."""
    zh, en = TEXTS.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**kw) if kw else text
