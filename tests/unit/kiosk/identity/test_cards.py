"""ID cards: the identity a card proves, or why it is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, cast

import pytest

from drivers.idcard.card import CardFormatError, CardType, IdCard, id_check_digit
from drivers.idcard.reader import IdCardReadError
from drivers.sim.idcard import load_cards
from kiosk.identity import CardRefused, identity_from_card, refusal_for_read_error
from kiosk.identity.texts import (
    CARD_EXPIRED,
    CARD_NUMBER_INVALID,
    CARD_TYPE_UNKNOWN,
    CARD_UNREADABLE,
)
from kiosk.taxpayer import IdentityKind

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
