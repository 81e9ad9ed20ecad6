"""Photos from the scene: checked by decoding, held to quotas, only for open orders.

A terminal's ``feedback`` may carry a JPEG.  Before anything is stored:

- it must *decode* (``cv2.imdecode``), not merely start with the JPEG magic; its
  header's pixel count is read first, so a small file announcing a gigapixel
  image is refused before any memory is spent on it;
- it must belong to an **open** order of the sender (pending ... arrived): a
  finished, rejected, cancelled or expired order takes no more photos;
- quotas: at most ``per_order`` photos / ``per_order_bytes`` per order, and
  ``per_terminal`` photos / ``per_terminal_bytes`` per terminal key in any
  ``window_s`` (a day), so no terminal can grow the database at will.

Stored apart from the main tables: the bytes once per content in
``photo_blobs`` (keyed by SHA-256, with a thumbnail for lists and maps), one
``photos`` row per filing.  They stay in the database rather than in files so
a standby hub on the same database (and one backup) has them too.  A refused
photo gets a refusal code the terminal can show: ``photo_invalid``,
``photo_quota``, ``order_closed``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain import OrderState
from console.link.protocol import PHOTO_LIMIT
from console.store.models_trust import PhotoBlobRow, PhotoRow

OPEN_STATES = frozenset(
    s.value
    for s in (
        OrderState.PENDING,
        OrderState.DELIVERED,
        OrderState.READ,
        OrderState.ACCEPTED,
        OrderState.ARRIVED,
    )
)
PHOTO_CODES = ("photo_invalid", "photo_quota", "order_closed")
"""Refusal codes of a photo (docs/protocol.md §5)."""
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True)
class PhotoLimits:
    """Photo checks and quotas (``config/console.toml [attachments]``, same key names)."""

    max_bytes: int = PHOTO_LIMIT
    max_pixels: int = 40_000_000
    per_order: int = 10
    per_order_bytes: int = 4 * 1024 * 1024
    per_terminal: int = 40
    per_terminal_bytes: int = 12 * 1024 * 1024
    window_s: float = 86400.0
    thumb_px: int = 160

    @classmethod
    def from_config(cls, config: Any) -> PhotoLimits:
        """The ``attachments`` section of a loaded config if it has one, defaults for the rest."""
        section = getattr(config, "attachments", None)
        if section is None:
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: getattr(section, k) for k in known if hasattr(section, k)})


class PhotoRefused(Exception):
    """A photo not stored; ``code`` is one of :data:`PHOTO_CODES`, the text says why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that decoded, with what is stored of it."""

    data: bytes
    sha256: str
    width: int
    height: int
    thumb: bytes


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header, read without decoding the image."""
    if not data.startswith(b"\xff\xd8"):
        raise PhotoRefused("photo_invalid", "the photo is not a JPEG")
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            raise PhotoRefused("photo_invalid", "the photo is not a valid JPEG (broken header)")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        if marker in (0xD9, 0xDA):
            break
        seg = int.from_bytes(data[i + 2 : i + 4], "big")
        if seg < 2:
            break
        if marker in _SOF and i + 9 <= n:
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + seg
    raise PhotoRefused("photo_invalid", "the photo is not a valid JPEG (no frame header)")


def check_photo(data: bytes, limits: PhotoLimits | None = None) -> CheckedPhoto:
    """Decode a photo and make its thumbnail; PhotoRefused("photo_invalid", why) if it fails."""
    import cv2

    lim = limits or PhotoLimits()
    if len(data) > lim.max_bytes:
        raise PhotoRefused(
            "photo_invalid", f"the photo is {len(data)} bytes; at most {lim.max_bytes} are taken"
        )
    width, height = jpeg_size(data)
    if width <= 0 or height <= 0 or width * height > lim.max_pixels:
        raise PhotoRefused(
            "photo_invalid",
            f"the photo claims {width} x {height} pixels; at most {lim.max_pixels} are taken",
        )
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise PhotoRefused("photo_invalid", "the photo is cut off (no end-of-image marker)")
    flag = cv2.IMREAD_REDUCED_COLOR_4 if width * height > 4_000_000 else cv2.IMREAD_COLOR
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if img is None or img.size == 0:
        raise PhotoRefused("photo_invalid", "the photo does not decode as a JPEG image")
    h, w = img.shape[:2]
    scale = min(1.0, lim.thumb_px / max(h, w))
    small = cv2.resize(
        img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    ok, thumb = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 70])
    if not ok:  # pragma: no cover - encoding a decoded image does not fail
        raise PhotoRefused("photo_invalid", "no thumbnail could be made of the photo")
    return CheckedPhoto(data, hashlib.sha256(data).hexdigest(), width, height, thumb.tobytes())


def check_quota(
    s: Session, order_id: str, terminal_key: str, size: int, now: float, lim: PhotoLimits
) -> None:
    """PhotoRefused("photo_quota", why) if one more photo of ``size`` bytes is over a quota."""
    n, used = s.execute(
        select(func.count(PhotoRow.id), func.coalesce(func.sum(PhotoRow.size), 0)).where(
            PhotoRow.order_id == order_id
        )
    ).one()
    if n >= lim.per_order or used + size > lim.per_order_bytes:
        raise PhotoRefused(
            "photo_quota",
            f"this order already has {n} photos ({used // 1024} KiB); at most {lim.per_order} "
            f"photos and {lim.per_order_bytes // 1024} KiB are taken per order",
        )
    n, used = s.execute(
        select(func.count(PhotoRow.id), func.coalesce(func.sum(PhotoRow.size), 0)).where(
            PhotoRow.terminal_key == terminal_key, PhotoRow.created_at > now - lim.window_s
        )
    ).one()
    if n >= lim.per_terminal or used + size > lim.per_terminal_bytes:
        hours = lim.window_s / 3600.0
        raise PhotoRefused(
            "photo_quota",
            f"this terminal sent {n} photos ({used // 1024} KiB) in the last {hours:.0f} h; at "
            f"most {lim.per_terminal} photos and {lim.per_terminal_bytes // 1024} KiB are taken",
        )


def store_photo(
    s: Session,
    photo: CheckedPhoto,
    *,
    incident_id: int,
    order_id: str,
    unit_id: int,
    terminal_key: str,
    now: float,
) -> int:
    """File a checked photo in the caller's transaction (bytes stored once); returns its id."""
    if s.get(PhotoBlobRow, photo.sha256) is None:
        s.add(
            PhotoBlobRow(
                sha256=photo.sha256,
                mime="image/jpeg",
                size=len(photo.data),
                width=photo.width,
                height=photo.height,
                data=photo.data,
                thumb=photo.thumb,
                created_at=now,
            )
        )
        s.flush()
    row = PhotoRow(
        sha256=photo.sha256,
        incident_id=incident_id,
        order_id=order_id,
        unit_id=unit_id,
        terminal_key=terminal_key[:40],
        size=len(photo.data),
        created_at=now,
    )
    s.add(row)
    s.flush()
    return int(row.id)


def photo_bytes(s: Session, photo_id: int, *, thumb: bool = False) -> bytes | None:
    """A filed photo's JPEG (or its thumbnail), for the workstation side."""
    row = s.get(PhotoRow, photo_id)
    if row is None:
        return None
    blob = s.get(PhotoBlobRow, row.sha256)
    if blob is None:
        return None
    return blob.thumb if thumb else blob.data
