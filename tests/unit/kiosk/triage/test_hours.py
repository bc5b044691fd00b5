"""Business hours: the period of the day, and when numbers are next issued."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.settings import load_settings
from kiosk.triage import next_opening, period_at

HALL = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
SETTINGS = load_settings()


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HALL)


def test_periods_of_the_day() -> None:
    assert period_at(at(8, 59), SETTINGS) == "before_opening"
    assert period_at(at(9), SETTINGS) == "open"
    assert period_at(at(16, 30), SETTINGS) == "extended"
    assert period_at(at(17, 30), SETTINGS) == "after_hours"
    assert period_at(at(10, day=date(2026, 11, 29)), SETTINGS) == "closed_day"
    # a time given in UTC is read in the hall's zone
    assert period_at(datetime(2026, 11, 23, 1, 0, tzinfo=ZoneInfo("UTC")), SETTINGS) == "open"
    assert next_opening(at(10, day=date(2026, 11, 28)), SETTINGS) == at(9, day=date(2026, 11, 30))
