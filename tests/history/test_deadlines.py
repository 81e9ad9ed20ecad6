"""The incident board's next deadline, from the orders a workstation has seen."""

from __future__ import annotations

from console.config import Config
from console.history.deadlines import ACK, ARRIVE, ON_SCENE, RESPOND, DeadlineBook

T = 1_000_000.0


def _book(config: Config) -> DeadlineBook:
    types = {"巡-1": "patrol_group", "特-1": "special_police"}
    return DeadlineBook(config, types.get)


def test_an_incident_without_orders_runs_against_its_tightest_standard(config: Config) -> None:
    book = _book(config)
    d = book.next_deadline(7, "knife_attack", T)
    assert d is not None and d.kind == RESPOND
    assert d.at == T + config.arrival_standards["special_police"].seconds  # 180 s, not 300 s
    assert book.next_deadline(7, "no_such_type", T) is None


def test_orders_move_the_deadline_ack_then_arrival_then_on_scene(config: Config) -> None:
    book, ack = _book(config), config.orders.ack_deadline_seconds
    assert book.order(7, "o1", "巡-1", "pending", T)
    assert book.order(7, "o2", "特-1", "pending", T + 5)
    d = book.next_deadline(7, "knife_attack", T)
    assert d is not None and (d.kind, d.at, d.call_sign) == (ACK, T + ack, "巡-1")
    book.order(7, "o1", "巡-1", "accepted", T + 10)
    book.order(7, "o2", "特-1", "accepted", T + 12)
    d = book.next_deadline(7, "knife_attack", T)
    assert d is not None and (d.kind, d.call_sign) == (ARRIVE, "特-1")
    assert d.at == T + 5 + config.arrival_standards["special_police"].seconds
    book.order(7, "o2", "特-1", "arrived", T + 100)
    book.order(7, "o1", "巡-1", "rejected", T + 101)  # a refused order is no longer due
    d = book.next_deadline(7, "knife_attack", T)
    assert d is not None and d.kind == ON_SCENE
    assert d.at == T + 100 + config.workflow.on_scene_alert_seconds
    assert book.order_count(7) == 1
    book.forget(7)
    assert book.next_deadline(7, "knife_attack", T).kind == RESPOND  # type: ignore[union-attr]


def test_a_late_event_for_an_ended_order_changes_nothing(config: Config) -> None:
    book = _book(config)
    assert not book.order(3, "old", "巡-1", "finished", T)
    assert book.order_count(3) == 0
