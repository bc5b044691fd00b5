"""Identification rules: credit codes (GB 32100), scanned codes, ID cards, check-in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard.card import CardFormatError, CardType, IdCard, id_check_digit
from drivers.idcard.reader import IdCardReadError
from drivers.sim.idcard import load_cards
from kiosk.clock import FakeClock
from kiosk.hall.base import HallBackend, HallError
from kiosk.identity import (
    CARD_EXPIRED,
    CARD_NUMBER_INVALID,
    CARD_TYPE_UNKNOWN,
    CARD_UNREADABLE,
    CREDIT_CODE_CHARS,
    EMPTY_CODE,
    HALL_UNREACHABLE,
    UNKNOWN_CODE,
    CardRefused,
    CheckInStatus,
    CodeProblem,
    IdentificationService,
    check_in,
    classify_code,
    credit_code_check_char,
    credit_code_problem,
    find_appointment,
    identity_from_card,
    is_valid_credit_code,
    mask_credit_code,
    refusal_for_read_error,
)
from kiosk.settings import IdentificationSection, Settings, load_settings
from kiosk.taxpayer import (
    UNKNOWN_PROFILE,
    Appointment,
    CreditLevel,
    Identity,
    IdentityKind,
    TaxpayerProfile,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The worked example of GB 32100, and codes made up for the sample hall.
GB_EXAMPLE = "91350100M000100Y43"
VALID_CODES = [GB_EXAMPLE, "91110105MA00000012", "92440305MA00000030", "93510104MA0000004H"]


# ---- credit codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91350100M000100Y4", "3"),
        ("91110105MA0000001", "2"),
        ("93510104MA0000004", "H"),
        ("92440305MA0000003", "0"),  # 31 - sum mod 31 == 31: written as 0
    ],
)
def test_check_character(first17: str, check: str) -> None:
    assert credit_code_check_char(first17) == check


@pytest.mark.parametrize("bad", ["", "9135010", "91350100M000100Y43", "91350100I000100Y4"])
def test_check_character_needs_17_characters_of_the_alphabet(bad: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        credit_code_check_char(bad)


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_codes(code: str) -> None:
    assert is_valid_credit_code(code)
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        "91350100MO00100Y43",  # O for 0
        "91350100m000100y43",  # lower case is not the written form
        "01350100M000100Y43",  # no registering authority 0
        "9A350100M000100Y43",  # kind of entity must be a digit
        "913501O0M000100Y43",  # region code must be digits
        "",
    ],
)
def test_invalid_codes(code: str) -> None:
    assert not is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("typed", "position"),
    [
        ("0", "1"),
        ("Z", "1"),
        ("9A", "2"),
        ("90", "2"),
        ("91A", "3"),
        ("911101X", "7"),
        ("91110105I", "9"),
        ("91110105MA000000V", "17"),
        ("91110105MA0000001-", "18"),
    ],
)
def test_a_character_not_allowed_at_its_position_is_named(typed: str, position: str) -> None:
    problem = credit_code_problem(typed)
    assert problem is not None
    assert f"第{position}位" in problem.zh
    assert f"Character {position}" in problem.en


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_never_used_get_their_own_explanation(letter: str) -> None:
    problem = credit_code_problem("91110105" + letter)
    assert problem is not None
    assert "I、O、Z、S、V" in problem.zh
    assert f"never use the letter {letter}" in problem.en


@pytest.mark.parametrize(
    "typed", ["", "9", "91", "9111", "91110105", "91110105MA", "91110105ma0000001", " 9111 0105 "]
)
def test_a_valid_prefix_has_no_problem(typed: str) -> None:
    assert credit_code_problem(typed) is None


def test_too_long_and_wrong_check_are_explained() -> None:
    too_long = credit_code_problem(GB_EXAMPLE + "1")
    assert too_long is not None
    assert "18" in too_long.zh
    assert "19" in too_long.en
    wrong = credit_code_problem(GB_EXAMPLE[:17] + "4")
    assert wrong is not None
    assert "校验码" in wrong.zh
    assert "check character" in wrong.en


def test_mask_credit_code() -> None:
    assert mask_credit_code(GB_EXAMPLE) == "9135**********0Y43"
    assert mask_credit_code("1234") == "****"


_POSITIONS = [
    "123456789ANY",
    "123456789",
    *(["0123456789"] * 6),
    *([CREDIT_CODE_CHARS] * 9),
]
first17s = st.tuples(*(st.sampled_from(chars) for chars in _POSITIONS)).map("".join)


@given(first17s)
def test_every_completed_code_is_valid_and_every_prefix_is_fine(first17: str) -> None:
    code = first17 + credit_code_check_char(first17)
    assert is_valid_credit_code(code)
    for end in range(len(code) + 1):
        assert credit_code_problem(code[:end]) is None


@given(first17s, st.integers(0, 17), st.sampled_from(CREDIT_CODE_CHARS))
def test_any_single_changed_character_is_caught(first17: str, index: int, other: str) -> None:
    code = first17 + credit_code_check_char(first17)
    changed = code[:index] + other + code[index + 1 :]
    if changed != code:
        assert not is_valid_credit_code(changed)
        assert credit_code_problem(changed) is not None


@given(st.text(max_size=40))
def test_credit_code_problem_never_raises(text: str) -> None:
    problem = credit_code_problem(text)
    assert problem is None or (problem.zh and problem.en)


# ---- scanned and typed codes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("YY10000001", IdentityKind.APPOINTMENT_CODE, "YY10000001"),
        (" yy10000001\r\n", IdentityKind.APPOINTMENT_CODE, "YY10000001"),
        ("HALLTP:" + GB_EXAMPLE, IdentityKind.TAXPAYER_QR, GB_EXAMPLE),
        ("halltp:" + GB_EXAMPLE.lower(), IdentityKind.TAXPAYER_QR, GB_EXAMPLE),
        (GB_EXAMPLE, IdentityKind.CREDIT_CODE, GB_EXAMPLE),
        ("9135 0100 M000 100Y 43", IdentityKind.CREDIT_CODE, GB_EXAMPLE),
    ],
)
def test_known_codes_identify(text: str, kind: IdentityKind, key: str) -> None:
    found = classify_code(text)
    assert isinstance(found, Identity)
    assert found.kind is kind
    assert found.key == key
    if kind is not IdentityKind.APPOINTMENT_CODE:
        assert found.masked == mask_credit_code(key)


@pytest.mark.parametrize(
    "text",
    [
        "YY1000000",  # 7 digits
        "YY100000011",  # 9 digits
        "YYABCDEFGH",
        "hello",
        "https://example.invalid/t?id=1",
        "x" * 1000,
        "\x00\x1b[2J",
    ],
)
def test_unknown_codes_get_the_general_explanation(text: str) -> None:
    assert classify_code(text) == UNKNOWN_CODE


def test_empty_code() -> None:
    assert classify_code("  \r\n") == EMPTY_CODE


def test_a_taxpayer_qr_with_a_bad_credit_code_says_so() -> None:
    found = classify_code("HALLTP:" + GB_EXAMPLE[:17] + "4")
    assert isinstance(found, CodeProblem)
    assert "纳税人二维码" in found.message.zh
    assert "taxpayer QR" in found.message.en
    short = classify_code("HALLTP:9135")
    assert isinstance(short, CodeProblem)
    assert "18" in short.message.zh


def test_a_mistyped_credit_code_gets_its_problem() -> None:
    found = classify_code(GB_EXAMPLE[:17] + "4")
    assert isinstance(found, CodeProblem)
    assert "校验码" in found.message.zh


def test_an_id_number_is_never_echoed() -> None:
    first17 = "110105" + "19491231" + "002"
    number = first17 + id_check_digit(first17)
    found = classify_code(number)
    assert isinstance(found, CodeProblem)
    assert number not in found.message.zh + found.message.en


@given(st.text(max_size=300))
def test_classify_code_never_raises(text: str) -> None:
    found = classify_code(text)
    if isinstance(found, CodeProblem):
        assert found.message.zh
        assert found.message.en
    else:
        assert found.key
        assert found.masked


@given(st.binary(max_size=80))
def test_classify_code_of_decoded_bytes_never_raises(data: bytes) -> None:
    assert isinstance(classify_code(data.decode("latin-1")), Identity | CodeProblem)


# ---- ID cards ------------------------------------------------------------------------------

CARDS = load_cards()
TODAY = date(2026, 11, 22)


def test_a_resident_card_gives_a_masked_identity() -> None:
    card = CARDS["resident"]
    found = identity_from_card(card, TODAY)
    first17 = "110105" + "19900307" + "123"
    assert found.kind is IdentityKind.ID_CARD
    assert found.key == first17 + id_check_digit(first17)
    assert found.masked == found.key[:3] + "*" * 11 + found.key[-4:]
    assert found.birth_date == date(1990, 3, 7)
    assert found.display_name == "测**"
    assert found.key not in repr(found)
    assert "测试甲" not in repr(found)


@pytest.mark.parametrize("key", ["long_term", "foreigner", "permit", "foreigner_2023"])
def test_other_valid_cards_are_accepted(key: str) -> None:
    found = identity_from_card(CARDS[key], TODAY)
    assert found.birth_date == CARDS[key].birth_date
    assert found.display_name.endswith("*")


@pytest.mark.parametrize(
    ("key", "message"),
    [("expired", CARD_EXPIRED), ("bad_check", CARD_NUMBER_INVALID)],
)
def test_refused_cards(key: str, message: object) -> None:
    with pytest.raises(CardRefused) as refused:
        identity_from_card(CARDS[key], TODAY)
    assert refused.value.message == message
    assert CARDS[key].id_number not in str(refused.value)


def test_a_card_is_valid_on_its_last_day_only() -> None:
    card = replace(CARDS["resident"], valid_to=date(2026, 11, 22))
    assert identity_from_card(card, date(2026, 11, 22)).key == card.id_number
    with pytest.raises(CardRefused):
        identity_from_card(card, date(2026, 11, 23))


def test_a_card_type_the_hall_does_not_take_is_refused() -> None:
    with pytest.raises(CardRefused) as refused:
        identity_from_card(CARDS["permit"], TODAY, accepted=frozenset({CardType.RESIDENT}))
    assert refused.value.message == CARD_TYPE_UNKNOWN


def test_an_unnamed_card_has_no_display_name() -> None:
    card: IdCard = replace(CARDS["resident"], name="")
    assert identity_from_card(card, TODAY).display_name == ""


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (CardFormatError("unknown card type byte 0x41"), CARD_TYPE_UNKNOWN),
        (CardFormatError("field birth is not a valid date"), CARD_UNREADABLE),
        (IdCardReadError("read base info", 0x41), CARD_UNREADABLE),
        (IdCardReadError("select card", 0x40), CARD_TYPE_UNKNOWN),
    ],
)
def test_read_errors_become_refusals(error: Exception, message: object) -> None:
    assert refusal_for_read_error(cast(Any, error)).message == message


# ---- appointment check-in ----------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(overrides={"kiosk": {"data_dir": str(tmp_path)}})


def _at(hour: int, minute: int, day: date = TODAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _profile(*appointments: Appointment) -> TaxpayerProfile:
    return TaxpayerProfile(credit_level=CreditLevel.A, appointments=appointments)


MORNING = Appointment("YY10000001", ("M0201",), _at(9, 30))
AFTERNOON = Appointment("YY10000002", ("M0301",), _at(14, 30))


@pytest.mark.parametrize(
    ("offset_seconds", "status"),
    [
        (-15 * 60 - 1, CheckInStatus.EARLY),
        (-15 * 60, CheckInStatus.IN_WINDOW),
        (0, CheckInStatus.IN_WINDOW),
        (15 * 60, CheckInStatus.IN_WINDOW),
        (15 * 60 + 1, CheckInStatus.LATE),
    ],
)
def test_check_in_window_edges(
    settings: Settings, offset_seconds: int, status: CheckInStatus
) -> None:
    # The fake clock runs in UTC: 09:30 in Shanghai is 01:30 UTC.
    clock = FakeClock(MORNING.starts_at.astimezone(UTC))
    clock.advance(offset_seconds)
    result = check_in(_profile(MORNING), clock.now(), settings)
    assert result.status is status
    assert result.appointment == MORNING
    assert "09:30" in result.message.zh
    assert "09:30" in result.message.en


def test_early_says_when_check_in_opens(settings: Settings) -> None:
    result = check_in(_profile(MORNING), _at(8, 0), settings)
    assert result.status is CheckInStatus.EARLY
    assert "09:15" in result.message.zh
    assert "09:15" in result.message.en


def test_the_window_comes_from_the_settings() -> None:
    section = IdentificationSection(early_minutes=5, late_minutes=30)
    assert check_in(_profile(MORNING), _at(9, 20), section).status is CheckInStatus.EARLY
    assert check_in(_profile(MORNING), _at(10, 0), section).status is CheckInStatus.IN_WINDOW


def test_two_appointments_pick_the_right_one(settings: Settings) -> None:
    profile = _profile(AFTERNOON, MORNING)
    assert check_in(profile, _at(9, 40), settings).appointment == MORNING
    noon = check_in(profile, _at(12, 0), settings)
    assert noon.status is CheckInStatus.EARLY
    assert noon.appointment == AFTERNOON
    evening = check_in(profile, _at(18, 0), settings)
    assert evening.status is CheckInStatus.LATE
    assert evening.appointment == AFTERNOON


def test_no_appointment_today(settings: Settings) -> None:
    assert check_in(UNKNOWN_PROFILE, _at(9, 30), settings).status is CheckInStatus.NONE
    tomorrow = Appointment("YY10000003", ("M0201",), _at(9, 30, TODAY + timedelta(days=1)))
    result = check_in(_profile(tomorrow), _at(9, 30), settings)
    assert result.status is CheckInStatus.NONE
    assert result.appointment is None
    assert result.message.zh
    assert result.message.en


def test_today_is_the_halls_day(settings: Settings) -> None:
    # 23:50 UTC on the 21st is 07:50 on the 22nd in Shanghai.
    early = Appointment("YY10000004", ("M0201",), _at(8, 0))
    now = datetime(2026, 11, 21, 23, 50, tzinfo=UTC)
    assert check_in(_profile(early), now, settings).status is CheckInStatus.IN_WINDOW


def test_find_appointment() -> None:
    profile = _profile(MORNING, AFTERNOON)
    assert find_appointment(profile, " yy10000002 ") == AFTERNOON
    assert find_appointment(profile, "YY99999999") is None


# ---- asking the hall -----------------------------------------------------------------------


class _StubHall:
    def __init__(self, answer: TaxpayerProfile | Exception) -> None:
        self.answer = answer

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _service(answer: TaxpayerProfile | Exception, settings: Settings) -> IdentificationService:
    return IdentificationService(cast(HallBackend, _StubHall(answer)), settings, lambda: TODAY)


IDENTITY = Identity(IdentityKind.CREDIT_CODE, GB_EXAMPLE, mask_credit_code(GB_EXAMPLE))


@pytest.mark.parametrize("error", [HallError("hall database failed"), RuntimeError("bug")])
def test_a_failing_hall_gives_the_unknown_profile_and_a_message(
    settings: Settings, error: Exception
) -> None:
    service = _service(error, settings)
    assert service.identify(IDENTITY) == UNKNOWN_PROFILE
    lookup = service.lookup(IDENTITY)
    assert lookup.profile == UNKNOWN_PROFILE
    assert lookup.problem == HALL_UNREACHABLE


@pytest.mark.parametrize(("days", "new"), [(0, True), (89, True), (90, False), (400, False)])
def test_new_taxpayer_from_the_registration_date(settings: Settings, days: int, new: bool) -> None:
    profile = TaxpayerProfile(registered_on=TODAY - timedelta(days=days))
    found = _service(profile, settings).identify(IDENTITY)
    assert found.new_taxpayer is new
    assert found.registered_on == profile.registered_on
    assert _service(profile, settings).lookup(IDENTITY).problem is None


def test_the_hall_saying_new_is_kept(settings: Settings) -> None:
    profile = TaxpayerProfile(new_taxpayer=True)
    assert _service(profile, settings).identify(IDENTITY).new_taxpayer
