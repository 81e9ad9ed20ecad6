"""Steadying a frame before background subtraction: shake and exposure.

A camera on a pole sways in the wind; a cloud or the auto-exposure changes
every pixel at once.  Background subtraction sees both as motion all over the
facade, so each frame is first shifted back onto a reference (phase
correlation on a quarter-size image) and scaled to the reference brightness.
"""

from __future__ import annotations

import cv2
import numpy as np


class Steadier:
    """Undoes small global shifts and brightness changes of a grey frame.

    The shift is the median optical flow (pyramidal Lucas-Kanade) of up to 120
    corners of a reference frame: robust to the few corners a moving object
    or a rain streak covers, and unlike phase correlation not confused by the
    periodic window grid of a tower block.
    """

    def __init__(self, stabilise: bool = True, max_shift: float = 15.0) -> None:
        self.stabilise = stabilise
        self.max_shift = max_shift
        self._ref: np.ndarray | None = None
        self._pts: np.ndarray | None = None
        self._ref_age = 0
        self._ref_mean = 0.0
        self._n = 0
        self.shift = (0.0, 0.0)  # last applied shift (process pixels)
        self.gain = 1.0  # last applied brightness factor

    def __call__(self, img: np.ndarray, roi: np.ndarray | None = None) -> np.ndarray:
        """The steadied frame (uint8, grey or BGR, same size).

        ``roi`` masks the part whose brightness is held steady (the watched region).
        """
        self._n += 1
        gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        mean = float(cv2.mean(gray, roi)[0]) if roi is not None else float(gray.mean())
        if self._n == 1 or self._ref_mean <= 0:
            self._ref_mean = mean
        # follow the scene brightness slowly (dusk), undo quick changes (clouds, exposure)
        self._ref_mean += 0.01 * (mean - self._ref_mean)
        self.gain = self._ref_mean / mean if mean > 1 else 1.0
        if abs(self.gain - 1.0) > 0.01:
            img = cv2.convertScaleAbs(img, alpha=self.gain)
            gray = cv2.convertScaleAbs(gray, alpha=self.gain)
        if self.stabilise:
            img = self._steady(gray, img)
        return img

    def _new_reference(self, gray: np.ndarray) -> None:
        self._ref = gray.copy()
        self._ref_age = 0
        self._pts = cv2.goodFeaturesToTrack(gray, maxCorners=120, qualityLevel=0.01, minDistance=12)

    def _steady(self, gray: np.ndarray, img: np.ndarray) -> np.ndarray:
        if self._ref is None or self._ref.shape != gray.shape or self._pts is None:
            self._new_reference(gray)
            self.shift = (0.0, 0.0)
            return img
        self._ref_age += 1
        moved, status, _err = cv2.calcOpticalFlowPyrLK(
            self._ref,
            gray,
            self._pts,
            None,  # type: ignore[call-overload]
            winSize=(15, 15),
            maxLevel=2,
        )
        ok = status.ravel() == 1
        dx = dy = 0.0
        if int(ok.sum()) >= 12:
            d = (moved[ok] - self._pts[ok]).reshape(-1, 2)
            mx, my = np.median(d, axis=0)
            spread = np.median(np.abs(d - (mx, my)), axis=0)
            if max(spread) < 1.0 and abs(mx) <= self.max_shift and abs(my) <= self.max_shift:
                dx, dy = float(mx), float(my)
        self.shift = (dx, dy)
        if abs(dx) < 0.2 and abs(dy) < 0.2:
            if self._ref_age > 300:  # keep the reference current with the light of the day
                self._new_reference(gray)
            return img
        m = np.array([[1, 0, -dx], [0, 1, -dy]], np.float32)
        return cv2.warpAffine(
            img,
            m,
            (img.shape[1], img.shape[0]),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
