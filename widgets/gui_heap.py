"""Interpreter settings for a GUI process that also runs busy Python threads.

The workstation embeds the hub (command thread, crowd and heat workers, the
simulation) in the GUI process, so the GUI thread shares the GIL with them.
Two interpreter defaults froze the operator's screen under load (bench/shift.py,
issue 15):

- **GIL hand-over.**  Every call from Qt into Python takes the GIL, and while another
  thread holds it the GUI thread waits up to the switch interval each time.  A 1 ms
  interval (default 5 ms) was tried: A/B runs did not show a clear gain, so the
  interpreter's default is kept (the remaining stalls are these waits: see the note
  of issue 15).
- **Full collections.**  A collection of the oldest generation walked the ~300,000
  objects start-up leaves (district, road graph, Qt wrappers, the store's caches):
  190-240 ms with the GIL held, on whichever thread triggered it.  Once the window
  has loaded, those objects are frozen out of the collector's sight
  (:func:`console.heap.settle_after_start`), as the stand-alone hub does.

:func:`tune_gui_process` is called by :func:`widgets.app.prepare_application`
(the real console and the benchmarks); tests that build windows without it keep
the interpreter's defaults, so nothing is frozen across tests.
"""

from __future__ import annotations

from console.heap import settle_after_start

_tuned = False
_settled = False


def tune_gui_process() -> None:
    """Arm :func:`settle_after_load` for this process (the console, the benchmarks)."""
    global _tuned
    _tuned = True


def settle_after_load() -> int:
    """Once the first window shows its first situation: collect, freeze the survivors and
    retune the collector, once per process and only in a process :func:`tune_gui_process`
    prepared; returns how many objects are frozen (0: not armed, or done already)."""
    global _settled
    if not _tuned or _settled:
        return 0
    _settled = True
    return settle_after_start()
