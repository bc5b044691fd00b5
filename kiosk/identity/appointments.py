"""Appointment check-in (预约签到): today's appointment whose window holds the moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from kiosk.identity import texts
from kiosk.settings import IdentificationSection, Settings
from kiosk.taxpayer import Appointment, TaxpayerProfile
from kiosk.text import Text


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
        return CheckIn(CheckInStatus.NONE, None, texts.NO_APPOINTMENT_TODAY)

    def clock(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%H:%M")

    for item in today:
        if item.starts_at - early <= now <= item.starts_at + late:
            return CheckIn(
                CheckInStatus.IN_WINDOW, item, texts.CHECKED_IN.format(at=clock(item.starts_at))
            )
    upcoming = [item for item in today if now < item.starts_at - early]
    if upcoming:
        item = upcoming[0]
        message = texts.CHECK_IN_EARLY.format(
            at=clock(item.starts_at), opens=clock(item.starts_at - early)
        )
        return CheckIn(CheckInStatus.EARLY, item, message)
    item = today[-1]
    return CheckIn(CheckInStatus.LATE, item, texts.CHECK_IN_LATE.format(at=clock(item.starts_at)))


def find_appointment(profile: TaxpayerProfile, code: str) -> Appointment | None:
    """The profile's appointment with this code (case and spaces ignored), if any."""
    wanted = code.strip().upper()
    for item in profile.appointments:
        if item.code.upper() == wanted:
            return item
    return None
