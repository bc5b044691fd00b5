"""IdCardReader over a real pty against the SAM reader emulator.

A corrupted answer (bad checksum) is dropped by the decoder and the command is
resent once at once; a second bad answer raises IdCardReaderError.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest

from drivers.idcard import protocol
from drivers.idcard.card import CardType
from drivers.idcard.reader import (
    IdCardReader,
    IdCardReaderError,
    IdCardReadError,
    IdCardTimeoutError,
    format_sam_id,
)
from drivers.sim.idcard import SAM_ID, SamReaderEmulator
from drivers.sim.pty import PtyPort
from drivers.transport import Transport

FIND, SELECT, READ = (
    bytes(command)
    for command in (protocol.FIND_CARD, protocol.SELECT_CARD, protocol.READ_BASE_INFO)
)


@pytest.fixture
def emulator() -> Iterator[SamReaderEmulator]:
    emu = SamReaderEmulator()
    emu.start()
    yield emu
    emu.stop()
    assert not [t for t in threading.enumerate() if t.name == "idcard-emulator"]


@pytest.fixture
def transport(emulator: SamReaderEmulator) -> Iterator[Transport]:
    port = Transport(emulator.device_path, baudrate=115200)
    yield port
    port.close()


@pytest.fixture
def reader(transport: Transport) -> IdCardReader:
    return IdCardReader(transport, reply_timeout=1.0)


def test_no_card_gives_none(reader: IdCardReader, emulator: SamReaderEmulator) -> None:
    assert reader.read_card() is None
    assert emulator.requests == [FIND]


def test_inserted_card_is_read(reader: IdCardReader, emulator: SamReaderEmulator) -> None:
    emulator.insert("resident")
    card = reader.read_card()
    assert card == emulator.cards["resident"]
    assert card is not None
    assert card.id_number_valid
    assert emulator.requests == [FIND, SELECT, READ]
    emulator.remove()
    assert reader.read_card() is None


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("foreigner", CardType.FOREIGN_PERMANENT_2017),
        ("permit", CardType.RESIDENCE_PERMIT),
        ("long_term", CardType.RESIDENT),
        ("foreigner_2023", CardType.FOREIGN_PERMANENT_2023),
    ],
)
def test_other_card_types(
    reader: IdCardReader, emulator: SamReaderEmulator, key: str, kind: CardType
) -> None:
    emulator.insert(key)
    card = reader.read_card()
    assert card is not None
    assert card.card_type is kind
    assert card == emulator.cards[key]


def test_bad_check_digit_card_is_read_and_flagged(
    reader: IdCardReader, emulator: SamReaderEmulator
) -> None:
    emulator.insert("bad_check")
    card = reader.read_card()
    assert card is not None
    assert not card.id_number_valid


def test_junk_before_an_answer_is_skipped(
    reader: IdCardReader, emulator: SamReaderEmulator
) -> None:
    emulator.insert("resident")
    emulator.junk_before_next = b"\x00\xff\xaa\xaa\x13junk\x96\x69"
    assert reader.read_card() == emulator.cards["resident"]


def test_split_answer_is_joined(reader: IdCardReader, emulator: SamReaderEmulator) -> None:
    emulator.split_next = True
    assert reader.read_card() is None
    emulator.insert("expired")
    emulator.split_next = True
    emulator.junk_before_next = b"noise"
    assert reader.read_card() == emulator.cards["expired"]


def test_corrupt_answer_is_retried_once(reader: IdCardReader, emulator: SamReaderEmulator) -> None:
    emulator.insert("resident")
    emulator.corrupt_next_checksum = True
    assert reader.read_card() == emulator.cards["resident"]
    assert emulator.requests == [FIND, FIND, SELECT, READ]


def test_corrupt_answer_without_retries_raises(
    transport: Transport, emulator: SamReaderEmulator
) -> None:
    reader = IdCardReader(transport, reply_timeout=1.0, retries=0)
    emulator.corrupt_next_checksum = True
    with pytest.raises(IdCardReaderError, match="bad checksum"):
        reader.read_card()


def test_no_sam_is_a_clear_error(reader: IdCardReader, emulator: SamReaderEmulator) -> None:
    emulator.no_sam = True
    status = reader.sam_status()
    assert not status.ok
    assert status.message == "SAM self-test failed"
    assert "工作人员" in status.message_zh
    with pytest.raises(IdCardReadError, match="SAM self-test failed") as caught:
        reader.read_card()
    assert caught.value.sw3 == 0x60
    emulator.no_sam_code = protocol.SW3_SAM_NOT_AUTHORISED
    with pytest.raises(IdCardReadError, match="SAM not authorised"):
        reader.sam_id()


def test_read_failure(reader: IdCardReader, emulator: SamReaderEmulator) -> None:
    emulator.insert("resident")
    emulator.read_failure = True
    with pytest.raises(IdCardReadError, match="reading the card failed") as caught:
        reader.read_card()
    assert caught.value.sw3 == 0x41
    assert caught.value.command == "read base info"
    assert caught.value.message_zh == protocol.sw3_message_zh(0x41)


def test_sam_id_and_status(reader: IdCardReader) -> None:
    assert reader.sam_id() == "05.01-20101010-0012345678-1234567890"
    assert reader.sam_status().ok


def test_format_sam_id_other_sizes() -> None:
    assert format_sam_id(b"\x01\xab") == "01AB"
    assert format_sam_id(SAM_ID).startswith("05.01-")


def test_silent_reader_times_out() -> None:
    with PtyPort() as port:
        transport = Transport(port.device_path, baudrate=115200)
        reader = IdCardReader(transport, reply_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(IdCardTimeoutError, match="no answer"):
            reader.read_card()
        assert time.monotonic() - started < 1.0
        transport.close()


def test_missing_device_is_a_reader_error() -> None:
    reader = IdCardReader(Transport("/nonexistent/ttyID0"), reply_timeout=0.2)
    with pytest.raises(IdCardReaderError, match="find card"):
        reader.read_card()


def test_logs_hold_no_personal_data(
    reader: IdCardReader, emulator: SamReaderEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator.insert("resident")
    emulator.corrupt_next_checksum = True
    card = reader.read_card()
    assert card is not None
    for record in caplog.records:
        text = record.getMessage()
        assert card.id_number not in text
        assert card.name not in text
        assert card.address not in text


def test_paced_emulator_at_115200_baud() -> None:
    with SamReaderEmulator(baud=115200) as emulator:
        transport = Transport(emulator.device_path, baudrate=115200)
        emulator.insert("permit")
        card = IdCardReader(transport, reply_timeout=1.0).read_card()
        transport.close()
    assert card == emulator.cards["permit"]


def test_emulator_answers_a_corrupted_request_with_0x10(
    transport: Transport, emulator: SamReaderEmulator
) -> None:
    bad = bytearray(protocol.find_card_request())
    bad[-1] ^= 0x01
    transport.write(bytes(bad))
    decoder = protocol.SamDecoder()
    answers: list[protocol.SamResponse] = []
    deadline = time.monotonic() + 1.0
    while not answers and time.monotonic() < deadline:
        answers = decoder.feed(transport.read(decoder.bytes_wanted(), timeout=0.1))
    assert [answer.sw3 for answer in answers] == [protocol.SW3_CHECKSUM_ERROR]
    assert emulator.requests == []


def test_unknown_command_is_refused(emulator: SamReaderEmulator) -> None:
    assert emulator.answer(b"\x99\x01").sw3 == protocol.SW3_COMMAND_ERROR
    assert emulator.answer(b"").sw3 == protocol.SW3_COMMAND_ERROR


def test_package_exports() -> None:
    import drivers.idcard as package

    for name in package.__all__:
        assert hasattr(package, name)


def test_half_an_answer_then_silence_times_out() -> None:
    """A reader that stops mid-frame: the read ends at the reply timeout, not later."""
    answer = protocol.SamResponse(0, 0, 0x9F, bytes(4)).encode()
    with PtyPort() as port:

        def half_answer() -> None:
            if port.read(2.0):
                port.write(answer[:6])

        responder = threading.Thread(target=half_answer, name="idcard-half")
        responder.start()
        transport = Transport(port.device_path, baudrate=115200)
        started = time.monotonic()
        with pytest.raises(IdCardTimeoutError):
            IdCardReader(transport, reply_timeout=0.3).read_card()
        assert time.monotonic() - started < 1.5
        transport.close()
        responder.join(timeout=5)
