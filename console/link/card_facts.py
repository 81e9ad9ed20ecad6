"""Order cards for a batch of order rows: the facts read from the store, a few queries a batch.

:class:`CardSource` is held by the :class:`~console.link.outbox.Outbox`; whatever
builds wire orders (a send wave, a hello, an update, the approval's fast path)
asks it for the cards of its rows.  Per batch it reads, for the incidents
involved: the merged calls, approvals and reassignments (one chronology query),
the open orders (one query, ETAs and roles out of the JSON bodies by the
database), the plans' approvals and the approvers' display names.  The team and
events of an incident are kept for half a second, so a 1,000-order fan-out sent
in chunks of 100 reads them once; :meth:`CardSource.invalidate` drops them when
the incident changes.  Config names and the road graph are optional: a
link-only hub sends cards without turn-by-turn legs or street maps.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.geo.roadgraph import RoadGraph
from console.link import card_geo
from console.link import protocol as p
from console.link.order_card import (
    Approval,
    IncidentFacts,
    Names,
    RouteFacts,
    TeamFacts,
    build_card,
    route_from_body,
)
from console.store.models import (
    IncidentEventRow,
    OrderRow,
    PlanDecisionRow,
    PositionLatestRow,
    UnitRow,
    UserRow,
)
from console.store.order_repo import FINAL_STATES

log = logging.getLogger(__name__)

CALL_MERGED = "call_merged"
FIRST_APPROVAL = "plan_first_approval"
REASSIGNED = "reassigned"
TEAM_TTL_S = 0.5
_FINAL = [s.value for s in FINAL_STATES]


def _chunks(ids: Sequence[Any], n: int = 500) -> Iterable[list[Any]]:
    ids = list(ids)
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


class _Facts:
    """What one incident contributes to every card of it."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.calls: list[p.CallReport] = []
        self.first_approvals: dict[int, list[tuple[str, float]]] = {}
        self.reassigned: dict[str, tuple[str, float]] = {}
        self.team: list[TeamFacts] = []
        self.units: dict[str, tuple[str, str]] = {}  # order id -> (call sign, unit type)


class CardSource:
    """Builds :class:`~console.link.protocol.OrderCard` objects for order rows."""

    def __init__(self, names: Names | None = None, graph: RoadGraph | None = None) -> None:
        self.names = names or Names()
        self.graph = graph
        self._facts: dict[int, _Facts] = {}
        self._lock = threading.Lock()
        self._streets: collections.OrderedDict[tuple[float, float], tuple[str, Any]] = (
            collections.OrderedDict()
        )
        self._routes: collections.OrderedDict[str, RouteFacts] = collections.OrderedDict()

    def invalidate(self, incident_id: int) -> None:
        """The incident's calls, team or approvals changed: read them again next time."""
        with self._lock:
            self._facts.pop(incident_id, None)

    # ------------------------------------------------------------------ facts

    def _load(self, s: Session, incident_ids: set[int]) -> dict[int, _Facts]:
        now_m = time.monotonic()
        with self._lock:
            have = {
                i: f
                for i in incident_ids
                if (f := self._facts.get(i)) is not None and now_m - f.at < TEAM_TTL_S
            }
        need = sorted(incident_ids - set(have))
        fresh = {i: _Facts(now_m) for i in need}
        for chunk in _chunks(need):
            for iid, t, actor, kind, detail in s.execute(
                select(
                    IncidentEventRow.incident_id,
                    IncidentEventRow.t,
                    IncidentEventRow.actor,
                    IncidentEventRow.kind,
                    IncidentEventRow.detail,
                )
                .where(
                    IncidentEventRow.incident_id.in_(chunk),
                    IncidentEventRow.kind.in_([CALL_MERGED, FIRST_APPROVAL, REASSIGNED]),
                )
                .order_by(IncidentEventRow.t, IncidentEventRow.id)
            ):
                f, d = fresh[iid], detail if isinstance(detail, dict) else {}
                if kind == CALL_MERGED:
                    f.calls.append(
                        p.CallReport(
                            t=min(max(float(t), 0.0), 4.0e9),
                            number=str(d.get("caller", ""))[:64],
                            text=str(d.get("description", ""))[:4000],
                            address=str(d.get("address", ""))[:4000],
                        )
                    )
                elif kind == FIRST_APPROVAL:
                    f.first_approvals.setdefault(int(d.get("plan_id") or 0), []).append(
                        (actor, float(t))
                    )
                elif kind == REASSIGNED and d.get("to"):
                    f.reassigned[str(d["to"])] = (actor, float(t))
            for oid, iid, cs, utype, role, role_zh, eta, created in s.execute(
                select(
                    OrderRow.id,
                    OrderRow.incident_id,
                    UnitRow.call_sign,
                    UnitRow.unit_type,
                    OrderRow.role,
                    OrderRow.body["role_zh"].as_string(),
                    OrderRow.body["eta_s"].as_float(),
                    OrderRow.created_at,
                )
                .join(UnitRow, UnitRow.id == OrderRow.unit_id)
                .where(OrderRow.incident_id.in_(chunk), OrderRow.state.not_in(_FINAL))
                .order_by(OrderRow.created_at, OrderRow.id)
            ):
                f = fresh[iid]
                f.team.append(
                    TeamFacts(
                        str(oid),
                        str(cs),
                        str(utype),
                        str(role or ""),
                        str(role_zh or ""),
                        None if eta is None else min(max(float(eta), 0.0), 86400.0),
                        float(created),
                    )
                )
                f.units[str(oid)] = (str(cs), str(utype))
        with self._lock:
            self._facts.update(fresh)
        return {**have, **fresh}

    def _approvals(self, s: Session, plan_ids: set[int]) -> dict[int, list[tuple[str, float]]]:
        out: dict[int, list[tuple[str, float]]] = {}
        for chunk in _chunks(sorted(plan_ids)):
            for pid, user, t in s.execute(
                select(PlanDecisionRow.plan_id, PlanDecisionRow.user, PlanDecisionRow.t).where(
                    PlanDecisionRow.plan_id.in_(chunk), PlanDecisionRow.decision == "approve"
                )
            ):
                out.setdefault(int(pid), []).append((str(user), float(t)))
        return out

    @staticmethod
    def _display(s: Session, users: set[str]) -> dict[str, str]:
        if not users:
            return {}
        rows = s.execute(
            select(UserRow.username, UserRow.display_name).where(UserRow.username.in_(users))
        ).all()
        return {u: (f"{d} ({u})" if d and d != u else u) for u, d in rows}

    def _streets_at(self, lon: float, lat: float) -> tuple[str, p.StreetMap | None]:
        key = (round(lon, 5), round(lat, 5))
        with self._lock:
            got = self._streets.get(key)
        if got is None:
            try:
                got = (
                    card_geo.nearest_street(self.graph, lon, lat),
                    card_geo.street_map(self.graph, lon, lat),
                )
            except Exception:  # a card without a street map is still a card
                log.exception("street map around (%.5f, %.5f) failed", lon, lat)
                got = ("", None)
            with self._lock:
                self._streets[key] = got
                while len(self._streets) > 256:
                    self._streets.popitem(last=False)
        return got

    def _route(
        self, s: Session, row: Any, body: dict[str, Any], cs: str, scene: tuple[float, float]
    ) -> RouteFacts:
        key = f"{row.id}:{body.get('route_for', '')}:{len(body.get('route_lon') or ())}"
        with self._lock:
            got = self._routes.get(key)
        if got is not None:
            return got
        route = route_from_body(body, cs)
        if not route.lon and self.graph is not None:
            route = self._route_from_fix(s, row.unit_id, scene)
        if route.lon and not route.steps:
            try:
                steps = tuple(card_geo.route_steps(self.graph, route.lon, route.lat))
            except Exception:
                log.exception("route legs of order %s failed", str(row.id)[:8])
                steps = ()
            dist = route.distance_m
            if dist is None:
                dist = card_geo.route_distance_m(route.lon, route.lat)
            route = RouteFacts(route.lon, route.lat, steps, dist)
        with self._lock:
            self._routes[key] = route
            while len(self._routes) > 4096:
                self._routes.popitem(last=False)
        return route

    def _route_from_fix(self, s: Session, unit_id: int, scene: tuple[float, float]) -> RouteFacts:
        """No planned route for this unit (a reassignment): the road route from its last fix."""
        g = self.graph
        fix = s.execute(
            select(PositionLatestRow.lon, PositionLatestRow.lat).where(
                PositionLatestRow.unit_id == unit_id
            )
        ).first()
        if fix is None:
            fix = s.execute(
                select(UnitRow.home_lon, UnitRow.home_lat).where(UnitRow.id == unit_id)
            ).first()
        if g is None or fix is None:
            return RouteFacts()
        try:
            r = g.route(int(g.snap(float(fix[0]), float(fix[1]))), int(g.snap(*scene)))
        except ValueError:
            return RouteFacts()
        return RouteFacts(
            tuple(float(x) for x in r.lon), tuple(float(y) for y in r.lat), (), r.length_m
        )

    # ------------------------------------------------------------------ cards

    def cards(
        self, s: Session, rows: Sequence[Any], incidents: dict[int, Any]
    ) -> dict[str, p.OrderCard]:
        """Cards for order rows (ORM or Core rows, or row-like objects), by order id.

        ``incidents``: the incident rows by id (the outbox has read them already).
        Orders whose incident is missing get no card.
        """
        if not rows:
            return {}
        facts = self._load(s, {r.incident_id for r in rows if r.incident_id in incidents})
        plan_ids = {int(r.plan_id) for r in rows if getattr(r, "plan_id", None) is not None}
        approvals = self._approvals(s, plan_ids)
        users: set[str] = set()
        for fa in facts.values():
            for lst in fa.first_approvals.values():
                users.update(u for u, _ in lst)
            users.update(u for u, _ in fa.reassigned.values())
        for lst in approvals.values():
            users.update(u for u, _ in lst)
        shown = self._display(s, users)
        out: dict[str, p.OrderCard] = {}
        templates: dict[tuple[Any, ...], p.OrderCard] = {}
        for r in rows:
            inc = incidents.get(r.incident_id)
            f = facts.get(r.incident_id)
            if inc is None or f is None:
                continue
            body = r.body if isinstance(r.body, dict) else {}
            cs, _ = f.units.get(str(r.id), (str(body.get("call_sign", "")), ""))
            approval = self._approval(r, body, cs, f, approvals, shown)
            own_route = "route_lon" in body or self.graph is not None
            tkey = (r.incident_id, r.role, str(r.body), cs if own_route else "", approval)
            card = templates.get(tkey)
            if card is None:
                card = templates[tkey] = self._card(s, r, body, cs, inc, f, approval)
            out[str(r.id)] = card
        return out

    @staticmethod
    def _approval(
        r: Any,
        body: dict[str, Any],
        cs: str,
        f: _Facts,
        approvals: dict[int, list[tuple[str, float]]],
        shown: dict[str, str],
    ) -> Approval:
        if cs in f.reassigned and body.get("replaces"):
            who, t = f.reassigned[cs]
            return Approval((shown.get(who, who),), t)
        pid = getattr(r, "plan_id", None)
        if pid is None:
            return Approval()
        lst = [*f.first_approvals.get(int(pid), []), *approvals.get(int(pid), [])]
        names: list[str] = []
        for u, _ in lst:
            if shown.get(u, u) not in names:
                names.append(shown.get(u, u))
        return Approval(tuple(names), max((t for _, t in lst), default=None))

    def _card(
        self,
        s: Session,
        r: Any,
        body: dict[str, Any],
        cs: str,
        inc: Any,
        f: _Facts,
        approval: Approval,
    ) -> p.OrderCard:
        incident = IncidentFacts(
            id=int(inc.id),
            incident_type=str(inc.incident_type),
            priority=int(inc.priority),
            force_level=int(getattr(inc, "force_level", 0) or 0),
            lon=float(inc.lon),
            lat=float(inc.lat),
            address=str(inc.address or ""),
            caller=str(getattr(inc, "caller", "") or ""),
            description=str(getattr(inc, "description", "") or ""),
            created_at=float(getattr(inc, "created_at", 0.0) or 0.0),
            calls=tuple(f.calls),
        )
        lon = float(body["lon"]) if isinstance(body.get("lon"), int | float) else incident.lon
        lat = float(body["lat"]) if isinstance(body.get("lat"), int | float) else incident.lat
        street, streets = self._streets_at(lon, lat) if self.graph is not None else ("", None)
        return build_card(
            body=body,
            role=str(r.role or ""),
            call_sign=cs,
            incident=incident,
            team=f.team,
            approval=approval,
            names=self.names,
            route=self._route(s, r, body, cs, (lon, lat)),
            street=street,
            streets=streets,
            created_at=float(getattr(r, "created_at", 0.0) or 0.0),
        )
