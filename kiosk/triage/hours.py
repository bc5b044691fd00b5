"""Business hours: which period of the day a moment falls in, and when numbers are
next issued (open days, dated exceptions such as holidays and working Saturdays)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.settings import Settings
from kiosk.triage.rules import Period

# Routing hours for a demonstration or a benchmark at any time of any day.
ALWAYS_OPEN: dict[str, Any] = {
    "open_days": [1, 2, 3, 4, 5, 6, 7],
    "opens": "00:00",
    "cutoff": "23:59:59.999999",
    "extended_until": "23:59:59.999999",
}


def _open_on(day: date, settings: Settings) -> bool:
    routing = settings.routing
    if day in routing.open_dates:
        return True
    return day.isoweekday() in routing.open_days and day not in routing.closed_dates


def period_at(now: datetime, settings: Settings) -> Period:
    routing = settings.routing
    local = now.astimezone(ZoneInfo(settings.kiosk.timezone))
    if not _open_on(local.date(), settings):
        return "closed_day"
    moment = local.time().replace(tzinfo=None)
    if moment < routing.opens:
        return "before_opening"
    if moment < routing.cutoff:
        return "open"
    if moment < routing.extended_until:
        return "extended"
    return "after_hours"


def next_opening(now: datetime, settings: Settings) -> datetime:
    """When numbers are next issued: today's opening if still ahead, else the next open day."""
    zone = ZoneInfo(settings.kiosk.timezone)
    local = now.astimezone(zone)
    day = local.date()
    opens = settings.routing.opens
    if _open_on(day, settings) and local.time().replace(tzinfo=None) < opens:
        return datetime.combine(day, opens, zone)
    for _ in range(366):
        day += timedelta(days=1)
        if _open_on(day, settings):
            return datetime.combine(day, opens, zone)
    return datetime.combine(local.date() + timedelta(days=1), opens, zone)
