"""Socket options shared by both ends of the terminal link, and why.

No ZMTP heartbeats (``ZMQ_HEARTBEAT_IVL``): libzmq 4.3.5 aborts the whole
process (``Assertion failed: !_io_error (stream_engine_base.cpp:310)``) when a
peer's pipe has reached its receive high-water mark, the peer then drops the
connection, and the already armed heartbeat timer fires: ``timer_event`` calls
``out_event`` on an engine that has an I/O error.  Found by ``bench/link.py``
(thousands of terminals flooding, then disconnecting).  Dead peers are found
instead by kernel TCP keepalives and by the protocol's own Heartbeat/Pong.
"""

from __future__ import annotations

import zmq

KEEPALIVE_IDLE_S = 10
KEEPALIVE_INTVL_S = 5
KEEPALIVE_CNT = 3
RECONNECT_IVL_MS = 200
RECONNECT_IVL_MAX_MS = 2000
"""One hub: ZeroMQ retries a lost connection after 0.2-0.4 s, then backs off to about 2 s."""
FOLLOW_RECONNECT_IVL_MS = 100
FOLLOW_RECONNECT_IVL_MAX_MS = 400
"""Several hubs (a hot standby pair): the standby's port is refused until it takes over,
so the client keeps trying it; with the 2 s ceiling it reached the new primary on average
a second after it bound (a quarter of the 5 s takeover budget).  Every 0.4-0.5 s is a
refused TCP connect per client and standby hub (a SYN answered by RST), cheap next to
the client's heartbeat, and the new primary is reached about 0.25 s after it binds."""


def tcp_keepalive(s: zmq.Socket[bytes]) -> None:
    """Let the kernel close TCP connections whose peer vanished (about 25 s)."""
    s.setsockopt(zmq.TCP_KEEPALIVE, 1)
    s.setsockopt(zmq.TCP_KEEPALIVE_IDLE, KEEPALIVE_IDLE_S)
    s.setsockopt(zmq.TCP_KEEPALIVE_INTVL, KEEPALIVE_INTVL_S)
    s.setsockopt(zmq.TCP_KEEPALIVE_CNT, KEEPALIVE_CNT)


def reconnect(s: zmq.Socket[bytes], several: bool) -> None:
    """ZeroMQ's reconnect timing for a client of one hub, or of several (``several``)."""
    if several:
        s.setsockopt(zmq.RECONNECT_IVL, FOLLOW_RECONNECT_IVL_MS)
        s.setsockopt(zmq.RECONNECT_IVL_MAX, FOLLOW_RECONNECT_IVL_MAX_MS)
    else:
        s.setsockopt(zmq.RECONNECT_IVL, RECONNECT_IVL_MS)
        s.setsockopt(zmq.RECONNECT_IVL_MAX, RECONNECT_IVL_MAX_MS)


def split_endpoints(endpoints: str) -> list[str]:
    """``tcp://a:5555,tcp://b:5555`` -> each endpoint (a hot standby pair or more): clients
    connect to every hub, and only the primary has bound its ports."""
    out = [e.strip() for e in endpoints.split(",") if e.strip()]
    if not out:
        raise ValueError(f"no hub endpoint in {endpoints!r}")
    return out
