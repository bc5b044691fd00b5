"""Codes typed or scanned at the kiosk: what each is, and what is said of an unknown one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard.card import id_check_digit
from kiosk.identity import CodeProblem, classify_code, empty_code, mask_credit_code, unknown_code
from kiosk.taxpayer import Identity, IdentityKind

# The worked example of GB 32100, and codes made up for the sample hall.
GB_EXAMPLE = "91350100M000100Y43"


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
    if kind is IdentityKind.APPOINTMENT_CODE:
        assert found.masked == "YY****0001"  # never the whole code on screen
    else:
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
    assert classify_code(text) == unknown_code()


def test_empty_code() -> None:
    assert classify_code("  \r\n") == empty_code()


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
