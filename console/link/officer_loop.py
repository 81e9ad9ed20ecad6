"""The officer's side of the loop, wired between a command hub and its terminal link.

:func:`attach` is called once per hub process, after the link is built and before
the workstation server starts (``HubNode.start``):

- the link's order cards get the hub's config names (incident types, unit types,
  force levels in Chinese and English) and its road graph (turn-by-turn legs,
  the streets around the scene);
- the hub's events keep the cards current: a merged call or any change of an
  incident, and an order added to or gone from it, make the link rebuild that
  incident's cards and push an update where one really changed;
- the messaging commands (:mod:`console.hub.messaging`) are installed, and the
  terminals' delivery and read receipts come back to the hub as events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.hub import messaging
from console.hub.messages import Event, IncidentChanged, OrderChanged
from console.link.card_facts import CardSource
from console.link.order_card import Names

if TYPE_CHECKING:
    from console.hub.hub import CommandHub
    from console.link.server import TerminalLink

CARD_STATES = frozenset({"pending", "rejected", "cancelled", "expired", "finished"})
"""Order states that add a unit to an incident's team or take one off it."""


def attach(hub: CommandHub, link: TerminalLink) -> messaging.Messaging:
    """Wire cards, card updates and messages between ``hub`` and ``link``; idempotent per pair."""
    link.outbox.cards = CardSource(Names.from_config(hub.config), hub.graph)
    if getattr(link, "_officer_hub", None) is hub:
        return messaging.Messaging(hub)
    link.__dict__["_officer_hub"] = hub

    def on_event(ev: Event) -> None:
        if isinstance(ev, IncidentChanged):
            link.refresh_cards(ev.incident.id)
        elif isinstance(ev, OrderChanged) and ev.state in CARD_STATES:
            link.refresh_cards(ev.incident_id)

    hub.subscribe(on_event)
    link.add_message_listener(messaging.announce_from_link(hub))
    return messaging.register(hub)
