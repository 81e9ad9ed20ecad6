"""Garbage-collector settings for the long-running hub process.

A full (oldest-generation) collection walks every tracked object the process
holds; with the district, the live situation, the store's caches and
thousands of terminal sessions loaded that took up to 145 ms here, and it
lands in the middle of whatever the hub is doing: a 1,000-unit order fan-out
stalled by that much.  Objects alive once start-up is over stay alive for the
whole shift, so they are moved out of the collector's sight
(``gc.freeze``), and young objects are collected less often.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 20)
"""Young-generation allocations before a collection, then the number of young
(and middle) collections before the next older one (Python's default 700, 10, 10)."""


def settle_after_start() -> int:
    """Call once start-up has loaded everything: collect, freeze the survivors, retune.

    Returns how many objects were frozen.  Safe to call again later (after a
    big reload): what is frozen stays frozen, which is right for start-up
    state and wrong only for garbage, which the collect before it removed.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    return gc.get_freeze_count()
