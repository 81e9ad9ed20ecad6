"""Wrong passwords from four anonymous workstation sockets against the real stand-alone hub
(issue 13, 4): a real ``console.link.cli hub`` process, real CURVE sockets.

Nothing here measures time.  What the flood costs the hub is counted instead: how many
passwords the hub really checked (each a 0.1-0.2 s argon2 run), and in which order replies
come back (a command queued behind password checks comes back after them).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from sqlalchemy import select

from console.auth import LOGIN_FAILED
from console.hub.messages import CreateIncident, Login, Reply
from console.link.remote import RemoteClient
from console.store.db import open_store
from console.store.models_trust import AuthLockoutRow
from tests.link.helpers import wait_until
from tests.trust.helpers import PASSWORD, HubProcess, add_user, hub_process

FLOODERS = 4


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[HubProcess, str]]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = tmp_path / "keys"
    from console.link.keys import load_or_create_hub_keys

    load_or_create_hub_keys(keys)
    add_user(url, keys, "root", "admin")
    add_user(url, keys, "sup", "supervisor")
    with hub_process(tmp_path, url, keys) as h:
        yield h, url


def _clients(h: HubProcess, n: int) -> list[RemoteClient]:
    return [RemoteClient(h.endpoint, h.public, workstation=f"anon-{i}") for i in range(n)]


def test_guessing_an_accounts_password_costs_the_hub_a_few_checks_not_one_each(
    hub: tuple[HubProcess, str],
) -> None:
    h, url = hub
    sup = RemoteClient(h.endpoint, h.public, workstation="desk-sup")
    flooders = _clients(h, FLOODERS)
    try:
        assert sup.call(Login(username="sup", password=PASSWORD), timeout=60).ok
        futs: list[Future[Reply]] = [
            c.request(Login(username="root", password=f"guess number {i:04d}"))
            for i in range(50)
            for c in flooders
        ]
        order = sup.request(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
        reply = order.result(120)
        assert reply.ok, reply.error
        answers = [f.result(120) for f in futs]
    finally:
        for c in [sup, *flooders]:
            c.close()
    assert not any(a.ok for a in answers)
    texts = {a.error for a in answers}
    assert LOGIN_FAILED in texts
    assert all(t == LOGIN_FAILED or t.startswith("too many failed sign-ins") for t in texts)
    store = open_store(url)
    try:
        with store.session() as s:
            checked = s.scalar(
                select(AuthLockoutRow.failures).where(AuthLockoutRow.username == "root")
            )
    finally:
        store.close()
    # 200 guesses, of which only the first few were worth an argon2 check
    assert checked is not None and 3 <= checked <= 6, checked


def test_a_supervisors_command_is_not_queued_behind_password_checks(
    hub: tuple[HubProcess, str],
) -> None:
    h, _ = hub
    sup = RemoteClient(h.endpoint, h.public, workstation="desk-sup")
    flooders = _clients(h, FLOODERS)
    arrivals: list[str] = []
    tick = itertools.count()
    lock = threading.Lock()

    def note(what: str) -> None:
        with lock:
            arrivals.append(f"{next(tick):04d} {what}")

    try:
        assert sup.call(Login(username="sup", password=PASSWORD), timeout=60).ok
        futs = []
        for i in range(8):  # every name new: each needs a real password check
            for k, c in enumerate(flooders):
                f = c.request(Login(username=f"nobody-{k}-{i}", password="wrong password!"))
                f.add_done_callback(lambda _f: note("flood"))
                futs.append(f)
        assert wait_until(lambda: bool(arrivals), timeout=120)  # the hub is busy with them
        order = sup.request(CreateIncident(incident_type="theft", lon=121.4737, lat=31.2304))
        order.add_done_callback(lambda _f: note("supervisor"))
        assert order.result(120).ok
        for f in futs:
            f.result(120)
    finally:
        for c in [sup, *flooders]:
            c.close()
    floods = [a for a in arrivals if a.endswith("flood")]
    supervisor = next(a for a in arrivals if a.endswith("supervisor"))
    # the command came back while password checks sent before it were still running
    assert supervisor < floods[-1], arrivals


def test_a_flooder_renaming_its_workstation_on_every_try_stays_one_source(
    hub: tuple[HubProcess, str],
) -> None:
    """The per-source limit counts the connection (its CURVE key), not the workstation name
    a client writes into each request: renaming on every try used to escape it."""
    h, _ = hub
    c = RemoteClient(h.endpoint, h.public, workstation="anon")
    answers: list[Reply] = []
    try:
        for i in range(30):  # a new account name and a new workstation name every time
            c.workstation = f"anon-{i}"
            answers.append(
                c.call(Login(username=f"nobody-{i}", password="wrong password!"), timeout=120)
            )
    finally:
        c.close()
    assert not any(a.ok for a in answers)
    throttled = [a for a in answers if a.error.startswith("too many failed sign-ins")]
    # the first ten failures are free (auth.source_free_failures); later tries wait
    assert throttled and all(a.error == LOGIN_FAILED for a in answers[:10])


def _from(address: str, h: HubProcess, name: str) -> RemoteClient:
    """A workstation whose connections leave from ``address`` (any 127.x.y.z is this host on
    Linux; ZeroMQ's ``tcp://SOURCE:0;HOST:PORT`` picks the source address)."""
    host_port = h.endpoint.removeprefix("tcp://")
    return RemoteClient(f"tcp://{address}:0;{host_port}", h.public, workstation=name)


def test_a_new_key_for_every_try_is_still_one_address_and_other_seats_sign_in(
    tmp_path: Path,
) -> None:
    """A flooder that opens a new connection with a new CURVE key for every password try
    is a fresh source each time; the address they all come from is one.  Its tries wait
    once it has failed ``auth.address_free_failures`` times (30, no success between), while
    a seat on another address signs in at once; the failure summary names the address."""
    from console.auth import AuthSettings
    from console.link.keys import load_or_create_hub_keys
    from console.store.models import AuditRow

    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    keys = tmp_path / "keys"
    load_or_create_hub_keys(keys)
    add_user(url, keys, "sup", "supervisor")
    free = AuthSettings().address_free_failures
    flooder, seat = "127.0.0.3", "127.0.0.2"
    answers: list[Reply] = []

    def flood(i: int) -> Reply:  # a new connection, key, account name each time
        c = _from(flooder, h, f"anon-{i}")
        try:
            answers.append(
                c.call(Login(username=f"nobody-{i}", password="wrong password!"), timeout=120)
            )
        finally:
            c.close()
        return answers[-1]

    with hub_process(tmp_path, url, keys) as h:
        for i in range(free + 10):
            flood(i)
        # The address is held back for 2 ** (failures - free) s after its last checked
        # failure (1 s after the 31st try): too short to be sure the next sign-in of a
        # loaded machine comes within it.  Failures checked once each hold has passed make
        # it 8 s, which the one connection and sign-in below cannot outlast.
        for i in range(free + 10, free + 60):
            if sum(a.error == LOGIN_FAILED for a in answers) >= free + 3:
                break
            reply = flood(i)
            if reply.error.startswith("too many failed sign-ins: wait"):  # the hold's rest
                time.sleep(float(reply.error.split("wait ", 1)[1].split(" s", 1)[0]))
        # the limit is per address: a seat behind the flooder's own address waits too
        same = _from(flooder, h, "desk-behind-the-same-nat")
        try:
            behind = same.call(Login(username="sup", password=PASSWORD), timeout=60)
        finally:
            same.close()
        # the flooder's address is held back; a desk on another address is not
        desk = _from(seat, h, "desk-sup")
        try:
            ok = desk.call(Login(username="sup", password=PASSWORD), timeout=60)
        finally:
            desk.close()
    assert not any(a.ok for a in answers)
    assert all(a.error == LOGIN_FAILED for a in answers[:free]), [a.error for a in answers]
    throttled = [a for a in answers[free:] if a.error.startswith("too many failed sign-ins")]
    assert throttled, [a.error for a in answers[free:]]
    assert ok.ok, ok.error
    assert not behind.ok and behind.error.startswith("too many failed sign-ins"), behind.error
    # the hub stopped and wrote its last failure summary: the address is named in it
    store = open_store(url)
    try:
        with store.session() as s:
            rows = s.scalars(select(AuditRow.payload).where(AuditRow.action == "auth.failures"))
            summaries = list(rows)
    finally:
        store.close()
    assert sum(p.get("addresses", {}).get(flooder, 0) for p in summaries) >= free + 10
