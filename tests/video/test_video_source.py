"""Video sources: files end or loop, bad files are named, a real HTTP stream reconnects."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.video.records import CameraState
from console.video.source import Backoff, SourceError, VideoSource, probe_file
from tests.link.helpers import wait_until
from tests.video.written import MjpegServer, WrittenScene


def _wait(cond: Callable[[], bool], timeout: float = 60.0) -> bool:
    return wait_until(cond, timeout)


def test_bad_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"video file not found: .*nope\.mp4"):
        probe_file(str(tmp_path / "nope.mp4"))
    with pytest.raises(SourceError, match="directory"):
        probe_file(str(tmp_path))
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 50)
    with pytest.raises(SourceError, match=r"cannot decode .*junk\.mp4"):
        probe_file(str(junk))
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match=r"empty\.avi"):
        probe_file(str(empty))


def test_a_file_plays_once_then_ends(throw_video: WrittenScene) -> None:
    states: list[CameraState] = []
    src = VideoSource("c", str(throw_video.video), "file", on_state=states.append)
    got = [(t, i) for _f, t, i in src.frames()]
    n = throw_video.scene.n_frames
    assert [i for _t, i in got] == list(range(n))
    assert got[-1][0] == pytest.approx((n - 1) / throw_video.scene.spec.fps)
    assert [s.state for s in states] == ["connecting", "live", "ended"]


def test_a_looping_file_keeps_its_clock_going(throw_video: WrittenScene) -> None:
    stop = threading.Event()
    src = VideoSource("c", str(throw_video.video), "file", loop=True, stop=stop)
    times = []
    n = throw_video.scene.n_frames
    for _f, t, _i in src.frames():
        times.append(t)
        if len(times) >= n + 10:
            stop.set()
    assert len(times) == n + 10
    assert all(b > a for a, b in itertools.pairwise(times))


def test_a_missing_file_source_fails_with_a_state(tmp_path: Path) -> None:
    states: list[CameraState] = []
    src = VideoSource("c", str(tmp_path / "gone.mp4"), "file", on_state=states.append)
    with pytest.raises(SourceError):
        list(src.frames())
    assert states[-1].state == "failed" and "gone.mp4" in states[-1].reason


def test_backoff_doubles_up_to_its_cap() -> None:
    b = Backoff(first=1.0, cap=8.0, jitter=0.0)
    assert [b.next() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    b.reset()
    assert b.next() == 1.0


@pytest.fixture
def mjpeg() -> Iterator[MjpegServer]:
    s = MjpegServer()
    s.start()
    yield s
    s.stop()


def test_a_lost_stream_is_reported_down_and_comes_back(mjpeg: MjpegServer) -> None:
    states: list[CameraState] = []
    stop = threading.Event()
    frames: list[float] = []
    src = VideoSource(
        "gate",
        f"http://127.0.0.1:{mjpeg.port}/video.mjpg",
        "stream",
        on_state=states.append,
        backoff=Backoff(first=0.05, cap=0.3),
        stop=stop,
    )

    def run() -> None:
        for _f, t, _i in src.frames():
            frames.append(t)

    th = threading.Thread(target=run, daemon=True)
    th.start()
    try:
        assert _wait(lambda: len(frames) >= 5)
        assert [s.state for s in states][:2] == ["connecting", "live"]
        mjpeg.stop()
        assert _wait(lambda: any(s.state == "down" for s in states))
        down = next(s for s in states if s.state == "down")
        assert down.retry_in_s > 0 and down.reason
        seen = len(frames)
        mjpeg.start()  # same port
        assert _wait(lambda: len(frames) >= seen + 5)
        after = [s.state for s in states[states.index(down) :]]
        assert "live" in after
    finally:
        stop.set()
        mjpeg.stop()
        th.join(timeout=30)
    assert not th.is_alive()
    assert states[-1].state == "stopped"


def test_an_unreachable_stream_backs_off() -> None:
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    states: list[CameraState] = []
    stop = threading.Event()

    def on_state(st: CameraState) -> None:
        states.append(st)
        if sum(x.state == "down" for x in states) >= 4:
            stop.set()

    src = VideoSource(
        "dead",
        f"http://127.0.0.1:{port}/video.mjpg",
        "stream",
        on_state=on_state,
        backoff=Backoff(first=0.1, cap=1.0, jitter=0.0),
        stop=stop,
    )
    assert list(src.frames()) == []
    downs = [s for s in states if s.state == "down"]
    assert [d.retry_in_s for d in downs[:4]] == [0.1, 0.2, 0.4, 0.8]
    assert all(str(port) in d.reason for d in downs)
