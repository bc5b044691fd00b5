"""DeviceFilePort: one plain descriptor, over socketpairs, FIFOs, files, ptys and eventfds."""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.device_file import DeviceFilePort, device_file_path
from drivers.sim.pty import PtyPort

pytestmark = pytest.mark.usefixtures("no_leaked_fds")


@pytest.fixture
def device() -> Iterator[tuple[DeviceFilePort, socket.socket]]:
    """A port on one end of a socketpair; the test plays the printer on the other."""
    ours, printer_end = socket.socketpair()
    port = DeviceFilePort(ours.detach(), "socketpair")
    port.timeout = 2.0
    port.write_timeout = 2.0
    yield port, printer_end
    port.close()
    printer_end.close()


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "lp0"
    os.mkfifo(path)
    return path


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_written_bytes_reach_the_device(device: tuple[DeviceFilePort, socket.socket]) -> None:
    port, printer_end = device
    assert port.write(b"\x1b@hello") == 7
    printer_end.settimeout(2.0)
    assert printer_end.recv(16) == b"\x1b@hello"


def test_status_answer_is_read_back(device: tuple[DeviceFilePort, socket.socket]) -> None:
    port, printer_end = device
    printer_end.sendall(b"\x16")
    assert port.read(1) == b"\x16"


def test_read_gathers_up_to_size_from_several_chunks(
    device: tuple[DeviceFilePort, socket.socket],
) -> None:
    port, printer_end = device
    answered = threading.Event()

    def answer_in_two_parts() -> None:
        printer_end.sendall(b"\x16")
        answered.wait(2.0)
        printer_end.sendall(b"\x12\x12")

    thread = threading.Thread(target=answer_in_two_parts)
    thread.start()
    assert port.read(1) == b"\x16"
    answered.set()
    assert port.read(2) == b"\x12\x12"
    thread.join()


def test_silence_is_an_empty_read_after_the_timeout(
    device: tuple[DeviceFilePort, socket.socket],
) -> None:
    port, _ = device
    port.timeout = 0.05
    assert port.read(1) == b""


def test_reset_input_discards_stale_answers(device: tuple[DeviceFilePort, socket.socket]) -> None:
    port, printer_end = device
    printer_end.sendall(b"\x99" * 10_000)
    assert port.read(1) == b"\x99"  # the bytes are there before we discard
    port.reset_input_buffer()
    port.timeout = 0.02
    assert port.read(1) == b""


def test_write_times_out_when_the_device_stops_taking_data(
    device: tuple[DeviceFilePort, socket.socket],
) -> None:
    port, _ = device  # the printer end never reads: the socket buffers fill up
    port.write_timeout = 0.1
    with pytest.raises(TimeoutError, match="not accepting data"):
        port.write(b"x" * 20_000_000)


def test_write_to_a_vanished_device_raises(device: tuple[DeviceFilePort, socket.socket]) -> None:
    port, printer_end = device
    printer_end.close()
    with pytest.raises(BrokenPipeError):
        port.write(b"x")


def test_end_of_stream_returns_what_came_without_spinning(
    device: tuple[DeviceFilePort, socket.socket],
) -> None:
    port, printer_end = device
    printer_end.sendall(b"\x16")
    printer_end.close()
    port.timeout = 30.0  # would hang the test if the end of stream were waited out
    assert port.read(4) == b"\x16"


def test_a_device_that_refuses_reads_becomes_write_only() -> None:
    # An eventfd answers a 1-byte read with EINVAL, as usblp does for a one-way printer.
    port = DeviceFilePort(os.eventfd(1), "eventfd")
    try:
        assert port.readable
        assert port.read(1) == b""
        assert not port.readable
        port.reset_input_buffer()
        assert port.read(1) == b""
    finally:
        port.close()


def test_other_read_errors_propagate(tmp_path: Path) -> None:
    port = DeviceFilePort(os.open(tmp_path, os.O_RDONLY), "a directory")  # read: EISDIR
    try:
        with pytest.raises(IsADirectoryError):
            port.read(1)
        assert port.readable
    finally:
        port.close()


def test_hung_up_device_reads_as_silence_and_fails_on_write() -> None:
    # A vanished tty reads as end of stream, like a zero-length USB packet: that is
    # silence, not a failure; the next write is what finds the device gone.
    pty = PtyPort()
    fd = os.open(pty.device_path, os.O_RDWR | os.O_NOCTTY)
    port = DeviceFilePort(fd, pty.device_path)
    port.timeout = 30.0
    pty.close()
    try:
        assert port.read(1) == b""
        with pytest.raises(OSError, match="Input/output error") as caught:
            port.write(b"x")
        assert caught.value.errno == errno.EIO
    finally:
        port.close()


def test_close_is_idempotent_and_io_after_close_raises(
    device: tuple[DeviceFilePort, socket.socket],
) -> None:
    port, _ = device
    port.close()
    port.close()
    assert not port.is_open
    with pytest.raises(OSError, match="closed"):
        port.write(b"x")
    assert "closed" in repr(port)


@settings(max_examples=40, deadline=None)
@given(
    payload=st.binary(max_size=300_000),
    answers=st.lists(st.binary(min_size=1, max_size=64), max_size=8),
)
def test_any_bytes_pass_both_ways_unchanged(payload: bytes, answers: list[bytes]) -> None:
    ours, printer_end = socket.socketpair()
    port = DeviceFilePort(ours.detach(), "socketpair")
    port.timeout = port.write_timeout = 5.0
    received = bytearray()

    def printer() -> None:
        printer_end.settimeout(5.0)
        while len(received) < len(payload):
            received.extend(printer_end.recv(65536))
        for answer in answers:
            printer_end.sendall(answer)

    thread = threading.Thread(target=printer)
    thread.start()
    try:
        port.write(payload)  # larger than the socket buffers: partial writes and waits
        expected = b"".join(answers)
        assert port.read(len(expected)) == expected
    finally:
        thread.join()
        port.close()
        printer_end.close()
    assert bytes(received) == payload


# -- opening by path ------------------------------------------------------------


def test_regular_file_is_opened_write_only_for_appending(tmp_path: Path) -> None:
    capture = tmp_path / "capture.escpos"
    capture.write_bytes(b"old|")
    port = DeviceFilePort.open(str(capture))
    try:
        assert not port.readable
        port.write(b"new")
        assert port.read(1) == b""
    finally:
        port.close()
    assert capture.read_bytes() == b"old|new"


def test_missing_path_is_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "lp0"
    with pytest.raises(FileNotFoundError):
        DeviceFilePort.open(str(missing))
    assert not missing.exists()
    assert DeviceFilePort.open_unless_tty(str(missing)) is None
    assert not missing.exists()


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        DeviceFilePort.open(str(tmp_path))
    assert DeviceFilePort.open_unless_tty(str(tmp_path)) is None


def test_fifo_without_reader_fails_and_with_reader_is_write_only(fifo: Path) -> None:
    with pytest.raises(OSError, match="No such device or address") as caught:
        DeviceFilePort.open(str(fifo))
    assert caught.value.errno == errno.ENXIO
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    port = DeviceFilePort.open(str(fifo))
    try:
        assert not port.readable
        port.write(b"\x1b@")
        assert os.read(reader, 16) == b"\x1b@"
    finally:
        port.close()
        os.close(reader)


def test_second_opener_is_refused_while_the_first_holds_the_device(tmp_path: Path) -> None:
    capture = tmp_path / "capture"
    capture.touch()
    first = DeviceFilePort.open(str(capture))
    try:
        with pytest.raises(OSError, match="in use") as caught:
            DeviceFilePort.open(str(capture))
        assert caught.value.errno == errno.EBUSY
    finally:
        first.close()
    DeviceFilePort.open(str(capture)).close()  # the lock went with the descriptor


def test_a_tty_is_left_to_pyserial_unless_forced() -> None:
    with PtyPort() as pty:
        before = open_fds()
        assert DeviceFilePort.open_unless_tty(pty.device_path) is None
        assert open_fds() == before  # the probe closed what it opened
        forced = DeviceFilePort.open(pty.device_path)
        try:
            assert forced.readable
            assert stat.S_ISCHR(os.fstat(forced.fileno()).st_mode)
        finally:
            forced.close()


def test_a_character_device_that_is_not_a_tty_is_opened_read_write() -> None:
    # /dev/null: a character device, not a tty; reads are an immediate end of stream.
    port = DeviceFilePort.open_unless_tty(os.devnull)
    assert port is not None
    try:
        assert port.readable
        assert port.write(b"\x1b@") == 2
        assert port.read(1) == b""
    finally:
        port.close()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("usblp:///dev/usb/lp0", "/dev/usb/lp0"),
        ("file:///tmp/capture.escpos", "/tmp/capture.escpos"),
        ("file://relative/capture", "relative/capture"),
        ("/dev/usb/lp0", None),
        ("socket://127.0.0.1:9100", None),
        ("loop://", None),
    ],
)
def test_device_file_path(url: str, path: str | None) -> None:
    assert device_file_path(url) == path


@pytest.mark.parametrize("url", ["usblp://", "file://"])
def test_scheme_without_path_is_a_value_error(url: str) -> None:
    with pytest.raises(ValueError, match="no device path"):
        device_file_path(url)


@given(path=st.text(min_size=1), scheme=st.sampled_from(["usblp://", "file://"]))
def test_device_file_path_returns_the_rest_verbatim(path: str, scheme: str) -> None:
    assert device_file_path(scheme + path) == path


@given(url=st.text())
def test_device_file_path_ignores_other_urls(url: str) -> None:
    if not url.startswith(("usblp://", "file://")):
        assert device_file_path(url) is None
