"""Device watchers over real ptys: the ID card reader emulator, and a scanner's pty."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from drivers.idcard import protocol
from drivers.scanner import Scanner
from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.pty import PtyPort
from drivers.sim.scanner import ScannerEmulator
from drivers.transport import Transport
from kiosk.app import build_kiosk
from kiosk.catalog import load_catalog
from kiosk.device_watchers import CardResult, CardWatcher, CodeResult, DeviceStatus, ScannerWatcher
from kiosk.identity import CardRefused, CodeProblem, unknown_code, unreadable_scan
from kiosk.identity.texts import CARD_EXPIRED, CARD_UNREADABLE
from kiosk.settings import load_settings
from kiosk.taxpayer import Identity, IdentityKind

TODAY = date(2026, 11, 22)
SAM_ID_TEXT = "05.01-20101010-0012345678-1234567890"
WAIT_S = 10.0
READ_SAM_ID = bytes(protocol.READ_SAM_ID)
FIND = bytes(protocol.FIND_CARD)


def wait_for(condition: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    """Wait on a condition another thread makes true (checked every 5 ms)."""
    deadline = time.monotonic() + timeout
    ticker = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        ticker.wait(0.005)
    return True


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    yield
    assert wait_for(
        lambda: (
            not [
                thread
                for thread in threading.enumerate()
                if thread.name in ("card-watcher", "scanner-watcher", "idcard-emulator")
            ]
        ),
        timeout=5,
    )


class Reader:
    """The emulated reader behind a link like udev's /dev/idcard, so it can be
    unplugged (emulator stopped, link gone) and plugged back on a new pty."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.emulator = SamReaderEmulator()
        self.plug()

    def plug(self) -> None:
        self.emulator = SamReaderEmulator()
        temporary = self.link.with_suffix(".new")
        os.symlink(self.emulator.start(), temporary)
        os.replace(temporary, self.link)

    def unplug(self) -> None:
        self.emulator.stop()
        self.link.unlink()

    def requests(self) -> list[bytes]:
        return [bytes(body[:2]) for body in self.emulator.requests]


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    made = Reader(tmp_path / "idcard")
    yield made
    made.emulator.stop()


@pytest.fixture
def results() -> queue.Queue[CardResult]:
    return queue.Queue()


@pytest.fixture
def watcher(reader: Reader, results: queue.Queue[CardResult]) -> Iterator[CardWatcher]:
    made = CardWatcher(
        Transport(str(reader.link), baudrate=115200),
        lambda: TODAY,
        poll_interval=0.02,
        reply_timeout=0.5,
    )
    made.set_listener(results.put)
    made.start()
    yield made
    made.close()


def _ready(watcher: CardWatcher) -> None:
    assert watcher.wait_until(lambda: watcher.idle and watcher.sam_id is not None, WAIT_S)


def test_sam_id_is_read_at_start_then_nothing_is_sent(watcher: CardWatcher, reader: Reader) -> None:
    _ready(watcher)
    assert watcher.sam_id == SAM_ID_TEXT
    assert watcher.status is DeviceStatus.READY
    reader.emulator.insert("resident")
    # Parked until start_watching(): the card lies there, unasked for.
    assert watcher.idle
    assert reader.requests() == [READ_SAM_ID]


def test_a_card_is_reported_once_while_it_lies_there(
    watcher: CardWatcher, reader: Reader, results: queue.Queue[CardResult]
) -> None:
    _ready(watcher)
    reader.emulator.insert("resident")
    watcher.start_watching()
    found = results.get(timeout=WAIT_S)
    assert isinstance(found, Identity)
    assert found.kind is IdentityKind.ID_CARD
    assert found.birth_date == date(1990, 3, 7)
    assert watcher.card_present
    finds = reader.requests().count(FIND)
    # Three more polls find the same card: nothing more is reported.
    assert wait_for(lambda: reader.requests().count(FIND) >= finds + 3)
    assert results.empty()
    assert watcher.cards_reported == 1


def test_a_card_taken_off_and_put_back_is_reported_again(
    watcher: CardWatcher, reader: Reader, results: queue.Queue[CardResult]
) -> None:
    _ready(watcher)
    watcher.start_watching()
    reader.emulator.insert("long_term")
    assert isinstance(results.get(timeout=WAIT_S), Identity)
    reader.emulator.remove()
    assert watcher.wait_until(lambda: not watcher.card_present, WAIT_S)
    reader.emulator.insert("long_term")
    again = results.get(timeout=WAIT_S)
    assert isinstance(again, Identity)
    assert again.birth_date == date(1960, 1, 2)
    assert watcher.cards_reported == 2


def test_stop_watching_goes_quiet(
    watcher: CardWatcher, reader: Reader, results: queue.Queue[CardResult]
) -> None:
    _ready(watcher)
    watcher.start_watching()
    assert watcher.wait_until(lambda: not watcher.idle, WAIT_S)
    watcher.stop_watching()
    assert watcher.wait_until(lambda: watcher.idle, WAIT_S)
    sent = reader.requests()
    reader.emulator.insert("resident")
    assert watcher.idle
    assert reader.requests() == sent
    assert results.empty()
    watcher.start_watching()
    assert isinstance(results.get(timeout=WAIT_S), Identity)


def test_a_card_swapped_while_nobody_watched_is_reported_to_the_next_screen(
    watcher: CardWatcher, reader: Reader, results: queue.Queue[CardResult]
) -> None:
    _ready(watcher)
    watcher.start_watching()
    reader.emulator.insert("resident")
    first = results.get(timeout=WAIT_S)
    assert isinstance(first, Identity)
    watcher.stop_watching()
    assert watcher.wait_until(lambda: watcher.idle, WAIT_S)
    reader.emulator.insert("long_term")  # the next taxpayer's card, unseen
    watcher.start_watching()
    second = results.get(timeout=WAIT_S)
    assert isinstance(second, Identity)
    assert second.birth_date == date(1960, 1, 2)


def test_refused_cards_are_reported_with_their_reason(
    watcher: CardWatcher, reader: Reader, results: queue.Queue[CardResult]
) -> None:
    _ready(watcher)
    watcher.start_watching()
    reader.emulator.insert("expired")
    refused = results.get(timeout=WAIT_S)
    assert isinstance(refused, CardRefused)
    assert refused.message == CARD_EXPIRED
    reader.emulator.remove()
    assert watcher.wait_until(lambda: not watcher.card_present, WAIT_S)
    reader.emulator.read_failure = True
    reader.emulator.insert("resident")
    unreadable = results.get(timeout=WAIT_S)
    assert isinstance(unreadable, CardRefused)
    assert unreadable.message == CARD_UNREADABLE
    assert watcher.cards_reported == 2


def test_an_unplugged_reader_is_found_again(
    watcher: CardWatcher, reader: Reader, results: queue.Queue[CardResult]
) -> None:
    _ready(watcher)
    watcher.start_watching()
    reader.unplug()
    assert watcher.wait_until(lambda: watcher.status is DeviceStatus.OFFLINE, WAIT_S)
    assert watcher.sam_id is None
    assert watcher.last_error
    reader.plug()
    reader.emulator.insert("resident")
    found = results.get(timeout=WAIT_S)
    assert isinstance(found, Identity)
    assert watcher.status is DeviceStatus.READY
    assert watcher.sam_id == SAM_ID_TEXT
    assert reader.requests()[0] == READ_SAM_ID


def test_a_reader_without_sam_says_so(reader: Reader, results: queue.Queue[CardResult]) -> None:
    reader.emulator.no_sam = True
    watcher = CardWatcher(Transport(str(reader.link), baudrate=115200), lambda: TODAY)
    watcher.start()
    try:
        assert watcher.wait_until(lambda: watcher.status is DeviceStatus.SAM_FAILED, WAIT_S)
        assert watcher.sam_id is None
        assert "SAM" in (watcher.last_error or "")
    finally:
        watcher.close()
    assert watcher.status is DeviceStatus.CLOSED
    assert results.empty()


def test_a_silent_reader_is_reported(results: queue.Queue[CardResult]) -> None:
    with PtyPort() as silent:
        watcher = CardWatcher(
            Transport(silent.device_path, baudrate=115200), lambda: TODAY, reply_timeout=0.05
        )
        watcher.start()
        try:
            assert watcher.wait_until(lambda: watcher.status is DeviceStatus.NO_ANSWER, WAIT_S)
            assert "no answer" in (watcher.last_error or "")
            assert watcher.sam_id is None
        finally:
            watcher.close()


def test_close_stops_the_thread_and_closes_the_port(reader: Reader) -> None:
    transport = Transport(str(reader.link), baudrate=115200)
    watcher = CardWatcher(transport, lambda: TODAY)
    watcher.start()
    _ready(watcher)
    watcher.start_watching()
    watcher.close()
    watcher.close()
    assert not transport.is_open
    assert not [t for t in threading.enumerate() if t.name == "card-watcher"]


def test_a_failing_listener_does_not_stop_the_watcher(
    watcher: CardWatcher, reader: Reader, results: queue.Queue[CardResult]
) -> None:
    def explode(result: CardResult) -> None:
        results.put(result)
        raise RuntimeError("screen bug")

    watcher.set_listener(explode)
    _ready(watcher)
    watcher.start_watching()
    reader.emulator.insert("resident")
    assert isinstance(results.get(timeout=WAIT_S), Identity)
    reader.emulator.remove()
    assert watcher.wait_until(lambda: not watcher.card_present, WAIT_S)
    reader.emulator.insert("resident")
    assert isinstance(results.get(timeout=WAIT_S), Identity)


# ---- the scanner -------------------------------------------------------------------------


@pytest.fixture
def scanner_pty() -> Iterator[PtyPort]:
    port = PtyPort()
    yield port
    port.close()


def _scanner_watcher(port: PtyPort, suffix: bytes = b"\r") -> ScannerWatcher:
    scanner = Scanner(Transport(port.device_path, baudrate=9600), suffix)
    return ScannerWatcher(scanner, read_timeout=0.05)


@pytest.mark.parametrize(
    ("suffix", "wire"),
    [(b"\r", b"YY10000001\r"), (b"\r\n", b"HALLTP:91350100M000100Y43\r\n")],
)
def test_scanned_codes_are_classified(scanner_pty: PtyPort, suffix: bytes, wire: bytes) -> None:
    codes: queue.Queue[CodeResult] = queue.Queue()
    watcher = _scanner_watcher(scanner_pty, suffix)
    watcher.set_listener(codes.put)
    watcher.start()
    try:
        assert watcher.wait_until(lambda: watcher.status is DeviceStatus.READY, WAIT_S)
        scanner_pty.write(wire)
        found = codes.get(timeout=WAIT_S)
    finally:
        watcher.close()
    assert isinstance(found, Identity)
    assert found.key == wire.decode().strip().removeprefix("HALLTP:")
    assert watcher.status is DeviceStatus.CLOSED


def test_bad_scans_get_a_message_and_the_next_scan_works(scanner_pty: PtyPort) -> None:
    codes: queue.Queue[CodeResult] = queue.Queue()
    watcher = _scanner_watcher(scanner_pty)
    watcher.set_listener(codes.put)
    watcher.start()
    try:
        assert watcher.wait_until(lambda: watcher.status is DeviceStatus.READY, WAIT_S)
        scanner_pty.write(b"\xff\xfe\x00\r")
        assert codes.get(timeout=WAIT_S) == unreadable_scan()
        scanner_pty.write(b"hello world\r")
        assert codes.get(timeout=WAIT_S) == unknown_code()
        scanner_pty.write(b"91350100M000100Y44\r")
        wrong = codes.get(timeout=WAIT_S)
        assert isinstance(wrong, CodeProblem)
        assert "校验码" in wrong.message.zh
        scanner_pty.write(b"YY10000002\r")
        found = codes.get(timeout=WAIT_S)
        assert isinstance(found, Identity)
        assert found.kind is IdentityKind.APPOINTMENT_CODE
        assert watcher.codes_read == 4
    finally:
        watcher.close()


def test_against_the_scanner_emulator_at_9600_baud() -> None:
    emulator = ScannerEmulator(suffix=b"\r\n", baud=9600)
    codes: queue.Queue[CodeResult] = queue.Queue()
    scanner = Scanner(Transport(emulator.start(), baudrate=9600), b"\r\n")
    watcher = ScannerWatcher(scanner, read_timeout=0.05)
    watcher.set_listener(codes.put)
    watcher.start()
    try:
        assert watcher.wait_until(lambda: watcher.status is DeviceStatus.READY, WAIT_S)
        emulator.send_junk()
        assert isinstance(codes.get(timeout=WAIT_S), CodeProblem)
        emulator.send_split("HALLTP:91110105MA00000012")
        found = codes.get(timeout=WAIT_S)
        assert isinstance(found, Identity)
        assert found.kind is IdentityKind.TAXPAYER_QR
        assert found.key == "91110105MA00000012"
    finally:
        watcher.close()
        emulator.stop()


# ---- wired into the kiosk ----------------------------------------------------------------


def test_the_kiosk_builds_and_runs_both_watchers(
    tmp_path: Path, reader: Reader, scanner_pty: PtyPort
) -> None:
    settings = load_settings(overrides={"kiosk": {"data_dir": str(tmp_path / "data")}})
    catalog = load_catalog(settings.catalog_path)
    plain = build_kiosk(settings, catalog, printer_port="loop://")
    try:
        assert plain.card_watcher is None
        assert plain.scanner_watcher is None
    finally:
        plain.close()
    kiosk = build_kiosk(
        settings,
        catalog,
        printer_port="loop://",
        reader_port=str(reader.link),
        scanner_port=scanner_pty.device_path,
    )
    try:
        assert kiosk.card_watcher is not None
        assert kiosk.scanner_watcher is not None
        cards: queue.Queue[CardResult] = queue.Queue()
        codes: queue.Queue[CodeResult] = queue.Queue()
        kiosk.card_watcher.set_listener(cards.put)
        kiosk.scanner_watcher.set_listener(codes.put)
        kiosk.start_background()
        kiosk.card_watcher.start_watching()
        reader.emulator.insert("resident")
        card = cards.get(timeout=WAIT_S)
        assert isinstance(card, Identity)
        assert kiosk.identification.identify(card).appointments
        scanner_pty.write(b"YY10000001\r")
        code = codes.get(timeout=WAIT_S)
        assert isinstance(code, Identity)
        assert kiosk.identification.identify(code).known
    finally:
        kiosk.close()
