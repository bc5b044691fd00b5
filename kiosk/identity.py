"""Identification at the kiosk: codes typed or scanned, ID cards, appointment check-in.

Formats the kiosk accepts (anything else gets a bilingual `CodeProblem`):

- Unified social credit code (统一社会信用代码, GB 32100): 18 characters over
  `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, Z, S, V). Position 1 is the
  registration authority (1-9, A, N, Y), position 2 the kind of entity (a
  digit 1-9), positions 3-8 the administrative division (digits), 9-17 the
  organisation code, 18 the check character: weights 3^(i-1) mod 31 over the
  first 17, check = 31 - (sum mod 31), 31 written as 0. Lower case is read as
  upper case.
- Appointment code (预约码): `YY` and 8 digits, e.g. `YY20261123`; lower case
  accepted. It is looked up in the hall, which says whose appointment it is.
- The hall's taxpayer QR: `HALLTP:` and a credit code, e.g. printed on a
  taxpayer's registration notice.

Messages never quote a scanned code that is not a credit code: an unknown
code may hold personal data. Nothing in this module logs a key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from drivers.idcard.card import CardFormatError, CardType, IdCard, mask_id_number
from drivers.idcard.protocol import SamError
from drivers.idcard.reader import IdCardReadError
from kiosk.hall.base import HallBackend, HallError
from kiosk.settings import IdentificationSection, Settings
from kiosk.taxpayer import (
    UNKNOWN_PROFILE,
    Appointment,
    Identity,
    IdentityKind,
    TaxpayerProfile,
)
from kiosk.text import Text

log = logging.getLogger(__name__)

# ---- unified social credit code (GB 32100) --------------------------------------------

CREDIT_CODE_LENGTH = 18
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = tuple(pow(3, index, 31) for index in range(17))
_CHAR_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_CHARS)}
_NEVER_USED = frozenset("IOZSV")
_AUTHORITY_CHARS = frozenset("123456789ANY")
_DIGITS = frozenset("0123456789")
_DIGITS_1_9 = frozenset("123456789")
_ALL_CHARS = frozenset(CREDIT_CODE_CHARS)

APPOINTMENT_PREFIX = "YY"
APPOINTMENT_DIGITS = 8
TAXPAYER_QR_PREFIX = "HALLTP:"
# Longer input is refused without looking at it (a scanner may send anything).
MAX_CODE_LENGTH = 256


def _allowed_at(position: int) -> tuple[frozenset[str], Text]:
    """The characters allowed at a 1-based position, and what that position holds."""
    if position == 1:
        return _AUTHORITY_CHARS, Text(
            zh="第1位是登记管理部门代码（1-9、A、N 或 Y）",
            en="character 1 is the registering authority (1-9, A, N or Y)",
        )
    if position == 2:
        return _DIGITS_1_9, Text(
            zh="第2位是机构类别代码（数字1-9）",
            en="character 2 is the kind of entity (a digit 1-9)",
        )
    if position <= 8:
        return _DIGITS, Text(
            zh="第3-8位是行政区划码（数字）",
            en="characters 3-8 are the region code (digits)",
        )
    if position <= 17:
        return _ALL_CHARS, Text(
            zh="第9-17位是组织机构代码（数字或字母，不含 I、O、Z、S、V）",
            en="characters 9-17 are the organisation code (digits or letters except I, O, Z, S, V)",
        )
    return _ALL_CHARS, Text(
        zh="第18位是校验码（数字或字母，不含 I、O、Z、S、V）",
        en="character 18 is the check character (digits or letters except I, O, Z, S, V)",
    )


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
        return Text(
            zh=f"统一社会信用代码只有18位，现在是{len(code)}位",
            en=f"A unified social credit code has 18 characters, not {len(code)}",
        )
    for position, char in enumerate(code, start=1):
        allowed, rule = _allowed_at(position)
        if char in allowed:
            continue
        shown = char if char.isprintable() else "?"
        if char in _NEVER_USED:
            return Text(
                zh=f"第{position}位：信用代码不使用字母 {shown}（I、O、Z、S、V 都不用）。{rule.zh}",
                en=f"Character {position}: credit codes never use the letter {shown} "
                f"(nor I, O, Z, S, V); {rule.en}",
            )
        return Text(
            zh=f"第{position}位不能是“{shown}”：{rule.zh}",
            en=f"Character {position} cannot be “{shown}”: {rule.en}",
        )
    if len(code) == CREDIT_CODE_LENGTH and credit_code_check_char(code[:17]) != code[17]:
        return Text(
            zh="最后一位校验码不符，请逐位核对信用代码",
            en="The last character (check character) does not match: "
            "please check the code character by character",
        )
    return None


def mask_credit_code(code: str) -> str:
    """Keep the first 4 and last 4 characters (region and check), star the rest."""
    if len(code) <= 8:
        return "*" * len(code)
    return code[:4] + "*" * (len(code) - 8) + code[-4:]


# ---- scanned or typed codes -----------------------------------------------------------


@dataclass(frozen=True)
class CodeProblem:
    """A code that cannot identify anybody, with what to tell the taxpayer."""

    message: Text


UNKNOWN_CODE = CodeProblem(
    Text(
        zh="无法识别此码。请扫描预约码（YY开头）或办税服务厅的纳税人二维码，"
        "或输入18位统一社会信用代码。",
        en="This code is not recognised. Scan an appointment code (starting with YY) or the "
        "hall's taxpayer QR code, or type an 18-character unified social credit code.",
    )
)
EMPTY_CODE = CodeProblem(
    Text(zh="没有读到内容，请重新扫描或输入", en="Nothing was read: scan or type again")
)
UNREADABLE_SCAN = CodeProblem(
    Text(zh="扫码未成功，请重新扫描", en="The scan did not succeed: please scan again")
)


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
        problem = Text(
            zh=f"统一社会信用代码有18位，这里只有{len(code)}位",
            en=f"A unified social credit code has 18 characters; this one has {len(code)}",
        )
    if problem is not None:
        return CodeProblem(problem)
    return Identity(kind, code, mask_credit_code(code))


def classify_code(text: str) -> Identity | CodeProblem:
    """What a scanned or typed code is: an `Identity`, or a `CodeProblem` to show.

    Never raises. Spaces around the code and letter case do not matter.
    """
    if len(text) > MAX_CODE_LENGTH:
        return UNKNOWN_CODE
    code = text.strip().upper()
    if not code:
        return EMPTY_CODE
    if _is_appointment_code(code):
        return Identity(IdentityKind.APPOINTMENT_CODE, code, code)
    if code.startswith(TAXPAYER_QR_PREFIX):
        credit = code[len(TAXPAYER_QR_PREFIX) :]
        if len(credit) > CREDIT_CODE_LENGTH + 2:
            return UNKNOWN_CODE
        found = _credit_code_identity(credit, IdentityKind.TAXPAYER_QR)
        if isinstance(found, CodeProblem):
            return CodeProblem(
                Text(
                    zh=f"纳税人二维码中的信用代码有误：{found.message.zh}",
                    en=f"The credit code in this taxpayer QR code is wrong. {found.message.en}",
                )
            )
        return found
    compact = normalize_credit_code(code)
    # Something shaped like a credit code (typed, or a bare code scanned): say what is wrong.
    if len(compact) == CREDIT_CODE_LENGTH and compact.isascii() and compact.isalnum():
        return _credit_code_identity(compact, IdentityKind.CREDIT_CODE)
    return UNKNOWN_CODE


# ---- ID cards -------------------------------------------------------------------------


class CardRefused(Exception):
    """A card that cannot identify its holder here; `message` is for the screen."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


ACCEPTED_CARD_TYPES = frozenset(CardType)

CARD_EXPIRED = Text(
    zh="证件已过有效期，请使用有效证件，或到人工窗口办理",
    en="This card has expired. Please use a valid card, or go to a staffed window",
)
CARD_NUMBER_INVALID = Text(
    zh="证件号码无法核验，请到人工窗口办理",
    en="The number on this card cannot be verified. Please go to a staffed window",
)
CARD_TYPE_UNKNOWN = Text(
    zh="不支持此类证件，请使用居民身份证、居住证或永久居留身份证",
    en="This kind of card is not supported. Please use a resident ID card, "
    "a residence permit or a permanent residence card",
)
CARD_UNREADABLE = Text(
    zh="读卡未成功，请将证件平放在读卡区，稍候再试",
    en="The card could not be read. Lay it flat on the reader and try again",
)


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
        raise CardRefused(CARD_TYPE_UNKNOWN)
    if not card.id_number_valid:
        raise CardRefused(CARD_NUMBER_INVALID)
    if card.is_expired(today):
        raise CardRefused(CARD_EXPIRED)
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
        return CardRefused(CARD_TYPE_UNKNOWN)
    if isinstance(error, IdCardReadError) and error.sw3 == 0x40:  # unknown card type
        return CardRefused(CARD_TYPE_UNKNOWN)
    return CardRefused(CARD_UNREADABLE)


# ---- appointments ---------------------------------------------------------------------


class CheckInStatus(Enum):
    IN_WINDOW = "in_window"  # within early/late minutes of the booked time: check in
    EARLY = "early"  # before the window opens
    LATE = "late"  # after the window closed
    NONE = "none"  # no appointment today


@dataclass(frozen=True)
class CheckIn:
    status: CheckInStatus
    appointment: Appointment | None
    message: Text


def _window(settings: Settings | IdentificationSection) -> tuple[timedelta, timedelta]:
    section = settings.identification if isinstance(settings, Settings) else settings
    return timedelta(minutes=section.early_minutes), timedelta(minutes=section.late_minutes)


def _hall_time(now: datetime, settings: Settings | IdentificationSection) -> datetime:
    if isinstance(settings, Settings):
        return now.astimezone(ZoneInfo(settings.kiosk.timezone))
    return now


def check_in(
    profile: TaxpayerProfile, now: datetime, settings: Settings | IdentificationSection
) -> CheckIn:
    """Check a taxpayer in for today's appointment: the one whose window holds `now`,
    else the next one (early), else the last one (late); status NONE without one.
    The window's edges belong to it."""
    early, late = _window(settings)
    local_now = _hall_time(now, settings)
    zone = local_now.tzinfo
    today = [
        item
        for item in sorted(profile.appointments, key=lambda item: item.starts_at)
        if item.starts_at.astimezone(zone).date() == local_now.date()
    ]
    if not today:
        return CheckIn(
            CheckInStatus.NONE,
            None,
            Text(zh="今天没有您的预约", en="You have no appointment today"),
        )
    for item in today:
        if item.starts_at - early <= now <= item.starts_at + late:
            at = item.starts_at.astimezone(zone).strftime("%H:%M")
            return CheckIn(
                CheckInStatus.IN_WINDOW,
                item,
                Text(
                    zh=f"已签到：您预约了 {at}，将优先为您叫号",
                    en=f"Checked in for your {at} appointment: you will be called first",
                ),
            )
    upcoming = [item for item in today if now < item.starts_at - early]
    if upcoming:
        item = upcoming[0]
        at = item.starts_at.astimezone(zone).strftime("%H:%M")
        opens = (item.starts_at - early).astimezone(zone).strftime("%H:%M")
        return CheckIn(
            CheckInStatus.EARLY,
            item,
            Text(
                zh=f"您预约的时间是 {at}，请于 {opens} 后签到；现在也可以普通取号",
                en=f"Your appointment is at {at}: check in from {opens}, "
                "or take an ordinary ticket now",
            ),
        )
    item = today[-1]
    at = item.starts_at.astimezone(zone).strftime("%H:%M")
    return CheckIn(
        CheckInStatus.LATE,
        item,
        Text(
            zh=f"您预约的 {at} 已过签到时间，请普通取号",
            en=f"The check-in time for your {at} appointment has passed: "
            "please take an ordinary ticket",
        ),
    )


def find_appointment(profile: TaxpayerProfile, code: str) -> Appointment | None:
    """The profile's appointment with this code (case and spaces ignored), if any."""
    wanted = code.strip().upper()
    for item in profile.appointments:
        if item.code.upper() == wanted:
            return item
    return None


# ---- asking the hall ------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileLookup:
    profile: TaxpayerProfile
    problem: Text | None = None  # set when the hall could not be asked


HALL_UNREACHABLE = Text(
    zh="暂时查询不到您的办税信息，您仍可以取号",
    en="Your taxpayer record cannot be looked up right now; you can still take a ticket",
)


def is_new_taxpayer(registered_on: date | None, today: date, new_taxpayer_days: int) -> bool:
    """Registered fewer than `new_taxpayer_days` days ago (新办纳税人)."""
    return registered_on is not None and (today - registered_on).days < new_taxpayer_days


class IdentificationService:
    """Asks the hall what it knows of an identified taxpayer; never raises to the UI."""

    def __init__(
        self,
        hall: HallBackend,
        settings: Settings,
        today: Callable[[], date],
    ) -> None:
        self._hall = hall
        self._settings = settings
        self._today = today

    def lookup(self, identity: Identity) -> ProfileLookup:
        try:
            profile = self._hall.taxpayer_profile(identity)
        except HallError as error:
            log.warning("taxpayer profile lookup failed: %s", error)
            return ProfileLookup(UNKNOWN_PROFILE, HALL_UNREACHABLE)
        except Exception as error:  # a backend bug must not take the screen down
            log.error("taxpayer profile lookup failed: %s", type(error).__name__)
            return ProfileLookup(UNKNOWN_PROFILE, HALL_UNREACHABLE)
        if not profile.new_taxpayer and is_new_taxpayer(
            profile.registered_on,
            self._today(),
            self._settings.identification.new_taxpayer_days,
        ):
            # A hall server may send only the registration date: new-ness is our rule.
            profile = TaxpayerProfile(
                credit_level=profile.credit_level,
                new_taxpayer=True,
                registered_on=profile.registered_on,
                appointments=profile.appointments,
                reminders=profile.reminders,
                frequent_matters=profile.frequent_matters,
            )
        return ProfileLookup(profile)

    def identify(self, identity: Identity) -> TaxpayerProfile:
        """The taxpayer's profile; the unknown profile when the hall cannot say."""
        return self.lookup(identity).profile
