"""How close to a limit a travel time may be and still count as within it.

Travel times are sums of float edge times, so a node placed exactly on a reach
boundary (750 m walked at 2.5 m/s in 300 s) comes out as 299.9999999997 s on one
platform and 300.0000000003 s on another.  Every "within the standard" or
"within the search limit" test in the product goes through :func:`within` /
:func:`within_mask`, and every Dijkstra cut-off through :func:`cutoff`, so such
ties always resolve the same way: a time within a microsecond of the limit meets it.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

TIME_TOL_S = 1e-6
"""Seconds: far above the rounding of sums of a few thousand edge times, far below
anything a dispatcher could see."""


def within(t: float, limit_s: float) -> bool:
    """``t <= limit_s``, with the tolerance."""
    return bool(t <= limit_s + TIME_TOL_S)


def within_mask(t: npt.ArrayLike, limit_s: float | npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Element-wise :func:`within` (``limit_s`` may be an array of per-element limits)."""
    return np.asarray(np.asarray(t) <= np.asarray(limit_s) + TIME_TOL_S)


def cutoff(limit_s: float) -> float:
    """The Dijkstra ``limit`` for a search whose results are tested with :func:`within`
    (scipy drops nodes beyond ``limit`` as unreachable, so it needs the same slack)."""
    return limit_s if math.isinf(limit_s) else limit_s + TIME_TOL_S
