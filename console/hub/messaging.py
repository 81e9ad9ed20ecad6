"""Messages and attachments between the command room and the officers' terminals.

Workstation commands (rights: every staff role):

- :class:`SendMessage`: a text to one unit, every unit of a station, or every unit
  with an open order on an incident.  One row per unit in the message outbox
  (``messages``, :mod:`console.link.msgbox`) in one transaction; the terminal link
  sends them, and the terminals' delivery and read receipts come back as
  :class:`MessageChanged` events.  Units without an enrolled terminal are named in
  the reply (radio them), never silently skipped.
- :class:`GetMessages`: an incident's messages both ways (the command room's, with
  delivery/read state per unit, and the officers' reports from the scene).
- :class:`GetAttachments`: an incident's photos and clips with thumbnails;
  :class:`GetAttachment`: one in full (the photo tables of
  :mod:`console.link.attachments`).  A camera's snapshots and clips of the incident it
  raised (:mod:`console.hub.sensing`) are among them: no unit (``call_sign`` empty),
  ``camera_id`` says which camera.

:func:`register` installs them on a hub (the lead wires it into the hub's start).
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Callable, Sequence
from dataclasses import astuple
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from console.hub import messages as hub_messages
from console.hub.errors import CommandError
from console.hub.messages import EVENT_DECODER, Command, Envelope, Event
from console.link import msgbox as mb
from console.store.models import (
    IncidentEventRow,
    IncidentRow,
    OrderRow,
    StationRow,
    TerminalRow,
    UnitRow,
    UserRow,
)
from console.store.models_messages import MessageRow
from console.store.models_trust import PhotoBlobRow, PhotoRow
from console.store.order_repo import FINAL_STATES

if TYPE_CHECKING:
    from console.hub.hub import CommandHub

log = logging.getLogger(__name__)

STAFF = frozenset({"operator", "supervisor", "admin"})
LINK_ONLY = frozenset({"link"})
MAX_RECIPIENTS = 2000


class SendMessage(Command):
    """A text to ``to_unit`` (call sign), every unit of ``to_station`` (station code), or
    every unit with an open order on ``to_incident``; exactly one of the three.
    ``incident_id``: the incident it is about (defaults to ``to_incident``).  Reply:
    {"group_id", "message_ids", "recipients", "without_terminal"}."""

    text: str
    to_unit: str = ""
    to_station: str = ""
    to_incident: int | None = None
    incident_id: int | None = None


class GetMessages(Command):
    """An incident's messages both ways, oldest first (``group_id``: one message's rows)."""

    incident_id: int | None = None
    group_id: str = ""


class GetAttachments(Command):
    """An incident's photos and clips from the scene, with JPEG thumbnails, oldest first:
    the officers' (``call_sign``) and the cameras' (``camera_id``)."""

    incident_id: int


class GetAttachment(Command):
    """One photo or clip in full (``data``), as filed."""

    attachment_id: int


class MessageStates(Command):
    """Internal (link only): messages delivered or read, to announce."""

    moved: list[Any]


class MessageChanged(Event):
    """A message to a unit was delivered to its terminal or read by the officer."""

    message_id: str
    group_id: str
    call_sign: str
    incident_id: int | None
    state: str  # pending | delivered | read | expired
    t: float


MESSAGE_EVENT: Any = getattr(hub_messages, "MessageChanged", MessageChanged)
"""The event class published: ``console.hub.messages.MessageChanged`` once the hub's message
module has it (same fields), this module's until then."""
WIRE_EVENT = MESSAGE_EVENT in typing.get_args(EVENT_DECODER.type)
"""Workstations over tcp decode only the events of ``EVENT_DECODER``: until MessageChanged is
one of them, it is not published (a remote workstation would drop it and resync)."""


def _recipients(s: Any, cmd: SendMessage) -> tuple[list[mb.Recipient], list[str], str, int | None]:
    """(units with a live terminal, call signs without one, how addressed, incident)."""
    targets = [bool(cmd.to_unit.strip()), bool(cmd.to_station.strip()), cmd.to_incident is not None]
    if sum(targets) != 1:
        raise CommandError("name exactly one of: a unit, a station, an incident")
    incident = cmd.incident_id if cmd.incident_id is not None else cmd.to_incident
    if incident is not None and s.get(IncidentRow, incident) is None:
        raise CommandError(f"no incident {incident}")
    q = select(UnitRow.id, UnitRow.call_sign).where(UnitRow.retired_at.is_(None))
    if cmd.to_unit.strip():
        cs = cmd.to_unit.strip()
        q = q.where(UnitRow.call_sign == cs)
        to = "unit"
    elif cmd.to_station.strip():
        code = cmd.to_station.strip()
        sid = s.execute(select(StationRow.id).where(StationRow.code == code)).scalar()
        if sid is None:
            raise CommandError(f"no station {code!r}")
        q = q.where(UnitRow.station_id == sid)
        to = f"station:{code}"
    else:
        iid = int(cmd.to_incident or 0)
        units = select(OrderRow.unit_id).where(
            OrderRow.incident_id == iid, OrderRow.state.not_in([x.value for x in FINAL_STATES])
        )
        q = q.where(UnitRow.id.in_(units))
        to = f"incident:{iid}"
    units = s.execute(q.order_by(UnitRow.call_sign)).all()
    if not units:
        if cmd.to_unit.strip():
            raise CommandError(f"unknown unit {cmd.to_unit.strip()!r}")
        raise CommandError(f"nobody to send to: no units for {to}")
    if len(units) > MAX_RECIPIENTS:
        raise CommandError(f"{len(units)} recipients; at most {MAX_RECIPIENTS} per message")
    live = set(
        s.execute(
            select(TerminalRow.unit_id).where(
                TerminalRow.unit_id.in_([u for u, _ in units]), TerminalRow.revoked_at.is_(None)
            )
        ).scalars()
    )
    with_t = [mb.Recipient(u, cs) for u, cs in units if u in live]
    without = [cs for u, cs in units if u not in live]
    if not with_t:
        raise CommandError(
            f"no enrolled terminal for {', '.join(without[:10])}: reach them by radio or phone"
        )
    return with_t, without, to, incident


class Messaging:
    """The commands above, on a hub's store (run on the hub thread)."""

    def __init__(self, hub: CommandHub) -> None:
        self.hub = hub
        self.store = hub.store

    def send(self, cmd: SendMessage, env: Envelope) -> dict[str, Any]:
        text = cmd.text.strip()
        if not text:
            raise CommandError("a message needs a text")
        if len(text) > 4000:
            raise CommandError(f"message too long ({len(text)} characters, at most 4000)")
        now = self.hub.clock()
        with self.store.transaction() as s:
            recipients, without, to, incident = _recipients(s, cmd)
            shown = s.execute(
                select(UserRow.display_name).where(UserRow.username == env.actor)
            ).scalar()
            group, ids = mb.enqueue(
                s,
                recipients,
                text=text,
                sender=env.actor,
                sender_name=str(shown or env.actor),
                to=to,
                incident_id=incident,
                now=now,
            )
            if incident is not None:
                s.add(
                    IncidentEventRow(
                        incident_id=incident,
                        t=now,
                        actor=env.actor[:64],
                        kind="message_sent",
                        detail={
                            "group_id": group,
                            "to": to,
                            "units": [r.call_sign for r in recipients],
                            "without_terminal": without,
                            "text": text,
                        },
                    )
                )
        if WIRE_EVENT:
            for mid, r in zip(ids, recipients, strict=True):
                self.hub.emit(
                    MESSAGE_EVENT(
                        message_id=mid,
                        group_id=group,
                        call_sign=r.call_sign,
                        incident_id=incident,
                        state="pending",
                        t=now,
                    )
                )
        return {
            "group_id": group,
            "message_ids": ids,
            "recipients": [r.call_sign for r in recipients],
            "without_terminal": without,
        }

    def messages(self, cmd: GetMessages, env: Envelope) -> list[dict[str, Any]]:
        if cmd.incident_id is None and not cmd.group_id:
            raise CommandError("name an incident or a message group")
        out: list[dict[str, Any]] = []
        with self.store.session() as s:
            q = select(MessageRow, UnitRow.call_sign).join(
                UnitRow, UnitRow.id == MessageRow.unit_id
            )
            if cmd.group_id:
                q = q.where(MessageRow.group_id == cmd.group_id)
            else:
                q = q.where(MessageRow.incident_id == cmd.incident_id)
            for m, cs in s.execute(q.order_by(MessageRow.created_at, MessageRow.id)):
                out.append(
                    {
                        "direction": "out",
                        "message_id": m.id,
                        "group_id": m.group_id,
                        "to": m.to,
                        "call_sign": cs,
                        "sender": m.sender_name or m.sender,
                        "text": m.text,
                        "t": m.created_at,
                        "state": m.state,
                        "delivered_at": m.delivered_at,
                        "read_at": m.read_at,
                    }
                )
            if cmd.incident_id is not None and not cmd.group_id:
                photos = {
                    pid: mime
                    for pid, mime in s.execute(
                        select(PhotoRow.id, PhotoBlobRow.mime)
                        .join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
                        .where(PhotoRow.incident_id == cmd.incident_id)
                    )
                }
                for e in s.scalars(
                    select(IncidentEventRow)
                    .where(
                        IncidentEventRow.incident_id == cmd.incident_id,
                        IncidentEventRow.kind.in_(("feedback", "feedback_clip")),
                    )
                    .order_by(IncidentEventRow.t, IncidentEventRow.id)
                ):
                    d = dict(e.detail or {})
                    pid = d.get("photo_id") if e.kind == "feedback" else d.get("attachment_id")
                    out.append(
                        {
                            "direction": "in",
                            "message_id": f"feedback:{e.id}",
                            "group_id": "",
                            "to": "command",
                            "call_sign": e.actor.removeprefix("terminal:"),
                            "sender": e.actor.removeprefix("terminal:"),
                            "text": str(d.get("text", "")),
                            "t": e.t,
                            "state": "received",
                            "order_id": d.get("order_id"),
                            "attachment_id": pid,
                            "attachment_kind": _kind(photos.get(pid, "")) if pid else "",
                            "attachment_refused": d.get("photo_refused", ""),
                        }
                    )
        out.sort(key=lambda r: (r["t"], r["message_id"]))
        return out

    def attachments(self, cmd: GetAttachments, env: Envelope) -> list[dict[str, Any]]:
        with self.store.session() as s:
            if s.get(IncidentRow, cmd.incident_id) is None:
                raise CommandError(f"no incident {cmd.incident_id}")
            rows = s.execute(
                select(PhotoRow, PhotoBlobRow, UnitRow.call_sign)
                .join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
                .outerjoin(UnitRow, UnitRow.id == PhotoRow.unit_id)  # cameras have no unit
                .where(PhotoRow.incident_id == cmd.incident_id)
                .order_by(PhotoRow.created_at, PhotoRow.id)
            ).all()
            return [
                {
                    "attachment_id": ph.id,
                    "kind": _kind(b.mime),
                    "mime": b.mime,
                    "incident_id": ph.incident_id,
                    "order_id": ph.order_id,
                    "call_sign": cs or "",
                    "camera_id": ph.camera_id or "",
                    "t": ph.created_at,
                    "size": b.size,
                    "width": b.width,
                    "height": b.height,
                    "thumb": bytes(b.thumb),
                }
                for ph, b, cs in rows
            ]

    def attachment(self, cmd: GetAttachment, env: Envelope) -> dict[str, Any]:
        with self.store.session() as s:
            row = s.execute(
                select(PhotoRow, PhotoBlobRow, UnitRow.call_sign)
                .join(PhotoBlobRow, PhotoBlobRow.sha256 == PhotoRow.sha256)
                .outerjoin(UnitRow, UnitRow.id == PhotoRow.unit_id)
                .where(PhotoRow.id == cmd.attachment_id)
            ).first()
            if row is None:
                raise CommandError(f"no attachment {cmd.attachment_id}")
            ph, b, cs = row
            return {
                "attachment_id": ph.id,
                "kind": _kind(b.mime),
                "mime": b.mime,
                "incident_id": ph.incident_id,
                "order_id": ph.order_id,
                "call_sign": cs or "",
                "camera_id": ph.camera_id or "",
                "t": ph.created_at,
                "width": b.width,
                "height": b.height,
                "data": bytes(b.data),
            }

    def announce(self, cmd: MessageStates, env: Envelope) -> int:
        """Publish the link's delivered/read changes (hub thread); how many."""
        moved = [
            m if isinstance(m, mb.Moved) else mb.Moved(*m) for m in cmd.moved
        ]  # lists on the wire
        if not moved or not WIRE_EVENT:
            return 0
        signs = self._signs({m.unit_id for m in moved})
        for m in moved:
            self.hub.emit(
                MESSAGE_EVENT(
                    message_id=m.message_id,
                    group_id=m.group_id,
                    call_sign=signs.get(m.unit_id, ""),
                    incident_id=m.incident_id,
                    state=m.state,
                    t=m.t,
                )
            )
        return len(moved)

    def _signs(self, unit_ids: set[int]) -> dict[int, str]:
        with self.store.session() as s:
            rows = s.execute(
                select(UnitRow.id, UnitRow.call_sign).where(UnitRow.id.in_(unit_ids))
            ).all()
        return {int(uid): str(cs) for uid, cs in rows}


def _kind(mime: str) -> str:
    return "video" if mime.startswith("video/") else "photo"


COMMANDS: tuple[type[Command], ...] = (SendMessage, GetMessages, GetAttachments, GetAttachment)
INTERNAL: tuple[type[Command], ...] = (MessageStates,)


def register(hub: CommandHub) -> Messaging:
    """Install the commands on ``hub`` (before its workstation server starts)."""
    m = Messaging(hub)
    table: dict[type[Command], Callable[[Any, Envelope], Any]] = {
        SendMessage: m.send,
        GetMessages: m.messages,
        GetAttachments: m.attachments,
        GetAttachment: m.attachment,
        MessageStates: m.announce,
    }
    hub.handlers.update(table)
    for c in COMMANDS:
        hub.rights[c] = STAFF
    hub.rights[MessageStates] = LINK_ONLY
    return m


def announce_from_link(hub: CommandHub) -> Callable[[Sequence[mb.Moved]], None]:
    """A link message listener that hands delivered/read changes to the hub thread."""
    from console.hub.messages import Envelope as Env

    ids = iter(range(1, 2**62))

    def on_moved(moved: Sequence[mb.Moved]) -> None:
        cmd = MessageStates(moved=[list(astuple(m)) for m in moved])
        hub.submit(Env(request_id=next(ids), command=cmd, actor="link", role="link"))

    return on_moved
