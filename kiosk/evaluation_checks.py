"""What `kiosk config check` says of the evaluation files: the holiday calendar and
the 差评 reasons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.evaluation_reasons import load_reasons
from kiosk.holidays import calendar_check
from kiosk.settings import ConfigError, ConfigProblem, Settings


def evaluation_problems(settings: Settings, notes: list[str]) -> list[ConfigProblem]:
    """Problems of the holiday calendar (shipped and the hall's) and of the reasons
    list; a year missing from the calendar is a note appended to `notes`."""
    today = datetime.now(ZoneInfo(settings.kiosk.timezone)).date()
    problems, calendar_warnings = calendar_check(settings, today)
    notes += calendar_warnings
    try:
        load_reasons(settings)
    except ConfigError as error:
        problems += error.problems
    return problems
