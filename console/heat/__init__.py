"""110-call heat: density, hot spots, forecasts and their evaluation (no Qt).

``heat_grid``/``HeatGrid`` (the binned density the hub's ``GetHeat`` sends)
keep their old import path; the engine the hub can call off the GUI thread
is :class:`console.heat.engine.HeatEngine`.
"""

from console.heat.density import HeatGrid, heat_grid, heat_grid_from_result

__all__ = ["HeatGrid", "heat_grid", "heat_grid_from_result"]
