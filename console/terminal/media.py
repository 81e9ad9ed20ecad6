"""Photos and short videos from the scene, made small enough for the link (OpenCV, no Qt).

- :func:`prepare_photo`: any image file (or camera frame) as a JPEG of at most
  ``PHOTO_LIMIT`` bytes: longest side 1600 px first, then smaller sizes and lower
  quality until it fits.  A photo taken on a phone (4000 x 3000, 5 MB) comes out at
  about 300 KB, still sharp enough to read a number plate at the scene.
- :func:`transcode_clip`: a video file cut to ``max_s`` seconds, scaled to 320 px
  wide at up to 10 frames a second, written as MPEG-4 part 2 (``mp4v``, what
  OpenCV's own build can write), and made smaller until it fits ``CLIP_LIMIT``;
  with a JPEG still of its first frame (sent as the report's photo).
- :func:`camera_photo`, :func:`camera_clip`: the same from the device's camera, where
  OpenCV finds one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from console.link import protocol as p

Image = npt.NDArray[np.uint8]
PHOTO_SIDES = (1600, 1280, 1024, 800, 640)
PHOTO_QUALITY = (85, 75, 65, 55)
CLIP_WIDTHS = (320, 240, 176)
CLIP_FPS = (10.0, 6.0, 4.0)
CLIP_MAX_S = 10.0


class MediaError(ValueError):
    """A photo or clip cannot be sent; the text says why (for the officer)."""


def _cv2() -> Any:
    import cv2

    return cv2


def _resize(img: Image, side: int) -> Image:
    cv2 = _cv2()
    h, w = img.shape[:2]
    k = min(1.0, side / max(h, w))
    if k >= 1.0:
        return img
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def encode_photo(img: Image, limit: int = p.PHOTO_LIMIT) -> bytes:
    """A BGR image as the largest JPEG under ``limit`` bytes (smaller sides, lower quality)."""
    cv2 = _cv2()
    if img is None or img.ndim not in (2, 3) or min(img.shape[:2]) < 1:
        raise MediaError("not an image")
    for side in PHOTO_SIDES:
        small = _resize(img, side)
        for q in PHOTO_QUALITY:
            ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, q])
            if ok and len(buf) <= limit:
                return bytes(buf.tobytes())
    raise MediaError("the photo does not fit the link even at 640 px")


def prepare_photo(source: Path | bytes, limit: int = p.PHOTO_LIMIT) -> bytes:
    """A photo file (JPEG, PNG, HEIC where OpenCV reads it, ...) or its bytes, as a JPEG for
    the link; a small JPEG is sent as it is."""
    cv2 = _cv2()
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if data.startswith(b"\xff\xd8\xff") and len(data) <= limit:
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_COLOR_8)
        if img is not None:
            return data
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise MediaError("the file is not an image this terminal can read")
    return encode_photo(img, limit)


def _frames(path: Path, fps: float, max_s: float) -> Iterator[Image]:
    """Frames of a video file at about ``fps``, for at most ``max_s`` seconds."""
    cv2 = _cv2()
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise MediaError("the file is not a video this terminal can read")
    try:
        src_fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        if not (0.5 < src_fps < 1000):
            src_fps = 25.0
        step = max(src_fps / fps, 1.0)
        k, nxt, taken = 0, 0.0, 0
        while taken < max_s * fps:
            ok, frame = cap.read()
            if not ok:
                break
            if k >= nxt:
                nxt += step
                taken += 1
                yield frame
            k += 1
    finally:
        cap.release()


def _write(frames: list[Image], width: int, fps: float) -> bytes:
    cv2 = _cv2()
    h, w = frames[0].shape[:2]
    height = max(2, round(h * width / w) // 2 * 2)
    fd, name = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        out = cv2.VideoWriter(name, cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        if not out.isOpened():
            raise MediaError("this terminal cannot encode video")
        for f in frames:
            out.write(cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA))
        out.release()
        return Path(name).read_bytes()
    finally:
        Path(name).unlink(missing_ok=True)


def clip_from_frames(
    frames: list[Image], fps: float, limit: int = p.CLIP_LIMIT
) -> tuple[p.VideoClip, bytes]:
    """Frames (BGR, ``fps`` apart) as a clip under ``limit`` bytes, and its still (JPEG)."""
    if not frames:
        raise MediaError("the video has no frames")
    for width in CLIP_WIDTHS:
        for out_fps in CLIP_FPS:
            keep = frames[:: max(1, round(fps / out_fps))] if out_fps < fps else frames
            rate = min(out_fps, fps)
            data = _write(keep, width, rate)
            if len(data) <= limit:
                poster = encode_photo(_resize(frames[0], 480), p.POSTER_LIMIT)
                seconds = min(len(keep) / rate, 86400.0)
                return p.VideoClip(mime="video/mp4", data=data, seconds=seconds), poster
    raise MediaError("the video does not fit the link even at 176 px and 4 frames a second")


def transcode_clip(
    path: Path, max_s: float = CLIP_MAX_S, limit: int = p.CLIP_LIMIT
) -> tuple[p.VideoClip, bytes]:
    """A video file as a short, small clip for the link, and its still."""
    fps = CLIP_FPS[0]
    return clip_from_frames(list(_frames(path, fps, max_s)), fps, limit)


def _camera(index: int = 0) -> Any:
    cv2 = _cv2()
    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        cap.release()
        raise MediaError("no camera found")
    return cap


def camera_available(index: int = 0) -> bool:
    """Whether OpenCV can open camera ``index`` (and there is a device node for it on Linux)."""
    if os.name == "posix" and not Path(f"/dev/video{index}").exists():
        return False
    try:
        _camera(index).release()
    except MediaError:
        return False
    return True


def camera_photo(index: int = 0) -> bytes:
    """One frame of the camera as a photo for the link."""
    cap = _camera(index)
    try:
        for _ in range(5):  # the first frames of many cameras are dark
            ok, frame = cap.read()
        if not ok:
            raise MediaError("the camera gave no picture")
        return encode_photo(frame)
    finally:
        cap.release()


def camera_clip(seconds: float = 6.0, index: int = 0) -> tuple[p.VideoClip, bytes]:
    """``seconds`` of the camera as a clip for the link, and its still."""
    fps = CLIP_FPS[0]
    cap = _camera(index)
    frames: list[Image] = []
    try:
        src = cap.get(_cv2().CAP_PROP_FPS) or 30.0
        step = max(round(src / fps), 1)
        k = 0
        while len(frames) < seconds * fps and k < seconds * src * 2:
            ok, frame = cap.read()
            if not ok:
                break
            if k % step == 0:
                frames.append(frame)
            k += 1
    finally:
        cap.release()
    return clip_from_frames(frames, fps)
