"""The unified social credit code (统一社会信用代码, GB 32100).

18 characters over `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, Z, S, V).
Position 1 is the registration authority (1-9, A, N, Y), position 2 the kind of
entity (a digit 1-9), positions 3-8 the administrative division (digits), 9-17
the organisation code, 18 the check character: weights 3^(i-1) mod 31 over the
first 17, check = 31 - (sum mod 31), 31 written as 0. Lower case is read as
upper case.
"""

from __future__ import annotations

from kiosk.identity import texts
from kiosk.text import Text

CREDIT_CODE_LENGTH = 18
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = tuple(pow(3, index, 31) for index in range(17))
_CHAR_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_CHARS)}
_NEVER_USED = frozenset("IOZSV")
_AUTHORITY_CHARS = frozenset("123456789ANY")
_DIGITS = frozenset("0123456789")
_DIGITS_1_9 = frozenset("123456789")
_ALL_CHARS = frozenset(CREDIT_CODE_CHARS)


def _allowed_at(position: int) -> tuple[frozenset[str], Text]:
    """The characters allowed at a 1-based position, and what that position holds."""
    if position == 1:
        return _AUTHORITY_CHARS, texts.AUTHORITY_POSITION
    if position == 2:
        return _DIGITS_1_9, texts.ENTITY_POSITION
    if position <= 8:
        return _DIGITS, texts.REGION_POSITIONS
    if position <= 17:
        return _ALL_CHARS, texts.ORGANISATION_POSITIONS
    return _ALL_CHARS, texts.CHECK_POSITION


def normalize_credit_code(text: str) -> str:
    """Upper case, without spaces: how a code is compared and looked up."""
    return "".join(text.split()).upper()


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code.

    Raises ValueError for anything but 17 characters of the code alphabet.
    """
    if len(first17) != CREDIT_CODE_LENGTH - 1 or any(c not in _CHAR_VALUES for c in first17):
        raise ValueError("need 17 characters of the credit code alphabet")
    total = sum(_CHAR_VALUES[c] * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True for an 18-character credit code (upper case) with the right check character."""
    return (
        len(code) == CREDIT_CODE_LENGTH
        and all(char in _allowed_at(position)[0] for position, char in enumerate(code, start=1))
        and credit_code_check_char(code[:17]) == code[17]
    )


def credit_code_problem(typed: str) -> Text | None:
    """What is wrong with a credit code as it is being typed; None while it can still
    become a valid code (or is one). Lower case letters count as upper case."""
    code = normalize_credit_code(typed)
    if len(code) > CREDIT_CODE_LENGTH:
        return texts.CODE_TOO_LONG.format(length=len(code))
    for position, char in enumerate(code, start=1):
        allowed, rule = _allowed_at(position)
        if char in allowed:
            continue
        shown = char if char.isprintable() else "?"
        problem = texts.LETTER_NEVER_USED if char in _NEVER_USED else texts.CHARACTER_NOT_ALLOWED
        return problem.format(position=position, letter=shown, rule=rule)
    if len(code) == CREDIT_CODE_LENGTH and credit_code_check_char(code[:17]) != code[17]:
        return texts.CHECK_MISMATCH
    return None


def mask_credit_code(code: str) -> str:
    """Keep the first 4 and last 4 characters (region and check), star the rest."""
    if len(code) <= 8:
        return "*" * len(code)
    return code[:4] + "*" * (len(code) - 8) + code[-4:]
