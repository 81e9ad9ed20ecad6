"""What a terminal remembers: its orders (to ignore duplicates), messages both ways, and
unacknowledged reports.

An order id seen once is never executed again, even after the terminal
restarts, so the store must outlive the process: :class:`SqliteStore` keeps
it in one small SQLite file.  :class:`MemoryStore` is the same contract in
memory, for simulated terminals whose "device" is the simulator process.
Messages from the command room are kept with their state (new, read) so a
resent one is not shown twice and the read receipt survives a restart; the
officer's own reports are kept as outgoing lines with the ``mid`` that tells
whether the hub has them yet.  :class:`SqliteStore` also keeps the district's street map
(one row: version and blob, :mod:`console.terminal.mapsync`), for restarts and offline use.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from console.link.protocol import Message, OrderBody

FINAL = frozenset({"finished", "rejected", "cancelled", "expired"})
MESSAGES_KEPT = 500


@dataclass
class LocalOrder:
    """An order as the terminal holds it."""

    order: OrderBody
    state: str  # new | read | accepted | rejected | arrived | finished | cancelled
    received_at: float


@dataclass
class LocalMessage:
    """A message on the terminal: from the command room (``outgoing`` False) or the
    officer's own report (``mid``: its reliable id, unacknowledged while the hub lacks it)."""

    message: Message
    state: str  # new | read (incoming); sent (outgoing)
    received_at: float
    outgoing: bool = False
    mid: int | None = None
    photo: bool = False


class LocalStore(Protocol):
    """The terminal's memory."""

    def get(self, order_id: str) -> LocalOrder | None: ...

    def put(self, order: LocalOrder) -> None: ...

    def orders(self) -> list[LocalOrder]: ...

    def next_mid(self) -> int: ...

    def put_unacked(self, mid: int, data: bytes) -> None: ...

    def drop_unacked(self, mid: int) -> None: ...

    def has_unacked(self, mid: int) -> bool: ...

    def unacked(self) -> list[tuple[int, bytes]]: ...

    def unacked_count(self) -> int: ...

    def get_message(self, message_id: str) -> LocalMessage | None: ...

    def put_message(self, message: LocalMessage) -> None: ...

    def messages(self) -> list[LocalMessage]: ...


class MemoryStore:
    """In-memory :class:`LocalStore` (one per simulated terminal)."""

    def __init__(self) -> None:
        self._orders: dict[str, LocalOrder] = {}
        self._unacked: dict[int, bytes] = {}
        self._messages: dict[str, LocalMessage] = {}
        self._mid = time.time_ns() // 1000 % 2**40  # never reused by a restarted simulator

    def get(self, order_id: str) -> LocalOrder | None:
        return self._orders.get(order_id)

    def put(self, order: LocalOrder) -> None:
        self._orders[order.order.order_id] = order

    def orders(self) -> list[LocalOrder]:
        return list(self._orders.values())

    def next_mid(self) -> int:
        self._mid += 1
        return self._mid

    def put_unacked(self, mid: int, data: bytes) -> None:
        self._unacked[mid] = data

    def drop_unacked(self, mid: int) -> None:
        self._unacked.pop(mid, None)

    def has_unacked(self, mid: int) -> bool:
        return mid in self._unacked

    def unacked(self) -> list[tuple[int, bytes]]:
        return sorted(self._unacked.items())

    def unacked_count(self) -> int:
        return len(self._unacked)

    def get_message(self, message_id: str) -> LocalMessage | None:
        return self._messages.get(message_id)

    def put_message(self, message: LocalMessage) -> None:
        self._messages[message.message.message_id] = message
        while len(self._messages) > MESSAGES_KEPT:
            self._messages.pop(next(iter(self._messages)))

    def messages(self) -> list[LocalMessage]:
        return sorted(self._messages.values(), key=lambda m: (m.received_at, m.message.message_id))


class SqliteStore:
    """A :class:`LocalStore` in one SQLite file (the real terminal)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, body BLOB NOT NULL,"
                " state TEXT NOT NULL, received_at REAL NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS unacked (mid INTEGER PRIMARY KEY, data BLOB NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, body BLOB NOT NULL,"
                " state TEXT NOT NULL, received_at REAL NOT NULL, outgoing INTEGER NOT NULL,"
                " mid INTEGER, photo INTEGER NOT NULL DEFAULT 0)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS district_map (k INTEGER PRIMARY KEY CHECK (k = 1),"
                " version TEXT NOT NULL, blob BLOB NOT NULL)"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get_map(self) -> tuple[str, bytes] | None:
        """The district map held (version, compressed blob), if any."""
        with self._lock:
            r = self._db.execute("SELECT version, blob FROM district_map WHERE k = 1").fetchone()
        return None if r is None else (str(r[0]), bytes(r[1]))

    def put_map(self, version: str, blob: bytes) -> None:
        """Replace the district map held (one row, written whole)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO district_map (k, version, blob) VALUES (1, ?, ?)",
                (version, blob),
            )

    @staticmethod
    def _row(body: bytes, state: str, received_at: float) -> LocalOrder:
        import msgspec

        from console.link.protocol import Order

        return LocalOrder(msgspec.msgpack.decode(body, type=Order), state, received_at)

    def get(self, order_id: str) -> LocalOrder | None:
        with self._lock:
            r = self._db.execute(
                "SELECT body, state, received_at FROM orders WHERE id = ?", (order_id,)
            ).fetchone()
        return None if r is None else self._row(*r)

    def put(self, order: LocalOrder) -> None:
        import msgspec

        from console.link.protocol import Order

        o = order.order
        body = msgspec.msgpack.encode(Order(**{f: getattr(o, f) for f in o.__struct_fields__}))
        with self._lock:
            self._db.execute(
                "INSERT INTO orders (id, body, state, received_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET body = excluded.body, state = excluded.state",
                (o.order_id, body, order.state, order.received_at),
            )

    def orders(self) -> list[LocalOrder]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body, state, received_at FROM orders ORDER BY received_at"
            ).fetchall()
        return [self._row(*r) for r in rows]

    def next_mid(self) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            r = self._db.execute("SELECT v FROM counter WHERE k = 'mid'").fetchone()
            v = (r[0] if r else 0) + 1
            self._db.execute("INSERT OR REPLACE INTO counter (k, v) VALUES ('mid', ?)", (v,))
            self._db.execute("COMMIT")
        return int(v)

    def put_unacked(self, mid: int, data: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO unacked (mid, data) VALUES (?, ?)", (mid, data)
            )

    def drop_unacked(self, mid: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM unacked WHERE mid = ?", (mid,))

    def has_unacked(self, mid: int) -> bool:
        """One primary-key lookup (every incoming order asks, so not a table read)."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM unacked WHERE mid = ?", (mid,)).fetchone()
        return row is not None

    def unacked(self) -> list[tuple[int, bytes]]:
        with self._lock:
            return [
                (int(m), bytes(d))
                for m, d in self._db.execute("SELECT mid, data FROM unacked ORDER BY mid")
            ]

    def unacked_count(self) -> int:
        """Reports waiting for the hub (the officer sees "3 reports waiting for the network")."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM unacked").fetchone()[0])

    @staticmethod
    def _msg(
        body: bytes, state: str, at: float, out: int, mid: int | None, photo: int
    ) -> LocalMessage:
        import msgspec

        m = msgspec.msgpack.decode(body, type=Message)
        return LocalMessage(m, state, at, bool(out), None if mid is None else int(mid), bool(photo))

    def get_message(self, message_id: str) -> LocalMessage | None:
        with self._lock:
            r = self._db.execute(
                "SELECT body, state, received_at, outgoing, mid, photo FROM messages WHERE id = ?",
                (message_id,),
            ).fetchone()
        return None if r is None else self._msg(*r)

    def put_message(self, message: LocalMessage) -> None:
        import msgspec

        body = msgspec.msgpack.encode(message.message)
        with self._lock:
            self._db.execute(
                "INSERT INTO messages (id, body, state, received_at, outgoing, mid, photo)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                " body = excluded.body, state = excluded.state",
                (
                    message.message.message_id,
                    body,
                    message.state,
                    message.received_at,
                    int(message.outgoing),
                    message.mid,
                    int(message.photo),
                ),
            )
            self._db.execute(
                "DELETE FROM messages WHERE id NOT IN"
                " (SELECT id FROM messages ORDER BY received_at DESC LIMIT ?)",
                (MESSAGES_KEPT,),
            )

    def messages(self) -> list[LocalMessage]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body, state, received_at, outgoing, mid, photo FROM messages"
                " ORDER BY received_at, id"
            ).fetchall()
        return [self._msg(*r) for r in rows]
