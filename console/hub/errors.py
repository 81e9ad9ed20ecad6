"""Errors a command handler raises when a request is understood but refused."""

from __future__ import annotations


class CommandError(Exception):
    """The command cannot be carried out; the message goes to the user as is."""
