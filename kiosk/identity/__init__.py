"""Identification at the kiosk: codes typed or scanned (`codes`, with the GB 32100
credit code in `credit_code`), ID cards (`cards`), appointment check-in
(`appointments`), and asking the hall what it knows (`lookup`)."""

from kiosk.identity.appointments import CheckIn, CheckInStatus, check_in, find_appointment
from kiosk.identity.cards import (
    ACCEPTED_CARD_TYPES,
    CardRefused,
    identity_from_card,
    refusal_for_read_error,
)
from kiosk.identity.codes import (
    APPOINTMENT_DIGITS,
    APPOINTMENT_PREFIX,
    EMPTY_CODE,
    TAXPAYER_QR_PREFIX,
    UNKNOWN_CODE,
    UNREADABLE_SCAN,
    CodeProblem,
    classify_code,
)
from kiosk.identity.credit_code import (
    CREDIT_CODE_CHARS,
    CREDIT_CODE_LENGTH,
    credit_code_check_char,
    credit_code_problem,
    is_valid_credit_code,
    mask_credit_code,
    normalize_credit_code,
)
from kiosk.identity.lookup import IdentificationService, ProfileLookup
from kiosk.identity.texts import (
    CARD_EXPIRED,
    CARD_NUMBER_INVALID,
    CARD_TYPE_UNKNOWN,
    CARD_UNREADABLE,
    HALL_UNREACHABLE,
)
from kiosk.taxpayer import is_new_taxpayer

__all__ = [
    "ACCEPTED_CARD_TYPES",
    "APPOINTMENT_DIGITS",
    "APPOINTMENT_PREFIX",
    "CARD_EXPIRED",
    "CARD_NUMBER_INVALID",
    "CARD_TYPE_UNKNOWN",
    "CARD_UNREADABLE",
    "CREDIT_CODE_CHARS",
    "CREDIT_CODE_LENGTH",
    "EMPTY_CODE",
    "HALL_UNREACHABLE",
    "TAXPAYER_QR_PREFIX",
    "UNKNOWN_CODE",
    "UNREADABLE_SCAN",
    "CardRefused",
    "CheckIn",
    "CheckInStatus",
    "CodeProblem",
    "IdentificationService",
    "ProfileLookup",
    "check_in",
    "classify_code",
    "credit_code_check_char",
    "credit_code_problem",
    "find_appointment",
    "identity_from_card",
    "is_new_taxpayer",
    "is_valid_credit_code",
    "mask_credit_code",
    "normalize_credit_code",
    "refusal_for_read_error",
]
