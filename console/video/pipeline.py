"""One camera's analysis, frame by frame: steady, detect throws, count, keep evidence.

The same :class:`CameraPipeline` runs inside a camera worker process and in
``main.py detect`` (a file as fast as it decodes), so the evaluation measures
exactly what the command room runs.  Frames wider than the camera's
``process_width`` are analysed scaled down; everything reported (release
points, tracks) is in full-frame pixels.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

import cv2
import numpy as np

from console.video.config import Camera
from console.video.crowd import DEFAULT_CALIBRATION, CrowdCounter, CrowdParams, LevelKeeper
from console.video.evidence import EvidenceWriter
from console.video.frameprep import Steadier
from console.video.records import (
    AnyRecord,
    CrowdAlert,
    CrowdCount,
    CrowdLevel,
    Detection,
    Preview,
)
from console.video.throw import ThrowDetector, ThrowEvent, ThrowParams

log = logging.getLogger(__name__)

SMOOTH_S = 2  # seconds averaged into the reported count
CROWD_WARMUP_S = 3.0  # no count while the background model settles after a (re)start


def scaled_polygon(
    points: list[tuple[float, float]], drawn_for: tuple[int, int] | None, size: tuple[int, int]
) -> np.ndarray:
    """A config polygon in the pixels of a frame of ``size`` (w, h)."""
    pts = np.asarray(points, np.float32).reshape(-1, 2)
    if drawn_for is not None and tuple(drawn_for) != tuple(size):
        pts = pts * np.array([size[0] / drawn_for[0], size[1] / drawn_for[1]], np.float32)
    return pts


class CameraPipeline:
    """Turns frames of one camera into records (detections, counts, previews)."""

    def __init__(
        self,
        camera: Camera,
        frame_size: tuple[int, int],
        fps: float,
        evidence: EvidenceWriter | None = None,
        preview_hz: float = 0.0,
        preview_width: int = 320,
        clock: Callable[[], float] = time.time,
    ) -> None:
        spec = camera.spec
        self.camera = camera
        self.w, self.h = frame_size
        self.fps = fps if fps > 0 else 25.0
        self.scale = min(1.0, spec.process_width / self.w)
        self.pw, self.ph = max(1, round(self.w * self.scale)), max(1, round(self.h * self.scale))
        self.evidence = evidence
        self.preview_hz = preview_hz
        self.preview_width = preview_width
        self.clock = clock
        k_y = (self.h / spec.frame_size[1]) if spec.frame_size else 1.0
        roi = np.zeros((self.ph, self.pw), np.uint8)
        self.facade: np.ndarray | None = None
        self.throws: ThrowDetector | None = None
        if spec.facade is not None and spec.metres_per_pixel is not None:
            self.facade = scaled_polygon(spec.facade, spec.frame_size, frame_size)
            fac_p = self.facade * self.scale
            ground = spec.ground_y if spec.ground_y is not None else max(y for _, y in spec.facade)
            params = ThrowParams(
                mpp=spec.metres_per_pixel / k_y / self.scale,
                ground_y=ground * k_y * self.scale,
                floor_height_m=spec.floor_height_m,
                gravity_tolerance=spec.gravity_tolerance,
            )
            self.throws = ThrowDetector(fac_p, (self.ph, self.pw), self.fps, params)
            cv2.fillPoly(roi, [np.round(fac_p).astype(np.int32)], 255)
        self.walkable: np.ndarray | None = None
        self.crowd: CrowdCounter | None = None
        self.levels: LevelKeeper | None = None
        if spec.walkable is not None and spec.capacity and spec.person_height_px:
            self.walkable = scaled_polygon(spec.walkable, spec.frame_size, frame_size)
            walk_p = self.walkable * self.scale
            top, bottom = spec.person_height_px
            cp = CrowdParams(
                walkable=walk_p,
                person_h=(top * k_y * self.scale, bottom * k_y * self.scale),
                capacity=spec.capacity,
                warning_share=spec.warning_share,
                alarm_share=spec.alarm_share,
                area_m2=spec.walkable_area_m2,
                calibration=spec.crowd_calibration or DEFAULT_CALIBRATION,
            )
            self.crowd = CrowdCounter(cp, (self.ph, self.pw))
            self.levels = LevelKeeper(
                spec.capacity, spec.warning_share, spec.alarm_share, cp.hold_s
            )
            cv2.fillPoly(roi, [np.round(walk_p).astype(np.int32)], 255)
        self.roi = roi if cv2.countNonZero(roi) > 0 else None
        self.steadier = Steadier()
        self._seconds: deque[float] = deque(maxlen=SMOOTH_S)
        self._second: int | None = None
        self._next_preview = -1e18
        self._events = 0
        self.count: float | None = None
        self.level: CrowdLevel = "normal"
        self.frames = 0
        self._t0: float | None = None

    # ----------------------------------------------------------------- frames

    def process(self, frame: np.ndarray, t: float, idx: int) -> list[AnyRecord]:
        """Analyse one full-size BGR frame taken at camera time ``t``."""
        self.frames += 1
        if self._t0 is None:
            self._t0 = t
        out: list[AnyRecord] = []
        if frame.shape[1] != self.w or frame.shape[0] != self.h:
            frame = cv2.resize(frame, (self.w, self.h), interpolation=cv2.INTER_AREA)
        small = frame
        if self.scale < 1.0:
            small = cv2.resize(frame, (self.pw, self.ph), interpolation=cv2.INTER_AREA)
        steady = self.steadier(small, self.roi)
        if self.evidence is not None:
            self.evidence.push(frame, t)
        if self.throws is not None:
            for ev in self.throws.process(steady, t, idx):
                out.append(self._detection(ev, frame))
        if self.crowd is not None:
            self.crowd.process(steady, t)
            out.extend(self._crowd_second(t, frame))
        if self.evidence is not None:
            out.extend(self.evidence.poll(t))
        if self.preview_hz > 0 and t >= self._next_preview:
            self._next_preview = t + 1.0 / self.preview_hz
            out.append(self._preview(frame, t))
        return out

    def finish(self, t: float, idx: int) -> list[AnyRecord]:
        """End of the source: judge open tracks, flush the last second and owed clips."""
        out: list[AnyRecord] = []
        if self.throws is not None:
            for ev in self.throws.finish(t, idx):
                out.append(self._detection(ev, None))
        if self.crowd is not None:
            out.extend(self._crowd_second(t, None, final=True))
        if self.evidence is not None:
            out.extend(self.evidence.poll(t, final=True))
        return out

    # ----------------------------------------------------------------- throws

    def _full(self, x: float, y: float) -> tuple[float, float]:
        return round(x / self.scale, 1), round(y / self.scale, 1)

    def _event_id(self, kind: str, t: float) -> str:
        self._events += 1
        return f"{self.camera.id}-{kind}-{int(self.clock() * 1000)}-{self._events}"

    def _detection(self, ev: ThrowEvent, frame: np.ndarray | None) -> Detection:
        event_id = self._event_id("throw", ev.t)
        track = [(round(t, 3), *self._full(x, y)) for t, x, y in ev.track]
        release = self._full(*ev.release)
        snapshot = ""
        if self.evidence is not None and frame is not None:
            try:
                snapshot = self.evidence.snapshot(
                    event_id, self._annotate(frame, track, release, ev)
                )
                self.evidence.clip_after(event_id, ev.t, snapshot)
            except OSError as exc:
                log.error("camera %s: cannot write evidence: %s", self.camera.id, exc)
        det = Detection(
            camera_id=self.camera.id,
            event_id=event_id,
            t=round(ev.t, 3),
            frame=ev.frame,
            wall_t=self.clock(),
            release=release,
            floor=ev.floor,
            height_m=ev.height_m,
            accel_m_s2=ev.accel_m_s2,
            fall_m=ev.fall_m,
            track=track,
            lon=self.camera.spec.lon,
            lat=self.camera.spec.lat,
            snapshot=snapshot,
        )
        if self.evidence is not None and snapshot:
            try:
                self.evidence.record(event_id, det)
            except OSError as exc:
                log.error("camera %s: cannot write the event record: %s", self.camera.id, exc)
        return det

    def _annotate(
        self,
        frame: np.ndarray,
        track: list[tuple[float, float, float]],
        release: tuple[float, float],
        ev: ThrowEvent,
    ) -> np.ndarray:
        img = frame.copy()
        if self.facade is not None:
            cv2.polylines(img, [np.round(self.facade).astype(np.int32)], True, (0, 200, 255), 1)
        pts = np.array([[x, y] for _, x, y in track], np.int32)
        if len(pts) > 1:
            cv2.polylines(img, [pts], False, (0, 0, 255), 2, cv2.LINE_AA)
        r = max(6, self.w // 80)
        cv2.circle(img, (round(release[0]), round(release[1])), r, (0, 255, 255), 2, cv2.LINE_AA)
        text = f"THROW floor {ev.floor}  {ev.height_m:.0f} m  a={ev.accel_m_s2:.1f} m/s2"
        cv2.putText(img, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(
            img, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA
        )
        return img

    # ------------------------------------------------------------------ crowd

    def _crowd_second(
        self, t: float, frame: np.ndarray | None, final: bool = False
    ) -> list[AnyRecord]:
        assert self.crowd is not None and self.levels is not None
        sec = int(t // 1.0)
        if self._second is None:
            self._second = sec
            return []
        if sec == self._second and not final:
            return []
        self._second = sec
        raw = self.crowd.take_second()
        if raw is None or t - (self._t0 or 0.0) < CROWD_WARMUP_S:
            return []
        self._seconds.append(raw)
        count = float(np.mean(self._seconds))
        self.count = count
        cap = self.levels.capacity
        area = self.camera.spec.walkable_area_m2
        out: list[AnyRecord] = [
            CrowdCount(
                camera_id=self.camera.id,
                t=float(sec) if not final else t,
                wall_t=self.clock(),
                count=round(count, 1),
                raw=round(raw, 1),
                capacity=cap,
                share=round(count / cap, 3),
                level=self.levels.level,
                density=round(count / area, 3) if area else None,
            )
        ]
        change = self.levels.update(count, t)
        if change is not None:
            prev, new = change
            self.level = new
            event_id = self._event_id("crowd", t)
            snapshot = ""
            if self.evidence is not None and frame is not None and new != "normal":
                try:
                    snapshot = self.evidence.snapshot(event_id, self._annotate_crowd(frame, count))
                except OSError as exc:
                    log.error("camera %s: cannot write evidence: %s", self.camera.id, exc)
            alert = CrowdAlert(
                camera_id=self.camera.id,
                t=t,
                wall_t=self.clock(),
                level=new,
                previous=prev,
                count=round(count, 1),
                capacity=cap,
                event_id=event_id,
                snapshot=snapshot,
            )
            if self.evidence is not None and snapshot:
                self.evidence.record(event_id, alert)
            out.append(alert)
        return out

    def _annotate_crowd(self, frame: np.ndarray, count: float) -> np.ndarray:
        img = frame.copy()
        if self.walkable is not None:
            cv2.polylines(img, [np.round(self.walkable).astype(np.int32)], True, (0, 0, 255), 2)
        cap = self.levels.capacity if self.levels else 0
        text = f"CROWD {count:.0f} / {cap}"
        cv2.putText(img, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(
            img, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 1, cv2.LINE_AA
        )
        return img

    # ---------------------------------------------------------------- preview

    def _preview(self, frame: np.ndarray, t: float) -> Preview:
        k = min(1.0, self.preview_width / self.w)
        small = cv2.resize(
            frame,
            (max(1, round(self.w * k)), max(1, round(self.h * k))),
            interpolation=cv2.INTER_AREA,
        )
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 60])
        tracks: list[list[tuple[float, float]]] = []
        if self.throws is not None:
            tracks = [[self._full(x, y) for x, y in tr] for tr in self.throws.live_tracks()]
        return Preview(
            camera_id=self.camera.id,
            t=t,
            jpeg=buf.tobytes() if ok else b"",
            width=small.shape[1],
            height=small.shape[0],
            scale=k,
            tracks=tracks,
            count=None if self.count is None else round(self.count, 1),
            level=self.level if self.crowd is not None else None,
        )
