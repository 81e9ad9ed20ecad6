"""The hub process's collector settings (console/heap.py), checked in a fresh interpreter.

Run in a subprocess: freezing the test runner's own heap and retuning its
collector would change how every later test releases its objects.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc
from console.heap import THRESHOLDS, settle_after_start

class Node:
    def __init__(self):
        self.me = self            # a cycle: only the collector frees it

keep = [Node() for _ in range(1000)]   # start-up state, alive for the whole run
Node(); Node()                         # garbage from start-up
before = gc.get_freeze_count()
frozen = settle_after_start()
assert before == 0, before
assert frozen >= 1000, frozen          # the live start-up objects, not the garbage
assert gc.get_threshold() == THRESHOLDS
assert not any(type(o) is Node for o in gc.get_objects()), "frozen objects are out of sight"
print(frozen)
"""


def test_settle_freezes_live_start_up_state_and_retunes_the_collector() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 1000
