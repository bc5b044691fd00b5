"""Transport over loop://, over a real pty, and its reopen back-off."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import serial

from drivers.sim.pty import PtyPort
from drivers.transport import Transport, TransportError

REAL_SERIAL_FOR_URL = serial.serial_for_url


@pytest.fixture
def pty() -> Iterator[PtyPort]:
    port = PtyPort()
    yield port
    port.close()


def read_exactly(pty: PtyPort, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = pty.read(2.0)
        assert chunk, f"pty went quiet after {len(data)} of {size} bytes"
        data += chunk
    return data


def test_loop_echoes_what_is_written() -> None:
    with Transport("loop://") as port:
        port.write(b"\x10\x04\x01hello")
        assert port.read(8) == b"\x10\x04\x01hello"


def test_read_returns_empty_after_timeout() -> None:
    with Transport("loop://") as port:
        assert port.read(1, timeout=0.01) == b""


def test_url_and_open_state() -> None:
    port = Transport("loop://")
    assert port.url == "loop://"
    assert not port.is_open
    port.open()
    assert port.is_open
    port.close()
    port.close()  # idempotent
    assert not port.is_open


def test_write_after_close_reopens() -> None:
    port = Transport("loop://")
    port.open()
    port.close()
    port.write(b"again")
    assert port.is_open
    assert port.read(5) == b"again"
    port.close()


def test_open_failure_names_the_port(tmp_path: Any) -> None:
    missing = f"{tmp_path}/ttyUSB9"
    with pytest.raises(TransportError, match="ttyUSB9"):
        Transport(missing).open()


def test_bad_url_scheme_is_a_transport_error() -> None:
    with pytest.raises(TransportError, match="nosuch://x"):
        Transport("nosuch://x").open()


def test_every_byte_value_passes_a_pty_unchanged(pty: PtyPort) -> None:
    payload = bytes(range(256)) * 2  # includes CR, ^C, XON/XOFF, DEL
    with Transport(pty.device_path, baudrate=115200) as port:
        port.write(payload)
        assert read_exactly(pty, len(payload)) == payload
        pty.write(payload)
        received = port.read(len(payload), timeout=2.0)
    assert received == payload


def test_reopen_on_a_pty_after_close(pty: PtyPort) -> None:
    port = Transport(pty.device_path)
    port.write(b"one")
    assert read_exactly(pty, 3) == b"one"
    port.close()
    port.write(b"two")
    assert read_exactly(pty, 3) == b"two"
    pty.write(b"\x16")
    assert port.read(1, timeout=2.0) == b"\x16"
    port.close()


def test_reset_input_discards_stale_bytes(pty: PtyPort) -> None:
    with Transport(pty.device_path) as port:
        pty.write(b"\x99stale")
        # The bytes are in the tty buffer as soon as write() returns; wait until visible.
        assert port.read(1, timeout=2.0) == b"\x99"
        port.reset_input()
        assert port.read(5, timeout=0.05) == b""


def test_write_timeout_raises_and_closes(pty: PtyPort) -> None:
    # 4 Mbaud: the 200 KB are allowed 0.5 s of wire time on top of the 0.2 s.
    port = Transport(pty.device_path, baudrate=4_000_000, write_timeout=0.2)
    port.open()
    # Nobody reads the master: the pty buffer (a few KB) fills and the write times out.
    with pytest.raises(TransportError, match=pty.device_path):
        port.write(b"x" * 200_000)
    assert not port.is_open
    port.close()


def test_read_failure_when_device_disappears_closes_port() -> None:
    pty = PtyPort()
    port = Transport(pty.device_path)
    port.open()
    pty.close()
    with pytest.raises(TransportError, match="read"):
        port.read(1, timeout=1.0)
    assert not port.is_open
    port.close()


class FlakyFactory:
    """serial_for_url stand-in: fails while `failing`, counts attempts."""

    def __init__(self) -> None:
        self.failing = True
        self.attempts = 0

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> serial.SerialBase:
        self.attempts += 1
        if self.failing:
            raise serial.SerialException(f"could not open port {url}")
        return REAL_SERIAL_FOR_URL("loop://", do_not_open=True)


def test_ensure_open_backs_off_exponentially(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = FlakyFactory()
    monkeypatch.setattr(serial, "serial_for_url", factory)
    now = [100.0]
    port = Transport("/dev/ttyFAKE", monotonic=lambda: now[0])

    expected_gaps = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert port.ensure_open() is False
    assert factory.attempts == 1
    for attempt, gap in enumerate(expected_gaps, start=2):
        now[0] += gap - 0.01
        assert port.ensure_open() is False
        assert factory.attempts == attempt - 1, f"retried inside the {gap} s window"
        now[0] += 0.01
        assert port.ensure_open() is False
        assert factory.attempts == attempt

    factory.failing = False
    now[0] += 30.0
    assert port.ensure_open() is True
    assert port.is_open
    assert port.ensure_open() is True
    assert factory.attempts == len(expected_gaps) + 2
    port.close()


def test_backoff_restarts_after_success(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = FlakyFactory()
    monkeypatch.setattr(serial, "serial_for_url", factory)
    now = [0.0]
    port = Transport("/dev/ttyFAKE", monotonic=lambda: now[0])
    for _ in range(5):
        port.ensure_open()
        now[0] += 100.0
    factory.failing = False
    assert port.ensure_open()
    port.close()
    factory.failing = True
    attempts = factory.attempts
    assert port.ensure_open() is False
    now[0] += 0.5
    assert port.ensure_open() is False
    assert factory.attempts == attempts + 2  # the window is back to 0.5 s


def test_write_inside_backoff_window_raises_without_trying(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factory = FlakyFactory()
    monkeypatch.setattr(serial, "serial_for_url", factory)
    port = Transport("/dev/ttyFAKE", monotonic=lambda: 0.0)
    assert not port.ensure_open()
    with pytest.raises(TransportError, match="/dev/ttyFAKE"):
        port.write(b"x")
    assert factory.attempts == 1


def test_slave_path_is_a_real_tty(pty: PtyPort) -> None:
    fd = os.open(pty.device_path, os.O_RDWR | os.O_NOCTTY)
    try:
        assert os.isatty(fd)
    finally:
        os.close(fd)
