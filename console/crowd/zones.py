"""The country a time zone belongs to, so a place in Asia/Shanghai gets China's holidays
without anyone typing CN.  Read from the system's ``zone.tab`` (tzdata); where that
file is missing the caller must name the country."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    out: dict[str, str] = {}
    for root in zoneinfo.TZPATH:
        path = Path(root) / "zone.tab"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) >= 3:
                out[parts[2].strip()] = parts[0].strip()
        if out:
            break
    return out


def country_of_zone(tz: str) -> str | None:
    """ISO 3166 code of ``tz``'s country (``Asia/Shanghai`` -> ``CN``), or None if unknown."""
    return _table().get(tz.strip())
