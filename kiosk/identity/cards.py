"""ID cards: the identity a card proves, or why it is refused. The GB 11643 check
digit is the driver's (drivers.idcard.card), read here as `card.id_number_valid`."""

from __future__ import annotations

from datetime import date

from drivers.idcard.card import CardFormatError, CardType, IdCard, mask_id_number
from drivers.idcard.protocol import SamError
from drivers.idcard.reader import IdCardReadError
from kiosk.identity import texts
from kiosk.taxpayer import Identity, IdentityKind
from kiosk.text import Text


class CardRefused(Exception):
    """A card that cannot identify its holder here; `message` is for the screen."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


ACCEPTED_CARD_TYPES = frozenset(CardType)


def _display_name(card: IdCard) -> str:
    name = card.name or card.english_name
    if not name:
        return ""
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def identity_from_card(
    card: IdCard,
    today: date,
    accepted: frozenset[CardType] = ACCEPTED_CARD_TYPES,
) -> Identity:
    """The identity a card proves; raises CardRefused (expired, bad number, a card
    type this hall does not take). The photo was never kept; the name is shortened."""
    if card.card_type not in accepted:
        raise CardRefused(texts.CARD_TYPE_UNKNOWN)
    if not card.id_number_valid:
        raise CardRefused(texts.CARD_NUMBER_INVALID)
    if card.is_expired(today):
        raise CardRefused(texts.CARD_EXPIRED)
    return Identity(
        IdentityKind.ID_CARD,
        card.id_number,
        mask_id_number(card.id_number),
        birth_date=card.birth_date,
        display_name=_display_name(card),
    )


def refusal_for_read_error(error: SamError) -> CardRefused:
    """What to tell the taxpayer when their card was found but could not be read."""
    if isinstance(error, CardFormatError) and "card type" in str(error):
        return CardRefused(texts.CARD_TYPE_UNKNOWN)
    if isinstance(error, IdCardReadError) and error.sw3 == 0x40:  # unknown card type
        return CardRefused(texts.CARD_TYPE_UNKNOWN)
    return CardRefused(texts.CARD_UNREADABLE)
