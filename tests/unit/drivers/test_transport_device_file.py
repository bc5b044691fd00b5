"""Transport on device files: chosen automatically, write-only or read-write, back-off.

A FIFO stands in for /dev/usb/lp0 being unplugged and plugged in (opening it
fails while nobody reads it); a plain file for a write-only printer; a pty
opened through `file://` for a USB printer that answers status queries.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import PrintDocument, TextBlock
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterCondition
from drivers.sim.printer import PrinterEmulator
from drivers.sim.pty import PtyPort
from drivers.transport import Transport, TransportError

pytestmark = pytest.mark.usefixtures("no_leaked_fds")

P80 = PROFILES["generic80"]
SLIP = PrintDocument((TextBlock("请到 3 号窗口办理"),))


class FifoReader:
    """The printer's end of a FIFO: opened on demand, read without blocking."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def open(self) -> None:
        self.fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)

    def read_all(self) -> bytes:
        assert self.fd is not None
        chunks = []
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[FifoReader]:
    path = tmp_path / "lp0"
    os.mkfifo(path)
    reader = FifoReader(path)
    yield reader
    reader.close()


def opened_as(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("opened ")]


def test_plain_path_that_is_not_a_tty_uses_the_device_file_back_end(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    capture = tmp_path / "lp0"
    capture.touch()
    with caplog.at_level(logging.INFO, logger="drivers.transport"), Transport(str(capture)) as port:
        port.write(b"\x1b@ticket")
        assert not port.readable
        assert port.read(1, timeout=5.0) == b""  # write-only: no wait for an answer
    assert capture.read_bytes() == b"\x1b@ticket"
    assert opened_as(caplog) == [f"opened device file {capture} (write-only)"]


def test_pty_path_still_goes_through_pyserial(caplog: pytest.LogCaptureFixture) -> None:
    with PtyPort() as pty:
        with caplog.at_level(logging.INFO, logger="drivers.transport"):
            Transport(pty.device_path, baudrate=115200).open()
        assert opened_as(caplog) == [f"opened port {pty.device_path} at 115200 baud"]


def test_usblp_prefix_forces_the_device_file_back_end_on_a_tty(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with PtyPort() as pty:
        url = "usblp://" + pty.device_path
        with caplog.at_level(logging.INFO, logger="drivers.transport"), Transport(url) as port:
            port.write(b"\x10\x04\x01")
            assert pty.read(2.0) == b"\x10\x04\x01"
            pty.write(b"\x16")
            assert port.read(1, timeout=2.0) == b"\x16"
            assert port.readable
        assert opened_as(caplog) == [f"opened device file {url} (read-write)"]


def test_fifo_writes_arrive(fifo: FifoReader) -> None:
    fifo.open()
    with Transport(str(fifo.path)) as port:
        port.write(b"one")
        port.write(b"two")
        assert fifo.read_all() == b"onetwo"


def test_missing_device_file_is_a_transport_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "usb" / "lp0"
    with pytest.raises(TransportError, match="usb/lp0"):
        Transport("usblp://" + str(missing)).open()
    with pytest.raises(TransportError, match="usb/lp0"):
        Transport(str(missing)).open()  # through pyserial, as before
    assert not missing.exists()


def test_unplugged_printer_backs_off_then_reconnects(fifo: FifoReader) -> None:
    now = [50.0]
    port = Transport("usblp://" + str(fifo.path), monotonic=lambda: now[0])
    # Nobody reads the FIFO: opening fails like an absent /dev/usb/lp0.
    assert port.ensure_open() is False
    now[0] += 0.4
    fifo.open()
    assert port.ensure_open() is False  # still inside the 0.5 s window: not even tried
    now[0] += 0.1
    assert port.ensure_open() is True
    port.write(b"back")
    assert fifo.read_all() == b"back"
    port.close()


def test_device_gone_mid_session_closes_then_reopens(fifo: FifoReader) -> None:
    fifo.open()
    port = Transport(str(fifo.path))
    port.write(b"first")
    fifo.close()  # the printer went away
    with pytest.raises(TransportError, match="write"):
        port.write(b"lost")
    assert not port.is_open
    fifo.open()
    port.write(b"second")
    assert fifo.read_all() == b"second"
    port.close()


def test_write_timeout_on_a_device_that_stops_reading(fifo: FifoReader) -> None:
    fifo.open()  # open, but never read: the pipe buffer fills
    # No wire time to speak of on top of write_timeout: a USB link is fast.
    port = Transport(str(fifo.path), baudrate=1_000_000_000, write_timeout=0.1)
    with pytest.raises(TransportError, match="not accepting data") as caught:
        port.write(b"x" * 1_000_000)
    assert str(fifo.path) in str(caught.value)
    assert not port.is_open
    port.close()


def test_second_transport_on_the_same_device_is_refused(tmp_path: Path) -> None:
    capture = tmp_path / "lp0"
    capture.touch()
    with Transport(str(capture)), pytest.raises(TransportError, match="in use"):
        Transport(str(capture)).open()


def test_printer_on_a_write_only_device_reports_unknown_and_sends_no_query(
    tmp_path: Path,
) -> None:
    capture = tmp_path / "lp0"
    capture.touch()
    with Transport(str(capture)) as port:
        printer = Printer(port, P80, status_timeout=5.0)
        status = printer.status()
        assert status.condition is PrinterCondition.UNKNOWN
        assert "write-only" in status.detail
        with pytest.raises(PrintError, match="write-only"):
            printer.print_document(SLIP)
        printer.print_raw(render(SLIP, P80).data)
    assert capture.read_bytes() == render(SLIP, P80).data  # no DLE EOT in the capture


def test_printer_round_trip_over_the_device_file_back_end(tmp_path: Path) -> None:
    # The emulator on a pty, opened as a plain device file: status answers come back
    # over the same descriptor, as from a bidirectional usblp printer.
    emulator = PrinterEmulator(out_dir=tmp_path, idle_flush=None)
    emulator.start()
    try:
        with Transport("file://" + emulator.device_path) as port:
            printer = Printer(port, P80, status_timeout=1.0)
            assert printer.status().condition is PrinterCondition.READY
            result = printer.print_document(SLIP)
            (ticket,) = emulator.wait_for_tickets(1, timeout=5)
            assert ticket.raw == result.data
            assert ticket.text.splitlines()[0] == "请到 3 号窗口办理"
            emulator.paper_end = True
            assert printer.status().condition is PrinterCondition.PAPER_END
    finally:
        emulator.stop()
