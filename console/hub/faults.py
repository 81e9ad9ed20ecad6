"""Crash points for the tests that kill the hub mid-step: inert in production.

A test starts a hub process with ``DISPATCH_FAULT=<point>`` in its environment; when the
hub reaches that point it kills itself with SIGKILL (no cleanup, no flush, like a power
cut), so the test can check what a restart finds.  Without the variable (always, in
production) :func:`fault_point` is one comparison of two strings.

Points: ``approve:decided`` (inside the approval's transaction, after the plan's decision
and before its orders: the transaction never commits), ``approve:committed`` (after the
approval and its orders are committed, before the units are bound and anyone is told).
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

FAULT_ENV = "DISPATCH_FAULT"
_ARMED = os.environ.get(FAULT_ENV, "")


def fault_point(name: str) -> None:
    """Die here if the environment armed this point (tests only)."""
    if _ARMED and name == _ARMED:
        log.critical("fault point %s reached: killing the hub (%s)", name, FAULT_ENV)
        logging.shutdown()
        os.kill(os.getpid(), signal.SIGKILL)
