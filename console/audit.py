"""The command audit trail: who did what, when, from which workstation.

Every state-changing command the hub handles (accepted or refused) becomes one
hash-chained row in ``audit_log`` (see :mod:`console.store.audit_repo`), so
``python main.py audit verify`` can name the first edited or missing entry.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from console.store import repos
from console.store.db import Store

log = logging.getLogger(__name__)

#: commands that only read; they are not audited (they change nothing)
READ_ONLY = frozenset(
    {"GetSnapshot", "GetDistrict", "GetHeat", "GetChronology", "GetStats", "GetPlan"}
)
#: payload fields never written to the audit log
SECRET_FIELDS = frozenset({"password", "new_password", "photo"})


def _payload(command: Any) -> dict[str, Any]:
    raw = msgspec.to_builtins(command)
    if not isinstance(raw, dict):
        return {"value": raw}
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in raw.items() if k != "type"}


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
    """Append one command to the chain; never raises (a failed audit is logged loudly)."""
    name = type(command).__name__
    if name in READ_ONLY:
        return
    payload = {"command": _payload(command), "ok": ok}
    if error:
        payload["error"] = error
    try:
        with store.transaction() as s:
            repos.AuditRepo(s).append(actor, workstation, name, payload, t=t)
    except Exception:
        log.exception("AUDIT WRITE FAILED for %s by %s", name, actor)


def verify(store: Store) -> int | None:
    """The seq of the first tampered or missing entry, or None when the chain is whole."""
    with store.session() as s:
        return repos.AuditRepo(s).verify()


def verify_main(argv: list[str]) -> int:
    """``python main.py audit verify [--db URL]``: exit 0 if intact, 1 naming the bad entry."""
    import argparse

    from console.store.db import default_db_url, open_store

    p = argparse.ArgumentParser(prog="dispatch-console audit verify")
    p.add_argument("--db", metavar="URL", help="database URL (default: the local SQLite store)")
    args = p.parse_args(argv)
    store = open_store(args.db or default_db_url())
    try:
        with store.session() as s:
            r = repos.AuditRepo(s)
            bad = r.verify()
            head = r.head()
    finally:
        store.close()
    if bad is None:
        n = head[0] if head else 0
        print(f"audit log intact: {n} entries, head {head[1][:16] if head else '-'}")
        return 0
    print(f"audit log TAMPERED: first bad or missing entry is seq {bad}")
    return 1
