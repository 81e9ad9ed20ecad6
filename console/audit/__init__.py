"""The command audit trail: who did what, when, from which workstation.

Every state-changing command (accepted or refused) and every administration
command run from a shell becomes one row of the chained ``audit_log`` (see
:mod:`console.store.audit_repo`).  Rows are sealed with the audit key kept
outside the database (:mod:`console.audit.trail`), the chain's head is anchored
in signed checkpoints outside it too (:mod:`console.audit.anchor`), and
``python main.py audit verify`` (:mod:`console.audit.check`) names the first
edited, removed or cut-off entry.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from console.audit.check import AuditCheckError, AuditReport, verify_store
from console.audit.cli import audit_main, audited_cli, cli_actor, cli_trail, verify_main
from console.audit.trail import (
    READ_ONLY,
    SECRET_FIELDS,
    SELF_AUDITED,
    AuditError,
    AuditTrail,
    NonFiniteNumber,
    check_finite,
    command_payload,
    register,
    trail_for,
)
from console.store.db import Store

log = logging.getLogger(__name__)

__all__ = [
    "READ_ONLY",
    "SECRET_FIELDS",
    "SELF_AUDITED",
    "AuditCheckError",
    "AuditError",
    "AuditReport",
    "AuditTrail",
    "NonFiniteNumber",
    "audit_main",
    "audited_cli",
    "check_finite",
    "cli_actor",
    "cli_trail",
    "command_payload",
    "record_command",
    "register",
    "trail_for",
    "verify",
    "verify_main",
    "verify_store",
]


def record_command(
    store: Store,
    *,
    actor: str,
    workstation: str,
    command: Any,
    ok: bool,
    error: str = "",
    t: float | None = None,
) -> None:
    """Append one command after it ran (the hub's current call; never raises).

    Kept for the hub until it calls :meth:`AuditTrail.write` inside the command's
    own transaction (fail closed); a failure here is logged as CRITICAL.
    """
    try:
        trail_for(store).record_command(
            actor=actor, workstation=workstation, command=command, ok=ok, error=error, t=t
        )
    except Exception:
        name = type(command).__name__
        log.critical("AUDIT WRITE FAILED for %s by %s", name, actor, exc_info=True)


def verify(store: Store, key_dir: Path | None = None) -> int | None:
    """The seq of the first tampered or missing entry, or None when the log checks out."""
    report = verify_store(store, key_dir)
    if report.intact:
        return None
    return report.bad_seq if report.bad_seq is not None else 0
