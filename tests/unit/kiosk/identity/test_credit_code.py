"""The unified social credit code (GB 32100): check character, what is wrong as it is typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.identity import (
    CREDIT_CODE_CHARS,
    credit_code_check_char,
    credit_code_problem,
    is_valid_credit_code,
    mask_credit_code,
)

# The worked example of GB 32100, and codes made up for the sample hall.
GB_EXAMPLE = "91350100M000100Y43"
VALID_CODES = [GB_EXAMPLE, "91110105MA00000012", "92440305MA00000030", "93510104MA0000004H"]


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
