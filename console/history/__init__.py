"""The command room's memory: past incidents, their full record, shift reports, the shift log.

Qt-free queries over the store, used by the hub's shift desk
(:mod:`console.hub.shift`) and by tests and reports directly:

- :mod:`~console.history.search`: closed and cancelled incidents by number, time,
  type, place (radius or area), unit, officer and text;
- :mod:`~console.history.record`: one incident's chronology, plans and decisions,
  orders and receipts, photos and messages, response against the standards;
- :mod:`~console.history.report`: the figures of a shift (incidents, response times
  against the standards, units, alerts, who approved what);
- :mod:`~console.history.shiftlog`: operators' notes, handovers and their acknowledgement;
- :mod:`~console.history.deadlines`: what each open incident must do next, and by when.
"""

from __future__ import annotations


class HistoryError(ValueError):
    """A history query or shift-log change cannot be carried out; the text is for the user."""


__all__ = ["HistoryError"]
