"""SAM framing, the SW3 table and the base-info text block: tables of bytes, and
hypothesis on both parsers. ID numbers are built from parts, never written whole."""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard import protocol
from drivers.idcard.card import (
    NATIONS,
    PHOTO_SIZE,
    TEXT_SIZE,
    CardFormatError,
    CardType,
    IdCard,
    base_info_for,
    id_check_digit,
    is_valid_id_number,
    mask_id_number,
    parse_base_info,
    parse_text_block,
    text_block_for,
)
from drivers.idcard.protocol import (
    PREAMBLE,
    SamDecoder,
    SamError,
    SamFrame,
    SamFrameDecoder,
    SamFrameError,
    SamResponse,
)
from drivers.sim.idcard import FILLER_PHOTO, load_cards, sample_number

# -- frames ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (protocol.find_card_request, "AA AA AA 96 69 00 03 20 01 22"),
        (protocol.select_card_request, "AA AA AA 96 69 00 03 20 02 21"),
        (protocol.read_base_info_request, "AA AA AA 96 69 00 03 30 01 32"),
        (protocol.read_base_info_fingerprint_request, "AA AA AA 96 69 00 03 30 10 23"),
        (protocol.read_sam_id_request, "AA AA AA 96 69 00 03 12 FF EE"),
        (protocol.sam_status_request, "AA AA AA 96 69 00 03 11 FF ED"),
    ],
)
def test_request_frames_match_devices_md(build: object, expected: str) -> None:
    assert callable(build)
    assert build() == bytes.fromhex(expected)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (SamResponse(0, 0, 0x9F, bytes(4)), "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"),
        (SamResponse(0, 0, 0x80), "AA AA AA 96 69 00 04 00 00 80 84"),
        (SamResponse(0, 0, 0x90, bytes(8)), "AA AA AA 96 69 00 0C 00 00 90 " + "00 " * 8 + "9C"),
    ],
)
def test_response_frames(response: SamResponse, expected: str) -> None:
    assert response.encode() == bytes.fromhex(expected)
    assert SamDecoder().feed(bytes.fromhex(expected)) == [response]


def test_base_info_answer_is_1295_bytes_with_length_0508(sample_cards: dict[str, IdCard]) -> None:
    frame = SamResponse(0, 0, 0x90, base_info_for(sample_cards["resident"], FILLER_PHOTO)).encode()
    assert len(frame) == 1295
    assert frame[5:7] == b"\x05\x08"
    assert frame[7:14] == bytes.fromhex("00 00 90 01 00 04 00")
    assert SamFrame.decode(frame).body[3:7] == bytes.fromhex("01 00 04 00")


def test_frame_decode_rejects_bad_frames() -> None:
    good = protocol.find_card_request()
    assert SamFrame.decode(good) == SamFrame(b"\x20\x01")
    for bad in (good[:-1] + b"\x00", good[1:], good + b"\x00", b""):
        with pytest.raises(SamFrameError):
            SamFrame.decode(bad)


def test_decoder_resyncs_after_junk_and_counts_bad_checksums() -> None:
    good = SamResponse(0, 0, 0x90, b"abc").encode()
    corrupt = bytearray(SamResponse(0, 0, 0x41).encode())
    corrupt[-1] ^= 0x55
    decoder = SamDecoder()
    answers = decoder.feed(b"\x00\xaa\x96junk" + bytes(corrupt) + b"\xaa\xaa" + good)
    assert answers == [SamResponse(0, 0, 0x90, b"abc")]
    assert decoder.bad_checksums == 1


def test_decoder_skips_impossible_lengths() -> None:
    decoder = SamDecoder()
    good = SamResponse(0, 0, 0x90).encode()
    assert decoder.feed(PREAMBLE + b"\xff\xff" + good) == [SamResponse(0, 0, 0x90)]
    assert decoder.bad_lengths == 1


def test_bytes_wanted_follows_the_length_field() -> None:
    decoder = SamDecoder()
    assert decoder.bytes_wanted() == 7
    frame = SamResponse(0, 0, 0x90, bytes(20)).encode()
    assert decoder.feed(frame[:3]) == []
    assert decoder.bytes_wanted() == 4
    assert decoder.feed(frame[3:9]) == []
    assert decoder.bytes_wanted() == len(frame) - 9
    assert len(decoder.feed(frame[9:])) == 1


def test_sw3_messages() -> None:
    for code in (0x90, 0x9F, 0x80, 0x81, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33):
        assert code in protocol.SW3_MESSAGES
    for code in (0x40, 0x41, 0x47, 0x60, 0x66, 0x91):
        assert code in protocol.SW3_MESSAGES
    assert protocol.sw3_message(0x80) == "no card on the reader"
    assert protocol.sw3_message_zh(0x80) == "请放置身份证"
    assert "0x5A" in protocol.sw3_message(0x5A)
    assert protocol.sw3_message_zh(0x5A)


_NO_AA = st.binary(max_size=40).map(lambda junk: junk.replace(b"\xaa", b"\x55"))
_RESPONSES = st.builds(
    SamResponse,
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(0, 255),
    st.binary(max_size=300),
)


@given(st.binary(max_size=3000))
def test_decoder_never_raises_on_any_bytes(data: bytes) -> None:
    decoder = SamDecoder()
    for answer in decoder.feed(data):
        assert isinstance(answer, SamResponse)
    decoder.bytes_wanted()


@given(
    st.lists(st.tuples(_NO_AA, _RESPONSES), min_size=1, max_size=5),
    st.lists(st.integers(0, 4000), max_size=8),
)
def test_valid_frames_with_junk_and_split_points_decode_exactly(
    items: list[tuple[bytes, SamResponse]], cuts: list[int]
) -> None:
    stream = b"".join(junk + answer.encode() for junk, answer in items)
    points = sorted({0, len(stream), *(cut % (len(stream) + 1) for cut in cuts)})
    decoder = SamDecoder()
    decoded: list[SamResponse] = []
    for start, end in itertools.pairwise(points):
        decoded += decoder.feed(stream[start:end])
    assert decoded == [answer for _, answer in items]
    assert decoder.bad_checksums == 0


@given(st.binary(max_size=2000))
def test_request_decoder_never_raises(data: bytes) -> None:
    for frame in SamFrameDecoder().feed(data):
        assert isinstance(frame.body, bytes)


# -- ID numbers ------------------------------------------------------------------


def test_check_digit_vectors_from_devices_md() -> None:
    first = "110105" + "19491231" + "002"
    second = "440524" + "18800101" + "001"
    assert id_check_digit(first) == "X"
    assert id_check_digit(second) == "4"
    assert is_valid_id_number(first + "X")
    assert is_valid_id_number(first + "x")
    assert is_valid_id_number(second + "4")
    assert not is_valid_id_number(second + "5")
    assert not is_valid_id_number(second)
    assert not is_valid_id_number("A" + second[1:] + "4")


def test_check_digit_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="17"):
        id_check_digit("123")


def test_mask_keeps_first_three_and_last_four() -> None:
    number = sample_number(["110105", "19491231", "002"], "auto")
    assert mask_id_number(number) == number[:3] + "*" * 11 + number[-4:]
    assert mask_id_number("123") == "***"


# -- the text block ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_cards() -> dict[str, IdCard]:
    return load_cards()


def test_sample_cards_cover_every_kind(sample_cards: dict[str, IdCard]) -> None:
    kinds = {card.card_type for card in sample_cards.values()}
    assert {CardType.RESIDENT, CardType.FOREIGN_PERMANENT_2017, CardType.RESIDENCE_PERMIT} <= kinds
    assert len(sample_cards) >= 4


@pytest.mark.parametrize("key", ["resident", "long_term", "expired", "bad_check", "permit"])
def test_resident_layout_round_trip(sample_cards: dict[str, IdCard], key: str) -> None:
    card = sample_cards[key]
    block = text_block_for(card)
    assert len(block) == TEXT_SIZE
    assert parse_text_block(block) == card


def test_resident_card_fields(sample_cards: dict[str, IdCard]) -> None:
    block = text_block_for(sample_cards["resident"])
    card = parse_base_info(b"\x01\x00\x04\x00" + block + FILLER_PHOTO)
    assert card.card_type is CardType.RESIDENT
    assert block[248] == 0x20
    assert card.name == "测试甲"
    assert card.gender == "男"
    assert card.nation == "汉"
    assert card.birth_date == date(1990, 3, 7)
    assert card.id_number == sample_number(["110105", "19900307", "123"], "auto")
    assert card.id_number_valid
    assert card.valid_to == date(2035, 1, 1)
    assert card.age_on(date(2026, 3, 6)) == 35
    assert card.age_on(date(2026, 3, 7)) == 36
    assert not hasattr(card, "photo")


def test_block_layout_offsets(sample_cards: dict[str, IdCard]) -> None:
    card = sample_cards["resident"]
    block = text_block_for(card)
    assert block[30:32] == "1".encode("utf-16-le")
    assert block[32:36] == "01".encode("utf-16-le")
    assert block[36:52] == "19900307".encode("utf-16-le")
    assert block[122:158] == card.id_number.encode("utf-16-le")


def test_type_byte_zero_is_a_resident_card(sample_cards: dict[str, IdCard]) -> None:
    block = bytearray(text_block_for(sample_cards["resident"]))
    block[248] = 0
    assert parse_text_block(bytes(block)).card_type is CardType.RESIDENT


def test_bad_check_digit_card_parses_but_is_flagged(sample_cards: dict[str, IdCard]) -> None:
    card = parse_text_block(text_block_for(sample_cards["bad_check"]))
    assert not card.id_number_valid


def test_foreigner_card(sample_cards: dict[str, IdCard]) -> None:
    block = text_block_for(sample_cards["foreigner"])
    assert block[248:250] == b"I\x00"
    card = parse_text_block(block)
    assert card == sample_cards["foreigner"]
    assert card.card_type is CardType.FOREIGN_PERMANENT_2017
    assert card.english_name == "SAMPLE, TEST PERSON"
    assert card.nationality == "CAN"
    assert len(card.id_number) == 15
    assert card.id_number_valid
    assert card.nation == ""


def test_residence_permit(sample_cards: dict[str, IdCard]) -> None:
    card = parse_text_block(text_block_for(sample_cards["permit"]))
    assert card.card_type is CardType.RESIDENCE_PERMIT
    assert card.id_number.startswith("810000")
    assert card.id_number_valid
    assert card.pass_number == "H00000000"
    assert card.issue_count == "01"


def test_foreigner_card_2023_layout(sample_cards: dict[str, IdCard]) -> None:
    number = sample_number(["9", "15", "000", "19850420", "012"], "auto")
    card = replace(
        sample_cards["foreigner"],
        card_type=CardType.FOREIGN_PERMANENT_2023,
        id_number=number,
        nationality="",
    )
    parsed = parse_text_block(text_block_for(card))
    assert parsed == card
    assert parsed.id_number_valid


def test_expiry(sample_cards: dict[str, IdCard]) -> None:
    expired = sample_cards["expired"]
    assert expired.is_expired(date(2020, 1, 2))
    assert not expired.is_expired(date(2020, 1, 1))
    long_term = sample_cards["long_term"]
    assert long_term.valid_to is None
    assert long_term.long_term
    assert not long_term.is_expired(date(9999, 12, 31))
    assert parse_text_block(text_block_for(long_term)).valid_to is None


def test_nation_table() -> None:
    assert len(NATIONS) == 58
    assert NATIONS["01"] == "汉"
    assert NATIONS["56"] == "基诺"
    assert NATIONS["98"] == "外国血统中国籍人士"


@pytest.mark.parametrize("key", ["resident", "foreigner", "permit"])
def test_repr_hides_personal_data(sample_cards: dict[str, IdCard], key: str) -> None:
    card = sample_cards[key]
    for text in (repr(card), str(card), f"{card}", repr([card])):
        assert card.id_number not in text
        assert card.masked_id_number() in text
        assert card.name not in text
        assert card.english_name == "" or card.english_name not in text
        assert card.address == "" or card.address not in text


def test_malformed_blocks(sample_cards: dict[str, IdCard]) -> None:
    good = text_block_for(sample_cards["resident"])
    cases = [
        good[:-2],
        good[:248] + b"Q\x00" + good[250:],
        good[:36] + "1990130X".encode("utf-16-le") + good[52:],
        good[:30] + "7".encode("utf-16-le") + good[32:],
        good[:0] + b"\x00\xd8" + good[2:],  # a lone surrogate
        good[:122] + b" \x00" * 18 + good[158:],
    ]
    for block in cases:
        with pytest.raises(CardFormatError):
            parse_text_block(block)


def test_malformed_base_info(sample_cards: dict[str, IdCard]) -> None:
    block = text_block_for(sample_cards["resident"])
    for data in (b"", b"\x01\x00", b"\x02\x00\x04\x00" + block, b"\x01\x00\x04\x00" + block):
        with pytest.raises(CardFormatError):
            parse_base_info(data)
    assert len(FILLER_PHOTO) == PHOTO_SIZE


def test_errors_name_no_personal_data(sample_cards: dict[str, IdCard]) -> None:
    card = sample_cards["resident"]
    block = text_block_for(replace(card, birth_date=date(1990, 3, 7)))
    broken = block[:188] + "2015XX01".encode("utf-16-le") + block[204:]
    with pytest.raises(CardFormatError) as caught:
        parse_text_block(broken)
    assert card.name not in str(caught.value)
    assert card.id_number not in str(caught.value)
    assert issubclass(CardFormatError, SamError)


@given(st.binary(min_size=TEXT_SIZE, max_size=TEXT_SIZE))
def test_any_block_parses_or_raises_card_format_error(block: bytes) -> None:
    with contextlib.suppress(CardFormatError):
        parse_text_block(block)


@given(st.binary(min_size=TEXT_SIZE, max_size=TEXT_SIZE), st.sampled_from([0, 0x20, 0x49, 0x4A]))
def test_any_typed_block_parses_or_raises(block: bytes, type_byte: int) -> None:
    data = bytearray(block)
    data[248] = type_byte
    with contextlib.suppress(CardFormatError):
        parse_text_block(bytes(data))


@given(st.binary(max_size=1400))
def test_any_base_info_parses_or_raises(data: bytes) -> None:
    with contextlib.suppress(CardFormatError):
        parse_base_info(data)


_CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=15)
_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@given(
    name=_CJK,
    gender=st.sampled_from(["0", "1", "2", "9"]),
    nation=st.sampled_from(sorted(NATIONS)),
    birth=_DATES,
    address=st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=35),
    digits=st.text("0123456789", min_size=17, max_size=17),
    valid_from=_DATES,
    valid_to=st.none() | _DATES,
)
def test_resident_cards_round_trip(
    name: str,
    gender: str,
    nation: str,
    birth: date,
    address: str,
    digits: str,
    valid_from: date,
    valid_to: date | None,
) -> None:
    card = IdCard(
        card_type=CardType.RESIDENT,
        name=name,
        gender_code=gender,
        birth_date=birth,
        id_number=digits + id_check_digit(digits),
        valid_from=valid_from,
        valid_to=valid_to,
        authority=name,
        address=address,
        nation_code=nation,
    )
    parsed = parse_base_info(base_info_for(card, FILLER_PHOTO))
    assert parsed == card
    assert parsed.id_number_valid
    assert parsed.id_number not in repr(parsed)
