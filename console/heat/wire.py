"""Reading hot-spot and forecast replies back into arrays (the workstation's side, Qt-free).

Why here: the hub sends grids as raw float32 bytes with a shape and a box;
the widgets need arrays again, and a malformed reply (a remote hub of another
version) must fail with a message naming what is wrong, as
:func:`console.heat.density.heat_grid_from_result` does for the heat grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


def _need(result: Any, what: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise ValueError(f"{what} result must be a dict, got {type(result).__name__}")
    missing = [k for k in keys if k not in result]
    if missing:
        raise ValueError(f"{what} result lacks {', '.join(missing)}")
    return result


def _grid(result: dict[str, Any], key: str, what: str) -> tuple[F32, tuple[float, ...]]:
    shape = [int(v) for v in result["shape"]]
    bbox = tuple(float(v) for v in result["bbox"])
    if len(shape) != 2 or min(shape) < 1 or len(bbox) != 4:
        raise ValueError(f"{what} result: bad shape {shape} or bbox {list(bbox)}")
    raw = bytes(result[key])
    if len(raw) != shape[0] * shape[1] * 4:
        raise ValueError(f"{what} result: {len(raw)} {key} bytes do not fit shape {shape}")
    return np.frombuffer(raw, dtype=np.float32).reshape(shape).copy(), bbox


@dataclass(frozen=True, eq=False)
class ForecastReply:
    """A ``GetForecast`` reply: expected calls per cell (row 0 south) and per step."""

    expected: F32
    bbox: tuple[float, ...]
    cell_m: float
    t0: float
    t1: float
    model: str
    total: float
    step_s: float
    step_starts: list[float]
    step_totals: list[float]
    ranked: list[dict[str, float]]

    def step_surface(self, i: int) -> F32:
        """Expected calls per cell in step ``i`` (for an hour slider)."""
        tot = sum(self.step_totals)
        share = self.step_totals[i] / tot if tot > 0 else 0.0
        return (self.expected * share).astype(np.float32)


def forecast_from_result(result: Any) -> ForecastReply:
    """A :class:`ForecastReply` from the wire form of ``Forecast.to_wire``."""
    keys = ("expected", "shape", "bbox", "cell_m", "t0", "t1", "model", "step_s")
    r = _need(result, "GetForecast", (*keys, "step_starts", "step_totals", "ranked", "total"))
    expected, bbox = _grid(r, "expected", "GetForecast")
    starts = [float(v) for v in r["step_starts"]]
    totals = [float(v) for v in r["step_totals"]]
    if len(starts) != len(totals):
        raise ValueError(f"GetForecast result: {len(starts)} step starts, {len(totals)} totals")
    return ForecastReply(
        expected,
        bbox,
        float(r["cell_m"]),
        float(r["t0"]),
        float(r["t1"]),
        str(r["model"]),
        float(r["total"]),
        float(r["step_s"]),
        starts,
        totals,
        [dict(c) for c in r["ranked"]],
    )


@dataclass(frozen=True, eq=False)
class HotSpotsReply:
    """A ``GetHotspots`` reply: the areas (plain dicts) and the Gi* z and significance grids."""

    hotspots: list[dict[str, Any]]
    z: F32
    significant: npt.NDArray[np.bool_]
    bbox: tuple[float, ...]
    cell_m: float
    n_calls: int
    fdr: float


def hotspots_from_result(result: Any) -> HotSpotsReply:
    """A :class:`HotSpotsReply` from the wire form of ``HotSpotResult.to_wire``."""
    keys = ("hotspots", "shape", "bbox", "cell_m", "z", "significant", "n_calls", "fdr")
    r = _need(result, "GetHotspots", keys)
    z, bbox = _grid(r, "z", "GetHotspots")
    bits = np.frombuffer(bytes(r["significant"]), dtype=np.uint8)
    if bits.size * 8 < z.size:
        raise ValueError(f"GetHotspots result: {bits.size} mask bytes for {z.size} cells")
    sig = np.unpackbits(bits)[: z.size].astype(bool).reshape(z.shape)
    spots = list(r["hotspots"])
    for h in spots:
        for k in ("rank", "calls", "centre", "bbox", "rings"):
            if k not in h:
                raise ValueError(f"GetHotspots result: a hot spot lacks {k}")
    return HotSpotsReply(
        spots, z, sig, bbox, float(r["cell_m"]), int(r["n_calls"]), float(r["fdr"])
    )
