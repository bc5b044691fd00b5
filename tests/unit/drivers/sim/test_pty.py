"""PtyPort: a raw pseudo-terminal whose master survives the driver closing its end."""

from __future__ import annotations

import os
import termios

from drivers.sim.pty import PtyPort


def test_raw_bytes_pass_from_driver_to_emulator() -> None:
    with PtyPort() as pty:
        fd = os.open(pty.device_path, os.O_RDWR | os.O_NOCTTY)
        try:
            os.write(fd, b"\r\n\x03\x04\x11\x13\x1a\x7f")
            assert pty.read(2.0) == b"\r\n\x03\x04\x11\x13\x1a\x7f"
        finally:
            os.close(fd)


def test_emulator_answers_reach_the_driver_without_echo() -> None:
    with PtyPort() as pty:
        fd = os.open(pty.device_path, os.O_RDWR | os.O_NOCTTY)
        try:
            attributes = termios.tcgetattr(fd)
            assert not attributes[3] & termios.ECHO
            assert not attributes[3] & termios.ICANON
            pty.write(b"\x16\r")
            assert os.read(fd, 16) == b"\x16\r"
            assert pty.read(0.05) == b""  # nothing echoed back to the emulator
        finally:
            os.close(fd)


def test_read_after_driver_closes_is_quiet_not_eio() -> None:
    with PtyPort() as pty:
        fd = os.open(pty.device_path, os.O_RDWR | os.O_NOCTTY)
        os.close(fd)
        assert pty.read(0.05) == b""
        fd = os.open(pty.device_path, os.O_RDWR | os.O_NOCTTY)
        try:
            os.write(fd, b"again")
            assert pty.read(2.0) == b"again"
        finally:
            os.close(fd)


def test_close_is_idempotent_and_reads_nothing_after() -> None:
    pty = PtyPort()
    path = pty.device_path
    pty.close()
    pty.close()
    assert pty.closed
    assert pty.read(0.01) == b""
    pty.write(b"dropped")  # no error: the line is gone
    assert path.startswith("/dev/")


def test_unread_answers_are_dropped_not_blocking() -> None:
    with PtyPort() as pty:
        for _ in range(100):
            pty.write(b"x" * 4096)  # nobody reads the slave: must not hang
        assert not pty.closed
