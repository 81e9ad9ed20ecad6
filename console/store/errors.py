"""The one exception the store raises for anything the caller can act on.

Callers (hub, CLI) catch a single type and show its message; the message
always names the database (password masked) or the record that was wrong.
"""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened, migrated or written as asked."""
