"""Positions from the device's GNSS: NMEA through pynmea2 (RMC, GGA, GNS, VTG, GST), real
accuracy from GST where the receiver sends it, and a serial port read through pyserial at
the configured baud rate (a pseudo-terminal stands in for the USB receiver)."""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Iterator

import pytest

from console.terminal.gnss import NmeaState, SerialGnss
from console.terminal.gps import parse_nmea
from tests.terminal.conftest import wait_until


def nmea(body: str) -> str:
    """A sentence with its checksum."""
    cs = 0
    for ch in body:
        cs ^= ord(ch)
    return f"${body}*{cs:02X}\r\n"


# one epoch of a dual-constellation receiver at 南京东路 (31.2304 N, 121.4737 E)
RMC = nmea("GNRMC,021530.00,A,3113.82400,N,12128.42200,E,12.0,084.4,150127,,,A")
GGA = nmea("GNGGA,021530.00,3113.82400,N,12128.42200,E,1,14,0.8,5.0,M,10.0,M,,")
GST = nmea("GNGST,021530.00,1.2,3.1,2.2,45.0,2.4,1.8,4.0")
GNS = nmea("GNGNS,021531.00,3113.82500,N,12128.42300,E,AAN,18,0.7,5.0,10.0,,")
VTG = nmea("GNVTG,090.0,T,,M,10.0,N,18.5,K,A")


def test_gst_gives_the_real_accuracy_and_hdop_only_an_estimate() -> None:
    s = NmeaState()
    assert s.feed(RMC) is not None
    fix = s.feed(GGA)
    assert fix is not None and fix.accuracy_from == "HDOP"
    assert fix.accuracy == pytest.approx(0.8 * 5.0)  # no GST yet: HDOP x UERE
    s.feed(GST)
    again = s.feed(GGA)  # the same epoch, now with the receiver's own error figures
    assert again is not None and again.accuracy_from == "GST"
    assert again.accuracy == pytest.approx(math.hypot(2.4, 1.8))
    assert abs(again.lat - 31.2304) < 1e-6 and abs(again.lon - 121.4737) < 1e-6
    assert again.speed == pytest.approx(12.0 * 0.514444) and again.heading == pytest.approx(84.4)
    assert again.satellites == 14
    when = dt.datetime(2027, 1, 15, 2, 15, 30, tzinfo=dt.UTC).timestamp()
    assert again.t == pytest.approx(when)  # the fix's own time, from RMC's date


def test_gns_of_several_constellations_and_vtg_speed() -> None:
    s = NmeaState()
    s.feed(RMC)
    s.feed(VTG)
    fix = s.feed(GNS)
    assert fix is not None and fix.quality == "GNS:AAN" and fix.satellites == 18
    assert fix.speed == pytest.approx(10.0 * 0.514444) and fix.heading == pytest.approx(90.0)
    assert fix.accuracy == pytest.approx(0.7 * 5.0) and fix.accuracy_from == "HDOP"
    # a GST of another epoch (more than 2 s earlier) does not describe this fix
    s.feed(nmea("GNGST,021520.00,1.2,3.1,2.2,45.0,0.3,0.3,4.0"))
    later = s.feed(GNS)
    assert later is not None and later.accuracy_from == "HDOP"


def test_no_fix_bad_checksums_and_garbage_give_no_position() -> None:
    s = NmeaState()
    assert s.feed(nmea("GPRMC,021530.00,V,,,,,,,150127,,,N")) is None
    assert s.feed(nmea("GPGGA,021530.00,,,,,0,00,99.9,,M,,M,,")) is None
    assert s.feed(nmea("GNGNS,021530.00,,,,,NNN,00,,,,,")) is None
    assert s.feed(GGA[:-5] + "00\r\n") is None  # corrupted checksum
    assert s.feed("garbage") is None and s.feed(b"\xff\xfe$GP") is None
    assert s.bad >= 1 and s.last is None
    # the shell's one-sentence parser is the same pynmea2 reading
    one = parse_nmea(RMC.strip())
    assert one is not None and abs(one.lat - 31.2304) < 1e-6


@pytest.fixture
def pty_port() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def test_a_serial_receiver_at_its_baud_rate(pty_port: tuple[int, str]) -> None:
    master, port = pty_port
    gnss = SerialGnss(port, 38400, retry_s=0.1).start()
    try:
        assert gnss.opened.wait(10), gnss.error
        deadline = time.monotonic() + 20
        while gnss.fix() is None or gnss.fix().accuracy_from != "GST":  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "no GST fix from the serial receiver"
            os.write(master, (RMC + GST + GGA).encode())
            time.sleep(0.1)
        fix = gnss.fix()
        assert fix is not None and fix.accuracy == pytest.approx(math.hypot(2.4, 1.8))
    finally:
        gnss.stop()
    with pytest.raises(ValueError, match="baud rate 1234"):
        SerialGnss(port, 1234)


def test_a_missing_receiver_is_retried_not_fatal() -> None:
    gnss = SerialGnss("/dev/does-not-exist-gnss", 9600, retry_s=0.05).start()
    try:
        assert wait_until(lambda: bool(gnss.error), timeout=10)
        assert gnss.fix() is None and not gnss.opened.is_set()
    finally:
        gnss.stop()
