"""What a kiosk sends is checked, never trusted: a record the server cannot keep as
it is gets a reason (and is rejected on its own), and the times of offline tickets
are the server's to order."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.hall.api import MATTER_PATTERN

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MATTER = re.compile(MATTER_PATTERN)
MAX_DEPTH = 32  # nesting of a payload: deeper is no record a kiosk makes


def utc_text(moment: datetime | str) -> str | None:
    """Fixed-width UTC text (stored times then compare as strings); None when the
    time has no UTC equivalent (9999-12-31T23:59:59-23:59 is in year 10000) or is
    no ISO time at all."""
    try:
        when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        return when.astimezone(UTC).isoformat(timespec="microseconds")
    except (OverflowError, ValueError):
        return None


def text_problem(value: Any, where: str = "payload", depth: int = 0) -> str | None:
    """Why `value` (JSON from the kiosk) cannot be stored and answered back: a lone
    surrogate is no UTF-8, NaN and Infinity are no JSON."""
    if depth > MAX_DEPTH:
        return f"{where}: nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, str):
        return None if _is_unicode(value) else f"{where}: text that is not valid Unicode"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where}: {value} is not a JSON number"
    if isinstance(value, dict):
        for key, item in value.items():
            if not _is_unicode(str(key)):
                return f"{where}: a key that is not valid Unicode"
            problem = text_problem(item, f"{where}.{key}", depth + 1)
            if problem is not None:
                return problem
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = text_problem(item, f"{where}[{index}]", depth + 1)
            if problem is not None:
                return problem
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def business_day_of(text: str, today: date) -> date | str:
    """The day of an offline ticket, or why it is refused: today's, or yesterday's
    uploaded late, never another (a kiosk's clock does not choose the day)."""
    if not _DAY.fullmatch(text):
        return f"payload.business_day: {text!r} is not a date (YYYY-MM-DD)"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return f"payload.business_day: {text!r} is not a date"
    if day not in (today, today - timedelta(days=1)):
        return f"payload.business_day: {text} is neither today ({today}) nor yesterday"
    return day


def matter_codes(value: Any) -> list[str] | str:
    """The matter codes of an offline ticket, or why they are refused."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        return "payload.matters: a list of matter codes"
    for code in value:
        if not _MATTER.fullmatch(code):
            return f"payload.matters: {code!r} is not a matter code"
    return list(value)


def queue_time(at: datetime, day: date, zone: ZoneInfo, received: datetime) -> datetime:
    """Where an offline ticket takes its place: at its `at` when that lies in its
    business day and before the server received it; else (a wrong clock, or a
    forged time) at its receipt, or the end of its day for a late upload."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    latest = min(received, end - timedelta(microseconds=1))
    return at if start <= at <= latest else latest
