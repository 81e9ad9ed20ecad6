"""Short video clips from the scene: checked by decoding, held to the photo quotas, filed
next to the photos (same tables, :mod:`console.link.attachments`).

A terminal sends a clip with its still as the feedback's photo; the still is
filed as a photo by :func:`console.link.receipts.file_feedback`, and the clip by
:func:`file_clip` (the link calls both).  The clip must decode as a video (a
frame is read from it), belong to an open order of the sender, and fit the same
per-order and per-terminal quotas as photos (a clip counts with its bytes).
Its thumbnail is the still's.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from console.link.attachments import (
    OPEN_STATES,
    CheckedPhoto,
    PhotoLimits,
    PhotoRefused,
    check_photo,
    check_quota,
    store_photo,
)
from console.link.protocol import Feedback, VideoClip
from console.store.db import Store
from console.store.incident_repo import IncidentRepo
from console.store.models import OrderRow

SUFFIX = {"video/mp4": ".mp4", "video/x-msvideo": ".avi"}


def clip_size(clip: VideoClip) -> tuple[int, int, int]:
    """(width, height, frames read) of a clip; PhotoRefused("photo_invalid") if it is no video."""
    import cv2

    fd, name = tempfile.mkstemp(suffix=SUFFIX.get(clip.mime, ".bin"))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(clip.data)
        cap = cv2.VideoCapture(name)
        try:
            ok, frame = cap.read() if cap.isOpened() else (False, None)
            if not ok or frame is None:
                raise PhotoRefused("photo_invalid", "the clip does not decode as a video")
            n = 1
            while n < 10_000 and cap.grab():
                n += 1
            h, w = frame.shape[:2]
            return int(w), int(h), n
        finally:
            cap.release()
    finally:
        Path(name).unlink(missing_ok=True)


def file_clip(
    store: Store,
    unit_id: int,
    call_sign: str,
    msg: Feedback,
    now: float,
    *,
    terminal_key: str = "",
    limits: PhotoLimits | None = None,
) -> int:
    """File the feedback's clip under its open order; its attachment id, or PhotoRefused."""
    clip = msg.clip
    if clip is None:
        raise PhotoRefused("photo_invalid", "the report carries no clip")
    lim = limits or PhotoLimits()
    width, height, _frames = clip_size(clip)
    thumb = b""
    if msg.photo is not None:
        try:
            thumb = check_photo(msg.photo, lim).thumb
        except PhotoRefused:
            thumb = b""
    checked = CheckedPhoto(clip.data, hashlib.sha256(clip.data).hexdigest(), width, height, thumb)
    with store.session() as s, s.begin():
        order = _open_order(s, msg.order_id, unit_id)
        check_quota(s, order.id, terminal_key, len(clip.data), now, lim)
        attachment = store_photo(
            s,
            checked,
            incident_id=order.incident_id,
            order_id=order.id,
            unit_id=unit_id,
            terminal_key=terminal_key,
            now=now,
        )
        _set_mime(s, checked.sha256, clip.mime)
        IncidentRepo(s).add_event(
            order.incident_id,
            t=now,
            actor=f"terminal:{call_sign}"[:64],
            kind="feedback_clip",
            detail={
                "text": msg.text,
                "order_id": order.id,
                "attachment_id": attachment,
                "seconds": round(clip.seconds, 1),
            },
        )
    return attachment


def _open_order(s: Session, order_id: str | None, unit_id: int) -> OrderRow:
    row = s.get(OrderRow, order_id) if order_id else None
    if row is None or row.unit_id != unit_id:
        raise PhotoRefused("order_closed", "a clip must name an open order of this unit")
    if row.state not in OPEN_STATES:
        raise PhotoRefused(
            "order_closed", f"order {row.id[:8]} is {row.state}: it takes no more clips"
        )
    return row


def _set_mime(s: Session, sha256: str, mime: str) -> None:
    from console.store.models_trust import PhotoBlobRow

    blob = s.get(PhotoBlobRow, sha256)
    if blob is not None and blob.mime != mime:
        blob.mime = mime
