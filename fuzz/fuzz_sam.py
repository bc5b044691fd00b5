"""The ID card reader's SAM protocol (DEVICES.md §2) on arbitrary bytes: the answer and
request decoders, whole-frame decoding, base info and the text block (also mutated from a
real card), the reader emulator's answers and `IdCardReader.read_card`.

Only SamError and its subclasses (SamFrameError, CardFormatError,
IdCardReaderError) may come out, and a card that parses must be usable.
Long run: `python -m fuzz sam -max_total_time=60`.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import date
from functools import cache

from drivers.idcard import protocol
from drivers.idcard.card import (
    TEXT_SIZE,
    CardFormatError,
    IdCard,
    base_info_for,
    parse_base_info,
    parse_text_block,
    text_block_for,
)
from drivers.idcard.protocol import (
    SamDecoder,
    SamError,
    SamFrame,
    SamFrameDecoder,
    SamFrameError,
    SamResponse,
)
from drivers.idcard.reader import IdCardReader
from drivers.sim.idcard import SamReaderEmulator
from fuzz._harness import chunks, main_for

TODAY = date(2026, 11, 23)


@cache
def _emulator() -> SamReaderEmulator:
    emulator = SamReaderEmulator()  # never started: only its answers are used
    emulator.insert("resident")
    return emulator


@cache
def _blocks() -> tuple[bytes, ...]:
    return tuple(text_block_for(card) for card in _emulator().cards.values())


def _seeds() -> list[bytes]:
    card = _emulator().cards["resident"]
    found = SamResponse(0, 0, protocol.SW3_CARD_FOUND, bytes(4)).body()
    selected = SamResponse(0, 0, protocol.SW3_SUCCESS, bytes(8)).body()
    info = SamResponse(0, 0, protocol.SW3_SUCCESS, base_info_for(card)).body()
    return [
        b"\x00" + protocol.find_card_request() + protocol.read_base_info_request(),
        b"\x81"
        + b"".join(len(body).to_bytes(2, "big") for body in (found, selected, info))
        + found
        + selected
        + info,
        b"\x02" + SamResponse(0, 0, protocol.SW3_NO_CARD).encode(),
        b"\x03" + bytes(TEXT_SIZE),
    ]


SEEDS = _seeds()


def use_card(card: IdCard) -> None:
    """Everything the kiosk asks a card must answer, whatever the card held."""
    repr(card)
    _ = (card.masked_id_number, card.gender, card.nation, card.id_number_valid)
    _ = (card.long_term, card.is_expired(TODAY), card.age_on(TODAY))


def _parse_card(parse: object, data: bytes) -> None:
    assert callable(parse)
    try:
        card = parse(data)
    except CardFormatError:
        return
    use_card(card)


class _ReaderLink:
    """A reader whose every answer is the next piece of fuzz; time moves on each look."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.pending = b""
        self.clock = itertools.count(step=0.25)

    def monotonic(self) -> float:
        return float(next(self.clock))

    def reset_input(self) -> None:
        self.pending = b""

    def write(self, data: bytes) -> None:
        self.pending = self.answers.pop(0) if self.answers else b""

    def read(self, size: int, timeout: float | None = None) -> bytes:
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def _framed(payload: bytes) -> list[bytes]:
    """Answers with good frames around fuzzed bodies: lengths from the first 6 bytes."""
    cuts = [int.from_bytes(payload[i : i + 2], "big") for i in (0, 2, 4)]
    body, answers = payload[6:], []
    for cut in cuts:
        piece, body = body[:cut], body[cut:]
        answers.append(SamFrame(piece).encode())
    return answers


def fuzz_one_input(data: bytes) -> None:
    if not data:
        return
    size, payload = data[0] % 64 + 1, data[1:]
    answers = SamDecoder()
    for piece in chunks(payload, size):
        for response in answers.feed(piece):
            _parse_card(parse_base_info, response.data)
        assert answers.bytes_wanted() >= 1
    requests = SamFrameDecoder()
    for piece in chunks(payload, size):
        for frame in requests.feed(piece):
            _emulator().answer(frame.body).encode()
    with contextlib.suppress(SamFrameError):
        SamResponse.from_body(SamFrame.decode(payload).body)
    _parse_card(parse_base_info, payload)
    _parse_card(parse_text_block, payload[:TEXT_SIZE])
    # A real card's block with the fuzz XORed in: reaches the field checks.
    blocks = _blocks()
    block = blocks[data[0] % len(blocks)]
    mutated = bytes(a ^ b for a, b in zip(block, payload.ljust(TEXT_SIZE, b"\0"), strict=False))
    _parse_card(parse_text_block, mutated)
    link = _ReaderLink(_framed(payload) if data[0] & 0x80 else chunks(payload, size * 8))
    reader = IdCardReader(link, reply_timeout=1.0, retries=1, monotonic=link.monotonic)  # type: ignore[arg-type]
    try:
        card = reader.read_card()
    except SamError:
        return
    if card is not None:
        use_card(card)


def main() -> None:
    main_for("sam")


if __name__ == "__main__":
    main()
