"""All repositories in one import: ``from console.store.repos import OrderRepo``.

Each repository wraps a :class:`sqlalchemy.orm.Session` and never commits;
the caller decides the transaction (``with store.transaction() as s:``).
They live in small modules by subject; this module only gathers them.
"""

from __future__ import annotations

from console.store.access_repo import TerminalRepo, UserRepo, check_public_key
from console.store.audit_repo import GENESIS, AuditRepo, row_hash
from console.store.district_repo import DistrictRepo, UnitRepo
from console.store.incident_repo import IncidentRepo, PlanRepo
from console.store.order_repo import NewOrder, OrderRepo, can_transition
from console.store.package_repo import PackageRepo
from console.store.tracking_repo import CallArrays, CallHistoryRepo, PositionFix, PositionRepo

__all__ = [
    "GENESIS",
    "AuditRepo",
    "CallArrays",
    "CallHistoryRepo",
    "DistrictRepo",
    "IncidentRepo",
    "NewOrder",
    "OrderRepo",
    "PackageRepo",
    "PlanRepo",
    "PositionFix",
    "PositionRepo",
    "TerminalRepo",
    "UnitRepo",
    "UserRepo",
    "can_transition",
    "check_public_key",
    "row_hash",
]
