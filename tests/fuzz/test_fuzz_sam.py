"""SAM frames, base info, the text block and the reader on any bytes: only SamError.

(The stream decoders on noise and random 256-byte blocks are in tests/unit/drivers.)
"""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard import protocol
from drivers.idcard.card import (
    PHOTO_SIZE,
    TEXT_SIZE,
    CardFormatError,
    parse_base_info,
    parse_text_block,
)
from drivers.idcard.protocol import SamError, SamFrame, SamFrameError, SamResponse
from drivers.idcard.reader import IdCardReader
from fuzz.fuzz_sam import _blocks, _emulator, _ReaderLink, fuzz_one_input, use_card


@given(data=st.binary(max_size=2000))
@settings(max_examples=100, deadline=None)
def test_the_fuzz_entry_point_holds_on_any_bytes(data: bytes) -> None:
    fuzz_one_input(data)


@given(body=st.binary(max_size=300), damage=st.integers(0, 400), xor=st.integers(0, 0xFF))
@settings(max_examples=150, deadline=None)
def test_whole_frame_decoding_raises_only_sam_frame_error(
    body: bytes, damage: int, xor: int
) -> None:
    wire = bytearray(SamFrame(body).encode())
    wire[damage % len(wire)] ^= xor
    try:
        frame = SamFrame.decode(bytes(wire))
    except SamFrameError:
        return
    assert frame.encode() == bytes(wire)
    with contextlib.suppress(SamFrameError):
        SamResponse.from_body(frame.body)


@given(
    block=st.sampled_from(range(8)),
    changes=st.lists(st.tuples(st.integers(0, TEXT_SIZE - 1), st.integers(0, 0xFF)), max_size=6),
)
@settings(max_examples=200, deadline=None)
def test_a_damaged_real_block_parses_to_a_usable_card_or_card_format_error(
    block: int, changes: list[tuple[int, int]]
) -> None:
    blocks = _blocks()
    data = bytearray(blocks[block % len(blocks)])
    for offset, value in changes:
        data[offset] = value
    try:
        card = parse_text_block(bytes(data))
    except CardFormatError:
        return
    use_card(card)


@given(
    text_size=st.sampled_from([TEXT_SIZE, TEXT_SIZE - 1, 0, 0xFFFF]),
    photo_size=st.sampled_from([PHOTO_SIZE, 0, 0xFFFF]),
    rest=st.binary(max_size=TEXT_SIZE + 40),
)
@settings(max_examples=150, deadline=None)
def test_base_info_with_any_lengths_raises_only_card_format_error(
    text_size: int, photo_size: int, rest: bytes
) -> None:
    data = text_size.to_bytes(2, "big") + photo_size.to_bytes(2, "big") + rest
    with contextlib.suppress(CardFormatError):
        use_card(parse_base_info(data))


@given(body=st.binary(max_size=40))
@settings(max_examples=150, deadline=None)
def test_the_reader_emulator_answers_any_request(body: bytes) -> None:
    answer = _emulator().answer(body)
    assert isinstance(answer, SamResponse)
    assert SamFrame.decode(answer.encode()).body == answer.body()


sw3 = st.sampled_from(
    [protocol.SW3_SUCCESS, protocol.SW3_CARD_FOUND, protocol.SW3_NO_CARD, 0x10, 0x41, 0x00]
)
answers = st.lists(
    st.one_of(
        st.tuples(sw3, st.binary(max_size=20)).map(
            lambda pair: SamResponse(0, 0, pair[0], pair[1]).encode()
        ),
        st.tuples(sw3, st.binary(min_size=4, max_size=4 + TEXT_SIZE + 8)).map(
            lambda pair: SamResponse(0, 0, pair[0], pair[1]).encode()
        ),
        st.binary(max_size=40),
    ),
    max_size=5,
)


@given(answers=answers)
@settings(max_examples=200, deadline=None)
def test_read_card_on_any_answers_raises_only_sam_error(answers: list[bytes]) -> None:
    link = _ReaderLink(answers)
    reader = IdCardReader(link, reply_timeout=1.0, monotonic=link.monotonic)  # type: ignore[arg-type]
    try:
        card = reader.read_card()
    except SamError:
        return
    if card is not None:
        use_card(card)
