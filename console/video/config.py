"""``config/cameras.toml``: the cameras, their regions and the evidence policy.

Decoded with msgspec (unknown keys rejected) and then cross-checked (a facade
needs ``metres_per_pixel``, a walkable region needs ``capacity``, polygons need
three distinct corners, warning share below alarm share).  Every problem is one
:class:`CameraConfigError` naming file, key and reason, so a bad camera file
stops the detector with a sentence, never a traceback.  The format is
documented in ``docs/cameras.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import msgspec

from console.config import ConfigError
from console.polygon import contains

DEFAULT_PATH = Path(__file__).resolve().parent.parent.parent / "config" / "cameras.toml"

Point = tuple[float, float]
SourceKind = Literal["file", "stream", "device"]


class CameraConfigError(ConfigError):
    """``cameras.toml`` (or another camera file) is unreadable or wrong."""


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class EvidencePolicy(_Strict, frozen=True):
    """Where event evidence goes and how long it stays (nothing else is stored)."""

    dir: str = ""  # empty: the user data directory's "evidence" folder
    retention_days: float = 30.0
    pre_s: float = 3.0  # seconds of clip before the event
    post_s: float = 3.0  # seconds of clip after it
    jpeg_quality: int = 80


class CameraSpec(_Strict, frozen=True):
    """One camera as configured (the table key becomes ``id``)."""

    name: str
    source: str
    lon: float
    lat: float
    heading_deg: float = 0.0  # the direction it faces, clockwise from north
    kind: SourceKind | None = None  # None: guessed from ``source``
    frame_size: tuple[int, int] | None = None  # (w, h) the polygons are drawn for
    max_fps: float = 0.0  # 0: every delivered frame
    process_width: int = 640  # frames wider than this are analysed scaled down
    loop: bool = False  # a file source starts again at its end (demo walls)
    # thrown objects
    facade: list[Point] | None = None
    metres_per_pixel: float | None = None  # at the facade plane
    ground_y: float | None = None  # pixel row of the facade's foot; default its lowest corner
    floor_height_m: float = 3.0
    gravity_tolerance: float = 0.35  # accepted share off 9.81 m/s^2
    # crowds
    walkable: list[Point] | None = None
    capacity: int | None = None  # people the walkable region holds safely
    warning_share: float = 0.7
    alarm_share: float = 0.9
    person_height_px: tuple[float, float] | None = None  # at the walkable top and bottom
    walkable_area_m2: float | None = None
    crowd_calibration: tuple[float, float] | None = None  # count = a*S + b*S^2
    crowd_place: str | None = None  # code of the crowd place (config/crowd.toml) it counts for


class IncidentPolicy(_Strict, frozen=True):
    """How the hub turns camera events into incidents (``[incidents]``)."""

    throw_merge_s: float = 120.0  # throws of one camera this close belong to one incident
    crowd_merge_s: float = 1800.0  # crowd alarms of one camera while its incident is this recent
    count_every_s: float = 60.0  # a camera's crowd count goes to the hub this often
    max_evidence_bytes: int = 32 * 1024 * 1024  # larger snapshots or clips are refused


class _File(_Strict, frozen=True):
    district: str = ""  # the district code these cameras belong to ("": any district)
    cameras: dict[str, CameraSpec] = {}
    evidence: EvidencePolicy = EvidencePolicy()
    incidents: IncidentPolicy = IncidentPolicy()


class Camera(msgspec.Struct, frozen=True, kw_only=True):
    """A validated camera: its spec plus the id and the resolved source kind."""

    id: str
    spec: CameraSpec
    kind: SourceKind

    @property
    def throws(self) -> bool:
        """Whether this camera watches a facade for thrown objects."""
        return self.spec.facade is not None

    @property
    def crowd(self) -> bool:
        """Whether this camera counts people in a walkable region."""
        return self.spec.walkable is not None


class CameraFile(msgspec.Struct, frozen=True, kw_only=True):
    """Everything in one camera file."""

    path: str
    cameras: list[Camera]
    evidence: EvidencePolicy
    incidents: IncidentPolicy = IncidentPolicy()
    district: str = ""
    """The district code the cameras belong to ("": any district, but each camera must
    still stand inside the running district's outline, see :func:`for_district`)."""

    def get(self, camera_id: str) -> Camera:
        """The camera with this id, or a :class:`CameraConfigError` naming the ids there are."""
        for c in self.cameras:
            if c.id == camera_id:
                return c
        known = ", ".join(c.id for c in self.cameras) or "none"
        raise CameraConfigError(Path(self.path).name, camera_id, f"no such camera (have: {known})")


_PATH_RE = re.compile(r" - at `\$(?P<path>[^`]*)`")
_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def guess_kind(source: str) -> SourceKind:
    """``rtsp://``/``http(s)://`` are streams, a bare integer a local device, else a file."""
    s = source.strip().lower()
    if s.startswith(("rtsp://", "rtsps://", "http://", "https://", "rtmp://", "udp://")):
        return "stream"
    if s.isdigit():
        return "device"
    return "file"


def load_cameras(path: Path | str | None = None) -> CameraFile:
    """Read and validate a camera file (default ``config/cameras.toml``)."""
    p = Path(path) if path is not None else DEFAULT_PATH
    name = p.name
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CameraConfigError(name, "(file)", f"file not found: {p}") from None
    except IsADirectoryError:
        raise CameraConfigError(name, "(file)", f"is a directory: {p}") from None
    except OSError as exc:
        raise CameraConfigError(name, "(file)", f"cannot read: {exc.strerror}") from None
    return parse_cameras(raw, name=name, path=str(p))


def parse_cameras(raw: bytes | str, *, name: str = "cameras.toml", path: str = "") -> CameraFile:
    """Decode and cross-check camera TOML text."""
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        decoded = msgspec.toml.decode(data, type=_File)
    except msgspec.ValidationError as exc:
        raise CameraConfigError(name, *_where(data, exc)) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise CameraConfigError(name, "(syntax)", f"not valid TOML: {exc}") from None
    _check_evidence(decoded.evidence, name)
    _check_incidents(decoded.incidents, name)
    if decoded.district:
        ok = bool(_ID_RE.match(decoded.district))
        _fail(ok, name, "district", "a district code (district.toml's code)")
    cams = [_check_camera(cid, spec, name) for cid, spec in decoded.cameras.items()]
    return CameraFile(
        path=path or name,
        cameras=cams,
        evidence=decoded.evidence,
        incidents=decoded.incidents,
        district=decoded.district,
    )


def for_district(
    cameras: CameraFile, code: str, outline: Sequence[Point]
) -> tuple[CameraFile, list[str]]:
    """The cameras of ``cameras`` that belong to the district ``code`` with ``outline``,
    and a sentence for each camera left out (for the hub's log).

    Like the crowd places (:func:`console.crowd.settings.for_district`): the shipped file
    is the demo district's, and a hub on a real district must never open incidents at a
    demo camera's position.  A file naming another district gives no cameras at all; a
    camera standing outside the outline is left out by name.
    """
    if cameras.district and cameras.district != code:
        ids = ", ".join(c.id for c in cameras.cameras) or "none"
        why = (
            f"{Path(cameras.path).name or 'cameras.toml'} lists the cameras of district "
            f"{cameras.district!r}, not of {code!r}: all left out ({ids}); write this "
            "district's own cameras in a camera file of its own"
        )
        return msgspec.structs.replace(cameras, cameras=[]), [why]
    kept: list[Camera] = []
    dropped: list[str] = []
    for cam in cameras.cameras:
        if len(outline) >= 3 and bool(contains(outline, cam.spec.lon, cam.spec.lat)[0]):
            kept.append(cam)
        else:
            dropped.append(
                f"camera {cam.id!r} ({cam.spec.name}) stands outside district {code!r}: left out"
            )
    return msgspec.structs.replace(cameras, cameras=kept), dropped


def _where(raw: bytes, exc: msgspec.ValidationError) -> tuple[str, str]:
    """Key and reason of a validation error, naming the camera rather than ``[...]``."""
    text = str(exc)
    try:
        table = msgspec.toml.decode(raw).get("cameras", {})
    except msgspec.DecodeError:
        table = {}
    if "$.cameras[...]" in text and isinstance(table, dict):
        for cid, value in table.items():
            try:
                msgspec.convert(value, CameraSpec)
            except msgspec.ValidationError as inner:
                text = str(inner)
                m = _PATH_RE.search(text)
                rest = m.group("path") if m else ""
                return _key(f"cameras.{cid}{rest}", text), _PATH_RE.sub("", text)
    m = _PATH_RE.search(text)
    key = m.group("path").lstrip(".") if m else "(top level)"
    return _key(key or "(top level)", text), _PATH_RE.sub("", text)


def _key(key: str, text: str) -> str:
    if "missing required field" in text and "`" in text:
        return f"{key}.{text.split('`')[1]}"
    return key


def _fail(ok: bool, file: str, key: str, reason: str) -> None:
    if not ok:
        raise CameraConfigError(file, key, reason)


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _check_evidence(e: EvidencePolicy, f: str) -> None:
    _fail(e.retention_days > 0 and _finite(e.retention_days), f, "evidence.retention_days", "> 0")
    _fail(0 <= e.pre_s <= 30 and _finite(e.pre_s), f, "evidence.pre_s", "between 0 and 30 s")
    _fail(0 <= e.post_s <= 30 and _finite(e.post_s), f, "evidence.post_s", "between 0 and 30 s")
    _fail(10 <= e.jpeg_quality <= 100, f, "evidence.jpeg_quality", "between 10 and 100")


def _check_incidents(p: IncidentPolicy, f: str) -> None:
    for key, v in (("throw_merge_s", p.throw_merge_s), ("crowd_merge_s", p.crowd_merge_s)):
        _fail(0 <= v <= 86400 and _finite(v), f, f"incidents.{key}", "between 0 and 86400 s")
    ok = 5 <= p.count_every_s <= 3600 and _finite(p.count_every_s)
    _fail(ok, f, "incidents.count_every_s", "between 5 and 3600 s")
    ok = 1024 <= p.max_evidence_bytes <= 512 * 1024 * 1024
    _fail(ok, f, "incidents.max_evidence_bytes", "between 1 KiB and 512 MiB")


def _polygon(pts: list[Point], f: str, key: str) -> None:
    _fail(len(pts) >= 3, f, key, f"a polygon needs at least 3 corners, got {len(pts)}")
    _fail(all(_finite(x, y) for x, y in pts), f, key, "corners must be finite numbers")
    area2 = sum(
        pts[i][0] * pts[(i + 1) % len(pts)][1] - pts[(i + 1) % len(pts)][0] * pts[i][1]
        for i in range(len(pts))
    )
    _fail(abs(area2) >= 2.0, f, key, "the polygon has no area (corners on one line?)")
    _fail(all(x >= -1 and y >= -1 for x, y in pts), f, key, "pixel coordinates must be >= 0")


def _check_camera(cid: str, s: CameraSpec, f: str) -> Camera:
    k = f"cameras.{cid}"
    _fail(bool(_ID_RE.match(cid)), f, k, "camera ids are 1-64 letters, digits, '_' or '-'")
    _fail(bool(s.source.strip()), f, f"{k}.source", "empty source")
    _fail(-180 <= s.lon <= 180 and -90 <= s.lat <= 90, f, f"{k}.lon", "not a WGS84 position")
    _fail(_finite(s.heading_deg), f, f"{k}.heading_deg", "must be a number of degrees")
    _fail(s.max_fps >= 0 and _finite(s.max_fps), f, f"{k}.max_fps", ">= 0 (0: all frames)")
    _fail(160 <= s.process_width <= 4096, f, f"{k}.process_width", "between 160 and 4096")
    if s.frame_size is not None:
        w, h = s.frame_size
        _fail(16 <= w <= 8192 and 16 <= h <= 8192, f, f"{k}.frame_size", "implausible size")
    _fail(
        s.facade is not None or s.walkable is not None,
        f,
        k,
        "a camera needs a facade (thrown objects) or a walkable region (crowds), or both",
    )
    if s.facade is not None:
        _polygon(s.facade, f, f"{k}.facade")
        _fail(s.metres_per_pixel is not None, f, f"{k}.metres_per_pixel", "required with facade")
        mpp = s.metres_per_pixel or 0.0
        _fail(0 < mpp < 10 and _finite(mpp), f, f"{k}.metres_per_pixel", "between 0 and 10")
        _fail(s.floor_height_m > 0, f, f"{k}.floor_height_m", "> 0")
        _fail(0 < s.gravity_tolerance < 1, f, f"{k}.gravity_tolerance", "between 0 and 1")
    if s.walkable is not None:
        _polygon(s.walkable, f, f"{k}.walkable")
        _fail(s.capacity is not None, f, f"{k}.capacity", "required with walkable")
        _fail((s.capacity or 0) > 0, f, f"{k}.capacity", "> 0 people")
        _fail(0 < s.warning_share < s.alarm_share, f, f"{k}.warning_share", "0 < warning < alarm")
        _fail(s.alarm_share <= 2.0, f, f"{k}.alarm_share", "at most 2 (200 % of capacity)")
        _fail(
            s.person_height_px is not None,
            f,
            f"{k}.person_height_px",
            "required with walkable: a standing person's height in pixels at the top and "
            "at the bottom of the walkable region",
        )
        top, bottom = s.person_height_px or (0.0, 0.0)
        _fail(0 < top <= 2000 and 0 < bottom <= 2000, f, f"{k}.person_height_px", "> 0 px")
        if s.crowd_place is not None:
            ok = bool(_ID_RE.match(s.crowd_place))
            _fail(ok, f, f"{k}.crowd_place", "a crowd place code (config/crowd.toml)")
        if s.walkable_area_m2 is not None:
            _fail(s.walkable_area_m2 > 0, f, f"{k}.walkable_area_m2", "> 0")
    kind = s.kind or guess_kind(s.source)
    if kind == "device":
        _fail(s.source.strip().isdigit(), f, f"{k}.source", "a device source is its index (0, 1)")
    return Camera(id=cid, spec=s, kind=kind)
