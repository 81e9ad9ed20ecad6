"""The built-in demo district 黄浦 (demo) and its synthetic 110-call history.

Approximate by design (District.approximate is True): a believable Huangpu,
Shanghai - real road names, stations and hotspots in roughly the right places -
generated deterministically from a seed, never official data.
"""

from console.demo.district import area_index, area_of, build_demo_district, is_inside
from console.demo.history import CallHistory, generate_call_history

__all__ = [
    "CallHistory",
    "area_index",
    "area_of",
    "build_demo_district",
    "generate_call_history",
    "is_inside",
]
