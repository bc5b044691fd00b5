"""Who the taxpayer at the kiosk is, and what the hall knows about them.

Shared vocabulary of identification (ID card, credit code, appointment code),
routing (credit level, new taxpayer, age, appointment) and the hall backends
(profiles and appointments). Nothing here is ever logged, printed or stored:
an `Identity` lives only as long as the visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from kiosk.text import Text


class IdentityKind(Enum):
    ID_CARD = "id_card"  # 居民身份证 or another card the SAM reader reads
    CREDIT_CODE = "credit_code"  # 统一社会信用代码 (GB 32100), typed or scanned
    APPOINTMENT_CODE = "appointment_code"  # 预约码, typed or scanned
    TAXPAYER_QR = "taxpayer_qr"  # the hall's taxpayer QR code


class CreditLevel(Enum):
    """纳税信用级别."""

    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"


@dataclass(frozen=True)
class Identity:
    """How the taxpayer identified themselves. `key` is the ID number, credit code
    or appointment code: it is used to ask the hall and never leaves memory;
    `masked` is what a screen may show."""

    kind: IdentityKind
    key: str = field(repr=False)
    masked: str
    birth_date: date | None = None  # from an ID card, for age-based priority
    display_name: str = field(default="", repr=False)  # e.g. "张*"; screen only

    def __repr__(self) -> str:
        return f"Identity({self.kind.value}, {self.masked})"

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Appointment:
    """A booked visit (预约办税) for one day, at a time."""

    code: str
    matter_codes: tuple[str, ...]
    starts_at: datetime  # aware, hall time zone

    def __repr__(self) -> str:
        return f"Appointment({self.starts_at.isoformat()}, {','.join(self.matter_codes)})"


@dataclass(frozen=True)
class Reminder:
    """A pending matter (应办事项) the hall wants this taxpayer to know about."""

    matter_code: str
    text: Text
    due: date | None = None


@dataclass(frozen=True)
class TaxpayerProfile:
    credit_level: CreditLevel | None = None
    new_taxpayer: bool = False
    registered_on: date | None = None
    appointments: tuple[Appointment, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    frequent_matters: tuple[str, ...] = ()  # matter codes, most frequent first

    @property
    def known(self) -> bool:
        """False for the empty profile of a taxpayer the hall has no record of."""
        return self != UNKNOWN_PROFILE


UNKNOWN_PROFILE = TaxpayerProfile()


def is_new_taxpayer(registered_on: date | None, today: date, new_taxpayer_days: int) -> bool:
    """Registered fewer than `new_taxpayer_days` days ago (新办纳税人)."""
    return registered_on is not None and (today - registered_on).days < new_taxpayer_days
