"""Wake a polling thread from any other thread: a non-blocking pipe a zmq.Poller can watch.

ZeroMQ sockets must stay on their thread, so other threads queue work and
write one byte here; the owning thread polls the read end with its sockets.
"""

from __future__ import annotations

import contextlib
import os


class Wakeup:
    """A self-pipe: :meth:`wake` from anywhere, poll :attr:`fd`, then :meth:`drain`."""

    def __init__(self) -> None:
        self.fd, self._w = os.pipe()
        os.set_blocking(self.fd, False)
        os.set_blocking(self._w, False)

    def wake(self) -> None:
        """Thread-safe; a full pipe already means "wake up"."""
        with contextlib.suppress(OSError):
            os.write(self._w, b"\0")

    def drain(self) -> None:
        with contextlib.suppress(OSError):
            os.read(self.fd, 65536)

    def close(self) -> None:
        for fd in (self.fd, self._w):
            with contextlib.suppress(OSError):
                os.close(fd)
