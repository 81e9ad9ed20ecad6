"""The district a database holds: which one to open, and the clear error when there is none."""

from __future__ import annotations

from console.district.model import DistrictPackage
from console.store import repos
from console.store.db import Store, mask_url
from console.store.errors import StoreError


class NoDistrictError(StoreError):
    """The database holds no district (or not the one asked for); the text says what to do."""


def how_to_import(url: str) -> str:
    return (
        f"import one with: python main.py district import DIR --db {url}"
        " (see docs/district-package.md), or use the approximate demo with --demo"
    )


def choose_district(store: Store, code: str | None = None) -> str:
    """The code of the district to open: ``code``, else the only (or newest-imported) one."""
    url = mask_url(store.url)
    with store.session() as s:
        stored = repos.PackageRepo(s).districts()
    if not stored:
        raise NoDistrictError(f"the database {url} holds no district; {how_to_import(url)}")
    codes = [c for c, _n, _a, _v in stored]
    if code is not None:
        if code not in codes:
            raise NoDistrictError(
                f"the database {url} holds no district {code!r} (it holds: {', '.join(codes)})"
            )
        return code
    if len(stored) > 1:
        raise NoDistrictError(
            f"the database {url} holds several districts ({', '.join(codes)}): "
            "choose one with --district CODE"
        )
    return codes[0]


def load_stored(store: Store, code: str | None = None) -> DistrictPackage:
    """The stored district (newest version); NoDistrictError when there is none."""
    chosen = choose_district(store, code)
    with store.session() as s:
        pkg = repos.PackageRepo(s).load(chosen)
    if not pkg.district.ways:
        url = mask_url(store.url)
        raise NoDistrictError(
            f"district {chosen!r} in {url} has no stored road network (it was saved before "
            f"district packages); {how_to_import(url)}"
        )
    return pkg
