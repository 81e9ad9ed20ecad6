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


def tcp_keepalive(s: zmq.Socket[bytes]) -> None:
    """Let the kernel close TCP connections whose peer vanished (about 25 s)."""
    s.setsockopt(zmq.TCP_KEEPALIVE, 1)
    s.setsockopt(zmq.TCP_KEEPALIVE_IDLE, KEEPALIVE_IDLE_S)
    s.setsockopt(zmq.TCP_KEEPALIVE_INTVL, KEEPALIVE_INTVL_S)
    s.setsockopt(zmq.TCP_KEEPALIVE_CNT, KEEPALIVE_CNT)


def split_endpoints(endpoints: str) -> list[str]:
    """``tcp://a:5555,tcp://b:5555`` -> each endpoint (a hot standby pair or more): clients
    connect to every hub, and only the primary has bound its ports."""
    out = [e.strip() for e in endpoints.split(",") if e.strip()]
    if not out:
        raise ValueError(f"no hub endpoint in {endpoints!r}")
    return out
