"""Appointment check-in: the window of each appointment and its edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import FakeClock
from kiosk.identity import CheckInStatus, check_in, find_appointment
from kiosk.settings import IdentificationSection, Settings, load_settings
from kiosk.taxpayer import UNKNOWN_PROFILE, Appointment, CreditLevel, TaxpayerProfile

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 22)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(overrides={"kiosk": {"data_dir": str(tmp_path)}})


def _at(hour: int, minute: int, day: date = TODAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _profile(*appointments: Appointment) -> TaxpayerProfile:
    return TaxpayerProfile(credit_level=CreditLevel.A, appointments=appointments)


MORNING = Appointment("YY10000001", ("M0201",), _at(9, 30))
AFTERNOON = Appointment("YY10000002", ("M0301",), _at(14, 30))


@pytest.mark.parametrize(
    ("offset_seconds", "status"),
    [
        (-15 * 60 - 1, CheckInStatus.EARLY),
        (-15 * 60, CheckInStatus.IN_WINDOW),
        (0, CheckInStatus.IN_WINDOW),
        (15 * 60, CheckInStatus.IN_WINDOW),
        (15 * 60 + 1, CheckInStatus.LATE),
    ],
)
def test_check_in_window_edges(
    settings: Settings, offset_seconds: int, status: CheckInStatus
) -> None:
    # The fake clock runs in UTC: 09:30 in Shanghai is 01:30 UTC.
    clock = FakeClock(MORNING.starts_at.astimezone(UTC))
    clock.advance(offset_seconds)
    result = check_in(_profile(MORNING), clock.now(), settings)
    assert result.status is status
    assert result.appointment == MORNING
    assert "09:30" in result.message.zh
    assert "09:30" in result.message.en


def test_early_says_when_check_in_opens(settings: Settings) -> None:
    result = check_in(_profile(MORNING), _at(8, 0), settings)
    assert result.status is CheckInStatus.EARLY
    assert "09:15" in result.message.zh
    assert "09:15" in result.message.en


def test_the_window_comes_from_the_settings() -> None:
    section = IdentificationSection(early_minutes=5, late_minutes=30)
    assert check_in(_profile(MORNING), _at(9, 20), section).status is CheckInStatus.EARLY
    assert check_in(_profile(MORNING), _at(10, 0), section).status is CheckInStatus.IN_WINDOW


def test_two_appointments_pick_the_right_one(settings: Settings) -> None:
    profile = _profile(AFTERNOON, MORNING)
    assert check_in(profile, _at(9, 40), settings).appointment == MORNING
    noon = check_in(profile, _at(12, 0), settings)
    assert noon.status is CheckInStatus.EARLY
    assert noon.appointment == AFTERNOON
    evening = check_in(profile, _at(18, 0), settings)
    assert evening.status is CheckInStatus.LATE
    assert evening.appointment == AFTERNOON


def test_no_appointment_today(settings: Settings) -> None:
    assert check_in(UNKNOWN_PROFILE, _at(9, 30), settings).status is CheckInStatus.NONE
    tomorrow = Appointment("YY10000003", ("M0201",), _at(9, 30, TODAY + timedelta(days=1)))
    result = check_in(_profile(tomorrow), _at(9, 30), settings)
    assert result.status is CheckInStatus.NONE
    assert result.appointment is None
    assert result.message.zh
    assert result.message.en


def test_today_is_the_halls_day(settings: Settings) -> None:
    # 23:50 UTC on the 21st is 07:50 on the 22nd in Shanghai.
    early = Appointment("YY10000004", ("M0201",), _at(8, 0))
    now = datetime(2026, 11, 21, 23, 50, tzinfo=UTC)
    assert check_in(_profile(early), now, settings).status is CheckInStatus.IN_WINDOW


def test_find_appointment() -> None:
    profile = _profile(MORNING, AFTERNOON)
    assert find_appointment(profile, " yy10000002 ") == AFTERNOON
    assert find_appointment(profile, "YY99999999") is None
