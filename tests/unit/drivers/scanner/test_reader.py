"""The scanner driver: tables of bytes through a scripted link, and the emulator over a pty."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner import MAX_CODE_BYTES, ScanLineDecoder, Scanner, ScannerError
from drivers.sim.scanner import (
    JUNK,
    OVERLONG_SIZE,
    ScannerEmulator,
    read_codes_file,
    run_command,
)
from drivers.transport import Transport, TransportError
from kiosk.clock import FakeClock

CR, CRLF = b"\r", b"\r\n"
# An ID-like number built from parts: never a literal in a test file.
ID_LIKE = "110105" + "19491231" + "002X"
ERROR = ScannerError  # marks an expected ScannerError in the tables


class ScriptedLink:
    """A transport whose reads return scripted chunks; b"" is a read that times out.

    Reads move the fake clock by their timeout when nothing comes. `plugged`
    says whether the port can be opened; `unplug_on_read` makes the next read fail.
    """

    def __init__(self, chunks: list[bytes], clock: FakeClock) -> None:
        self.chunks = list(chunks)
        self.clock = clock
        self.plugged = True
        self.is_open = False
        self.unplug_on_read = False
        self.opens = 0
        self.pending = bytearray()  # bytes received, not read yet

    @property
    def url(self) -> str:
        return "scripted://scanner"

    def open(self) -> None:
        if not self.plugged:
            raise TransportError("cannot open port scripted://scanner: no such device")
        self.is_open = True
        self.opens += 1

    def ensure_open(self) -> bool:
        if not self.is_open and self.plugged:
            self.open()
        return self.is_open

    def read(self, size: int, timeout: float | None = None) -> bytes:
        assert self.is_open
        if self.unplug_on_read:
            self.unplug_on_read = self.is_open = self.plugged = False
            raise TransportError("read on port scripted://scanner failed: device gone")
        if self.pending:
            chunk = bytes(self.pending)
        elif timeout == 0.0:
            return b""
        else:
            chunk = self.chunks.pop(0) if self.chunks else b""
            if not chunk:
                self.clock.advance(timeout or 0.0)
        # Like a serial port: `size` bytes at most, the rest waits in the input queue.
        self.pending = bytearray(chunk[size:])
        return chunk[:size]

    def close(self) -> None:
        self.is_open = False


def scripted(chunks: list[bytes], suffix: bytes = CR) -> tuple[Scanner, ScriptedLink, FakeClock]:
    clock = FakeClock()
    link = ScriptedLink(chunks, clock)
    scanner = Scanner(link, suffix, monotonic=clock.monotonic, pause=clock.advance)
    return scanner, link, clock


def outcomes(scanner: Scanner, count: int) -> list[object]:
    results: list[object] = []
    for _ in range(count):
        try:
            results.append(scanner.read_code(0.5))
        except ScannerError:
            results.append(ERROR)
    return results


LONG = b"7" * (MAX_CODE_BYTES + 1)
FULL = "8" * MAX_CODE_BYTES

TABLE = [
    pytest.param([b"ABC123\r"], CR, ["ABC123", None], id="cr"),
    pytest.param([b"ABC123\r\nDEF\r\n"], CR, ["ABC123", "DEF", None], id="crlf-sent-cr-set"),
    pytest.param([b"ABC123\r\nDEF\r\n"], CRLF, ["ABC123", "DEF", None], id="crlf"),
    pytest.param([b"ABC", b"123\r"], CR, ["ABC123"], id="split-across-writes"),
    pytest.param([b"ABC", b"", b"123\r"], CR, [None, "ABC123"], id="split-across-calls"),
    pytest.param([b"ABC\r", b"\nDEF\r\n"], CRLF, ["ABC", "DEF"], id="crlf-cut-between"),
    pytest.param([b"ABC\r", b"", b"\nDEF\r"], CR, ["ABC", None, "DEF"], id="late-stray-lf"),
    pytest.param([b"\r\r\n\rA\r"], CR, ["A"], id="empty-lines-skipped"),
    pytest.param([JUNK + b"\rGOOD\r"], CR, [ERROR, "GOOD"], id="junk-then-good"),
    pytest.param([b"A\x00B\rGOOD\r"], CR, [ERROR, "GOOD"], id="control-char"),
    pytest.param([b"\xe9t\xe9\r\nGOOD\r\n"], CRLF, [ERROR, "GOOD"], id="latin1-not-utf8"),
    pytest.param([LONG + b"\rGOOD\r"], CR, [ERROR, "GOOD"], id="overlong-whole"),
    pytest.param([LONG, LONG + b"\r\nGOOD\r\n"], CRLF, [ERROR, "GOOD"], id="overlong-streaming"),
    pytest.param([LONG + b"\r", b"\nGOOD\r\n"], CRLF, [ERROR, "GOOD"], id="overlong-cut-crlf"),
    pytest.param([FULL.encode() + b"\r"], CR, [FULL], id="longest-allowed"),
    pytest.param(["预约码:A-42\t1".encode() + b"\r"], CR, ["预约码:A-42\t1"], id="utf8"),
    pytest.param([b"01095\x1d10ABC\r"], CR, ["01095\x1d10ABC"], id="gs1-separator"),
    pytest.param([], CR, [None], id="timeout"),
]


@pytest.mark.parametrize(("chunks", "suffix", "expected"), TABLE)
def test_read_code_table(chunks: list[bytes], suffix: bytes, expected: list[object]) -> None:
    scanner, _, _ = scripted(chunks, suffix)
    assert outcomes(scanner, len(expected)) == expected


def test_a_timeout_takes_the_whole_timeout() -> None:
    scanner, _, clock = scripted([])
    start = clock.monotonic()
    assert scanner.read_code(1.5) is None
    assert clock.monotonic() - start >= 1.5


def test_error_messages_never_quote_the_scanned_data() -> None:
    scanner, _, _ = scripted([ID_LIKE.encode() + b"\x00\r", ID_LIKE.encode() * 40 + b"\r"])
    messages = []
    for _ in range(2):
        with pytest.raises(ScannerError) as caught:
            scanner.read_code(0.5)
        messages.append(str(caught.value))
    assert "control character 0x00" in messages[0]
    assert "too long" in messages[1]
    assert all(ID_LIKE[:10] not in message for message in messages)
    assert scanner.errors == 2


def test_a_stale_partial_line_is_dropped_before_the_next_scan() -> None:
    scanner, _, _ = scripted([b"NOISE", b"", b"", b"", b"ABC\r"])
    assert [scanner.read_code(1.0) for _ in range(3)] == [None, None, None]
    assert scanner.read_code(1.0) == "ABC"  # 3 s after the noise: dropped


def test_an_unplugged_scanner_returns_none_then_reads_once_plugged_back() -> None:
    scanner, link, clock = scripted([b"PART"])
    assert scanner.read_code(0.5) is None
    assert scanner.online
    link.unplug_on_read = True
    start = clock.monotonic()
    assert scanner.read_code(2.0) is None  # no exception, the whole timeout waited
    assert clock.monotonic() - start >= 2.0
    assert not scanner.online
    link.plugged = True
    link.chunks = [b"FRESH\r"]
    assert scanner.read_code(1.0) == "FRESH"  # the partial line from before is gone
    assert link.opens == 2


def test_open_names_the_port_when_it_cannot() -> None:
    scanner, link, _ = scripted([])
    link.plugged = False
    with pytest.raises(ScannerError, match="scripted://scanner"):
        scanner.open()


def test_the_suffix_must_be_cr_or_crlf() -> None:
    with pytest.raises(ValueError, match="CR or CR LF"):
        ScanLineDecoder(b"\n")


code_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x85\u2028\u2029"),
    min_size=1,
    max_size=40,
)


@given(
    codes=st.lists(code_text, min_size=1, max_size=5),
    suffix=st.sampled_from([CR, CRLF]),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
)
@settings(max_examples=150, deadline=None)
def test_any_cutting_of_the_stream_gives_back_the_codes(
    codes: list[str], suffix: bytes, cuts: list[int]
) -> None:
    stream = b"".join(code.encode() + suffix for code in codes)
    points = sorted({0, len(stream), *(cut % (len(stream) + 1) for cut in cuts)})
    decoder = ScanLineDecoder(suffix)
    got: list[str] = []
    for start, end in itertools.pairwise(points):
        decoder.feed(stream[start:end])
        while (code := decoder.next_code()) is not None:
            got.append(code)
    assert got == codes


# -- over a real pty ------------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[ScannerEmulator]:
    with ScannerEmulator() as running:
        yield running


def open_scanner(device: str, suffix: bytes = CR) -> Scanner:
    scanner = Scanner(Transport(device, baudrate=9600), suffix)
    scanner.open()
    return scanner


def test_codes_arrive_over_a_pty(emulator: ScannerEmulator) -> None:
    scanner = open_scanner(emulator.device_path)
    try:
        emulator.send_code("YY-20261123-0042")
        emulator.send_split("split-code-7", pause=0.05)
        emulator.send_junk()
        emulator.send_code("after-junk")
        emulator.send_overlong()
        emulator.send_code("after-long")
        assert scanner.read_code(5) == "YY-20261123-0042"
        assert scanner.read_code(5) == "split-code-7"
        with pytest.raises(ScannerError, match="not UTF-8"):
            scanner.read_code(5)
        assert scanner.read_code(5) == "after-junk"
        with pytest.raises(ScannerError, match="too long"):
            scanner.read_code(5)
        assert scanner.read_code(5) == "after-long"
        assert scanner.read_code(0.05) is None
    finally:
        scanner.close()
    assert not scanner.online


def test_a_crlf_scanner_paced_at_9600_baud_over_a_pty() -> None:
    with ScannerEmulator(suffix=CRLF, baud=9600) as emulator:
        scanner = open_scanner(emulator.device_path, CRLF)
        try:
            code = "https://etax.example.cn/qr?t=" + "0123456789" * 6
            emulator.send_code(code)
            emulator.send_code("second")
            assert scanner.read_code(5) == code
            assert scanner.read_code(5) == "second"
            assert emulator.wait_sent(5)
        finally:
            scanner.close()


def test_the_emulator_checks_its_suffix() -> None:
    with pytest.raises(ValueError, match="CR or CR LF"):
        ScannerEmulator(suffix=b"\n")


def test_stdin_commands_queue_scans(emulator: ScannerEmulator) -> None:
    scanner = open_scanner(emulator.device_path)
    try:
        assert run_command(emulator, "code A-1\n") == "ok: code sent"
        assert run_command(emulator, "B-2\n") == "ok: code sent"
        assert run_command(emulator, "split C-3\n") == "ok: split code sent"
        assert run_command(emulator, "junk\n") == "ok: junk sent"
        assert run_command(emulator, "long\n") == f"ok: {OVERLONG_SIZE}-byte line sent"
        assert "split TEXT" in run_command(emulator, "help")
        assert "needs a code" in run_command(emulator, "split")
        assert [scanner.read_code(5) for _ in range(3)] == ["A-1", "B-2", "C-3"]
        for _ in range(2):
            with pytest.raises(ScannerError):
                scanner.read_code(5)
    finally:
        scanner.close()


def test_codes_file_skips_blank_and_comment_lines(tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("# appointments\nYY-1\n\n  YY-2  \n", encoding="utf-8")
    assert read_codes_file(codes) == ["YY-1", "YY-2"]
