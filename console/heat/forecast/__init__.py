"""Forecast models of 110 calls on a grid and the registry the evaluation and the hub use.

- ``baseline``: Gaussian KDE (2 cells) of the training days before the window (fixed yardstick).
- ``prospective``: Bowers, Johnson and Pease (2004) prospective hot-spotting.
- ``sepp``: Mohler et al. (2015) grid self-exciting point process (ETAS), EM-fitted.
- ``blend``: long-term densities at several scales + recent weeks + near-repeat, mixture
  weights fitted by Poisson likelihood on the weeks before the forecast (see ``blend.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from console.heat.forecast.base import ForecastModel
from console.heat.forecast.blend import Blend
from console.heat.forecast.kdemodels import BaselineKDE, ProspectiveHotSpot
from console.heat.forecast.rhythm import Rhythm, fit_rhythm
from console.heat.forecast.sepp import GridSEPP

MODEL_NAMES = ("baseline", "prospective", "sepp", "blend")


def make_models(names: list[str] | None = None, train_days: int = 28) -> list[ForecastModel]:
    """Fresh model objects by name (default: all), the baseline with ``train_days``."""
    wanted = list(MODEL_NAMES) if names is None else names
    unknown = [n for n in wanted if n not in MODEL_NAMES]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)} (known: {', '.join(MODEL_NAMES)})")
    make: dict[str, Callable[[], ForecastModel]] = {
        "baseline": lambda: BaselineKDE(train_days=float(train_days)),
        "prospective": ProspectiveHotSpot,
        "sepp": GridSEPP,
        "blend": Blend,
    }
    return [make[n]() for n in wanted]


__all__ = [
    "MODEL_NAMES",
    "BaselineKDE",
    "Blend",
    "ForecastModel",
    "GridSEPP",
    "ProspectiveHotSpot",
    "Rhythm",
    "fit_rhythm",
    "make_models",
]
