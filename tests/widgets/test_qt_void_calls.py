"""Regression guard: PySide6 6.12.0 on Python 3.11 corrupts the refcount of None.

After a few thousand Qt calls that return void, ``None``'s refcount reaches
zero and the interpreter aborts in ``none_dealloc``.  The calls run in a
subprocess so an abort is reported as a failure instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

CALLS = 20_000

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QLabel, QWidget

    class Emitter(QObject):
        fired = Signal(int)

    app = QApplication([])
    calls = int(sys.argv[1])
    before = sys.getrefcount(None)
    w = QWidget()
    label = QLabel(w)
    for i in range(calls):
        w.update()                      # void C++ call returning None
        label.setText("x")              # void setter
        w.setMinimumWidth(i % 7)
    mid = sys.getrefcount(None)
    received = []
    e = Emitter()
    for i in range(calls):
        e.fired.connect(received.append)
        e.fired.emit(i)
        e.fired.disconnect(received.append)
    app.processEvents()
    after = sys.getrefcount(None)
    print(json.dumps({
        "pyside": pyside_version, "before": before, "mid": mid, "after": after,
        "received": len(received),
    }))
    """
)


def test_many_void_qt_calls_do_not_corrupt_none() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(CALLS)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    assert done.returncode == 0, (
        f"the Qt process died (exit {done.returncode}); a PySide6 build that corrupts "
        f"None's refcount (6.12.0) would do this.\nstderr tail:\n{done.stderr[-2000:]}"
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["received"] == CALLS
    # on a broken build None loses one reference per call; allow ordinary churn only
    assert figures["mid"] >= figures["before"] - 1000, figures
    assert figures["after"] >= figures["before"] - 1000, figures
    assert figures["after"] < figures["before"] + 100_000, figures
