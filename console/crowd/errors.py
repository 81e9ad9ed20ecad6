"""The one error type of the crowd package: a message an operator can act on."""

from __future__ import annotations


class CrowdError(ValueError):
    """Bad input (file, column, line, zone, country, settings) named in plain words."""
