"""Codes typed or scanned at the kiosk, and what each is. Anything else gets a
bilingual `CodeProblem`:

- a unified social credit code (kiosk.identity.credit_code);
- an appointment code (预约码): `YY` and 8 digits, e.g. `YY20261123`; lower case
  accepted. It is looked up in the hall, which says whose appointment it is;
- the hall's taxpayer QR: `HALLTP:` and a credit code, e.g. printed on a
  taxpayer's registration notice.

Messages never quote a scanned code that is not a credit code: an unknown
code may hold personal data. Nothing here logs a key.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.identity import texts
from kiosk.identity.credit_code import (
    CREDIT_CODE_LENGTH,
    credit_code_problem,
    mask_credit_code,
    normalize_credit_code,
)
from kiosk.taxpayer import Identity, IdentityKind
from kiosk.text import Text

APPOINTMENT_PREFIX = "YY"
APPOINTMENT_DIGITS = 8
TAXPAYER_QR_PREFIX = "HALLTP:"
# Longer input is refused without looking at it (a scanner may send anything).
MAX_CODE_LENGTH = 256


@dataclass(frozen=True)
class CodeProblem:
    """A code that cannot identify anybody, with what to tell the taxpayer."""

    message: Text


# Functions, not constants: the wording is the catalog's when the problem is told.
def unknown_code() -> CodeProblem:
    return CodeProblem(texts.UNKNOWN_CODE_MESSAGE)


def empty_code() -> CodeProblem:
    return CodeProblem(texts.EMPTY_CODE_MESSAGE)


def unreadable_scan() -> CodeProblem:
    """A scan the scanner reported but could not decode."""
    return CodeProblem(texts.UNREADABLE_SCAN_MESSAGE)


def _is_appointment_code(code: str) -> bool:
    digits = code[len(APPOINTMENT_PREFIX) :]
    return (
        code.startswith(APPOINTMENT_PREFIX)
        and len(digits) == APPOINTMENT_DIGITS
        and digits.isascii()
        and digits.isdigit()
    )


def _credit_code_identity(code: str, kind: IdentityKind) -> Identity | CodeProblem:
    problem = credit_code_problem(code)
    if problem is None and len(code) < CREDIT_CODE_LENGTH:
        problem = texts.CODE_TOO_SHORT.format(length=len(code))
    if problem is not None:
        return CodeProblem(problem)
    return Identity(kind, code, mask_credit_code(code))


def mask_appointment_code(code: str) -> str:
    """The prefix and the last 4 digits: enough to recognise one's booking on screen."""
    digits = code[len(APPOINTMENT_PREFIX) :]
    return APPOINTMENT_PREFIX + "*" * max(0, len(digits) - 4) + digits[-4:]


def classify_code(text: str) -> Identity | CodeProblem:
    """What a scanned or typed code is: an `Identity`, or a `CodeProblem` to show.

    Never raises. Spaces around the code and letter case do not matter.
    """
    if len(text) > MAX_CODE_LENGTH:
        return unknown_code()
    code = text.strip().upper()
    if not code:
        return empty_code()
    if _is_appointment_code(code):
        return Identity(IdentityKind.APPOINTMENT_CODE, code, mask_appointment_code(code))
    if code.startswith(TAXPAYER_QR_PREFIX):
        credit = code[len(TAXPAYER_QR_PREFIX) :]
        if len(credit) > CREDIT_CODE_LENGTH + 2:
            return unknown_code()
        found = _credit_code_identity(credit, IdentityKind.TAXPAYER_QR)
        if isinstance(found, CodeProblem):
            return CodeProblem(texts.TAXPAYER_QR_WRONG.format(problem=found.message))
        return found
    compact = normalize_credit_code(code)
    # Something shaped like a credit code (typed, or a bare code scanned): say what is wrong.
    if len(compact) == CREDIT_CODE_LENGTH and compact.isascii() and compact.isalnum():
        return _credit_code_identity(compact, IdentityKind.CREDIT_CODE)
    return unknown_code()
