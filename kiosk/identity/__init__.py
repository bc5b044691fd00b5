"""Identification at the kiosk: codes typed or scanned (`codes`, with the GB 32100
credit code in `credit_code`), ID cards (`cards`), appointment check-in
(`appointments`), and asking the hall what it knows (`lookup`). What it tells the
taxpayer is in `texts` (config/texts.toml [identity])."""

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
    TAXPAYER_QR_PREFIX,
    CodeProblem,
    classify_code,
    empty_code,
    unknown_code,
    unreadable_scan,
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
from kiosk.taxpayer import is_new_taxpayer

__all__ = [
    "ACCEPTED_CARD_TYPES",
    "APPOINTMENT_DIGITS",
    "APPOINTMENT_PREFIX",
    "CREDIT_CODE_CHARS",
    "CREDIT_CODE_LENGTH",
    "TAXPAYER_QR_PREFIX",
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
    "empty_code",
    "find_appointment",
    "identity_from_card",
    "is_new_taxpayer",
    "is_valid_credit_code",
    "mask_credit_code",
    "normalize_credit_code",
    "refusal_for_read_error",
    "unknown_code",
    "unreadable_scan",
]
