"""``audit verify``: the whole chain walked once, every row's MAC and every checkpoint checked.

Finds, and names, an edited row (its MAC fails, even if the chain after it was
recomputed: that needs the audit key), a deleted row (the next one no longer
chains), rows cut off the end or a log emptied and restarted (a signed
checkpoint names a row that is no longer there, or is there with another MAC),
and a chain record removed to pass the log off as never keyed (this key
directory holds checkpoints of the database).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from sqlalchemy import func, select

from console.audit.anchor import AnchorError, anchor_path, anchors_naming, read_checkpoints
from console.link.keys import KeyFileError, check_key_dir, load_audit_key
from console.store.audit_repo import GENESIS, AuditRepo, ChainWalk, chain_mac
from console.store.db import Store, mask_url, open_store
from console.store.models import AuditRow

SPLIT_FROM = 200_000
"""Logs shorter than this are walked by one process (starting more costs more than it saves)."""


class AuditCheckError(Exception):
    """The log cannot be checked at all (no key, unreadable anchors): neither intact nor not."""


@dataclass
class AuditReport:
    """What ``audit verify`` found."""

    count: int = 0
    """Entries in the log (rows walked), not the highest seq."""
    head: tuple[int, str] | None = None
    keyed: bool = False
    chain: str = ""
    bad_seq: int | None = None
    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0
    last_checkpoint: tuple[int, float] | None = None
    """(seq, time) of the newest checkpoint."""
    seconds: float = 0.0

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_store(
    store: Store, key_dir: Path | None = None, anchor_file: Path | None = None, jobs: int = 1
) -> AuditReport:
    """Check the whole log of ``store``; AuditCheckError if it cannot be checked.

    ``jobs`` > 1 splits the walk between that many processes (forked: only from a
    single-threaded program such as ``audit verify``; otherwise it walks alone).
    """
    t0 = time.perf_counter()
    try:
        d = check_key_dir(key_dir)
        key = load_audit_key(d)
    except KeyFileError as exc:
        raise AuditCheckError(f"audit key: {exc}") from None
    report = AuditReport()
    db = mask_url(store.url)
    with store.session() as s:
        repo = AuditRepo(s)
        rec = repo.chain()
        if rec is None:
            report.keyed = False
            walk = repo.walk()
            for path in anchors_naming(d, db):
                report.problems.append(
                    f"the log is not sealed, but {path} holds checkpoints of this database: "
                    "its chain record was removed and the log rewritten"
                )
        else:
            if key is None:
                raise AuditCheckError(
                    f"the log is sealed with an audit key, but {d} has none (audit.key_secret): "
                    "run with --key-dir pointing at the hub's key directory"
                )
            if chain_mac(key, rec.chain, rec.keyed_from, rec.created_at) != rec.mac:
                raise AuditCheckError(
                    f"the audit key in {d} does not open this log (another key, or the "
                    "chain record was edited)"
                )
            report.keyed, report.chain = True, rec.chain
            try:
                cps = read_checkpoints(anchor_file or anchor_path(d, rec.chain), key, rec.chain)
            except AnchorError as exc:
                raise AuditCheckError(str(exc)) from None
            anchors = {cp.seq: cp.head for cp in cps}
            walk = _walk(store, repo, key, rec.keyed_from, anchors, jobs)
            report.checkpoints = len(cps)
            if cps:
                report.last_checkpoint = (cps[-1].seq, cps[-1].t)
            if walk.bad_seq is None:
                for cp in cps:
                    if cp.seq not in walk.anchored:
                        end = walk.head[0] if walk.head else 0
                        report.problems.append(
                            f"entry seq {cp.seq}, anchored at {_when(cp.t)} as the head of "
                            f"{cp.count} entries, is missing (the log now ends at seq {end}): "
                            "entries were cut off or removed"
                        )
                        report.bad_seq = cp.seq
                        break
    report.count, report.head = walk.count, walk.head
    if walk.bad_seq is not None:
        report.bad_seq = walk.bad_seq
        report.problems.insert(0, walk.reason)
    report.seconds = time.perf_counter() - t0
    return report


def _walk(
    store: Store,
    repo: AuditRepo,
    key: bytes,
    keyed_from: int,
    anchors: dict[int, str],
    jobs: int,
) -> ChainWalk:
    """The walk, split between ``jobs`` forked processes when that is safe and worth it."""
    with store.session() as s:
        lo, hi, n = s.execute(
            select(func.min(AuditRow.seq), func.max(AuditRow.seq), func.count(AuditRow.seq))
        ).one()
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if jobs <= 1 or not forkable or not n or n < SPLIT_FROM:
        return repo.walk(key=key, keyed_from=keyed_from, anchors=anchors)
    url = store.url.render_as_string(hide_password=False)
    edges = [lo - 1 + (hi - lo + 1) * k // jobs for k in range(jobs + 1)]
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        parts = list(
            pool.map(
                _walk_part,
                [url] * jobs,
                [key] * jobs,
                [keyed_from] * jobs,
                [{k: v for k, v in anchors.items() if a < k <= b} for a, b in pairwise(edges)],
                edges[:-1],
                edges[1:],
            )
        )
    out = ChainWalk()
    last: tuple[int, str] | None = None
    for part in parts:
        if part.count == 0 and part.bad_seq is None:
            continue
        if part.first is not None:
            want = last[1] if last is not None else GENESIS
            if part.first[1] != want:
                out.bad_seq, out.count = part.first[0], out.count
                out.reason = f"entry seq {part.first[0]} does not chain onto the entry before it"
                return out
        out.anchored |= part.anchored
        if part.bad_seq is not None:
            out.bad_seq, out.reason, out.count = part.bad_seq, part.reason, out.count + part.count
            return out
        out.count += part.count
        last = part.head
    out.head = last
    return out


def _walk_part(
    url: str, key: bytes, keyed_from: int, anchors: dict[int, str], after: int, upto: int
) -> ChainWalk:
    """One process's share of a split walk (its own connection)."""
    store = open_store(url, migrate=False)
    try:
        with store.session() as s:
            return AuditRepo(s).walk(
                key=key, keyed_from=keyed_from, anchors=anchors, after=after, upto=upto
            )
    finally:
        store.close()


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))
