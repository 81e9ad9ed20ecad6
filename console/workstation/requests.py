"""What the workstation asks of its hub process after ``READY``, one line at a time.

The parent (:class:`~console.workstation.hubchild.HubChild`) writes a request line on the
child's stdin; the child answers with one line on its stdout, which the parent reads in
order (one request at a time).  The requests are what the window can only do with a hub on
its own machine: admit the demo seat's connection, take in calls that File > Import past
calls just wrote into the hub's database, start the cameras (Video > Start cameras).  An
unknown request is answered ``UNKNOWN word`` and changes nothing.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.workstation.hubchild import ServedHub

log = logging.getLogger(__name__)


def answer(served: ServedHub, line: str) -> None:
    """A request from the parent, answered by one line on stdout:

    - ``admit KEY`` (the demo seat's connection): admit it to events; ``ADMITTED KEY``.
    - ``reload-history`` (File > Import past calls wrote into this hub's database): take
      the new calls in on the hub's thread at its next tick; ``RELOADED N`` (calls new
      to the hub) or ``RELOADED-FAILED reason``.
    - ``cameras PATH`` (Video > Start cameras): run the district's cameras of that
      camera file in worker processes feeding this hub, their live previews beside
      the command socket; ``CAMERAS ["id", ...]`` (those started) or
      ``CAMERAS-FAILED reason``.
    """
    word, _, rest = line.partition(" ")
    if word == "admit" and rest:
        served.server.event_keys.add(rest)
        print(f"ADMITTED {rest}", flush=True)
    elif word == "reload-history":
        _reload_history(served)
    elif word == "cameras":
        _start_cameras(served, rest)
    elif word:
        print(f"UNKNOWN {word}", flush=True)


def _reload_history(served: ServedHub) -> None:
    from console.hub.guard import safe_text

    soon = getattr(served.hub, "reload_history_soon", None)  # a DistrictHub's
    if not callable(soon):
        print("RELOADED-FAILED this hub keeps no call history", flush=True)
        return
    soon(
        lambda n: print(f"RELOADED {n}", flush=True),
        lambda exc: print(f"RELOADED-FAILED {safe_text(exc)}", flush=True),
    )


def _start_cameras(served: ServedHub, path: str) -> None:
    from console.hub.guard import safe_text
    from console.video.config import CameraConfigError, load_cameras
    from console.video.hubfeed import feed_for_hub
    from console.video.previews import serve_previews

    if served.feed is None:
        try:
            cameras = load_cameras(path or None)
            feed = feed_for_hub(served.hub, cameras).start()
        except CameraConfigError as exc:
            print(f"CAMERAS-FAILED camera file {path}: {exc.key}: {exc.reason}", flush=True)
            return
        except Exception as exc:  # e.g. a worker process that cannot start
            log.exception("cameras not started")
            print(f"CAMERAS-FAILED {safe_text(exc)}", flush=True)
            return
        serve_previews(served.hub, feed, served.ctx, served.keys, served.server.command_endpoint)
        served.feed = feed
    print("CAMERAS " + json.dumps([c.id for c in served.feed.cameras.cameras]), flush=True)
