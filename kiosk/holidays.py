"""The holiday calendar (config/holidays/cn.toml): days off and 调休 working weekends,
as the State Council General Office publishes them each year; working days counted
on it (好差评 follow-up deadlines).

A working day is Monday to Friday, minus the year's `off` days, plus its `work` days
(the 调休 Saturdays and Sundays). A hall's own file (`evaluation.hall_holidays`)
replaces the years it lists. A day in a year the calendar does not know counts
Monday to Friday; `kiosk config check` warns when next year is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from kiosk.settings import ConfigError, ConfigProblem, Settings, problems_from, read_toml

log = logging.getLogger(__name__)

SATURDAY = 5


class _Year(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = ""
    off: tuple[date, ...] = ()
    work: tuple[date, ...] = ()


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    years: dict[int, _Year] = {}


@dataclass(frozen=True)
class HolidayYear:
    year: int
    source: str
    off: frozenset[date]
    work: frozenset[date]


def _year_problems(year: int, entry: _Year, file: str) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []

    def add(key: str, reason: str) -> None:
        problems.append(ConfigProblem(file, f"years.{year}.{key}", reason))

    if not 2000 <= year <= 2100:
        add("", f"{year} is not a year this calendar can hold (2000..2100)")
    for key, days in (("off", entry.off), ("work", entry.work)):
        for day in days:
            if day.year != year:
                add(key, f"{day} is not in {year}")
        twice = sorted({day for day in days if days.count(day) > 1})
        if twice:
            add(key, f"{twice[0]} is listed twice")
    for day in sorted(set(entry.off) & set(entry.work)):
        add("work", f"{day} is both a day off and a working day")
    for day in entry.work:
        if day.weekday() < SATURDAY:
            add("work", f"{day} is a weekday: only a Saturday or Sunday can be a 调休 working day")
    return problems


def parse_years(raw: dict[str, Any], file: str) -> dict[int, HolidayYear]:
    """The years of one calendar file; ConfigError names each bad entry."""
    try:
        parsed = _File(**raw)
    except ValidationError as error:
        raise ConfigError(problems_from(error, file)) from None
    problems = [
        problem
        for year, entry in parsed.years.items()
        for problem in _year_problems(year, entry, file)
    ]
    if problems:
        raise ConfigError(problems)
    return {
        year: HolidayYear(year, entry.source, frozenset(entry.off), frozenset(entry.work))
        for year, entry in parsed.years.items()
    }


@dataclass
class HolidayCalendar:
    years: dict[int, HolidayYear] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set, repr=False)

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        known = self.years.get(day.year)
        if known is None:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning(
                    "holiday calendar: no entry for %d; counting Monday to Friday", day.year
                )
            return day.weekday() < SATURDAY
        if day in known.work:
            return True
        return day.weekday() < SATURDAY and day not in known.off

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (the start itself not counted)."""
        if days < 0:
            raise ValueError("a number of working days cannot be negative")
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_after(self, start: date, end: date) -> int:
        """Working days in (start, end]: 0 when end is not after start."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def holiday_files(settings: Settings) -> tuple[Path, Path | None]:
    """The shipped calendar and the hall's own file (None when not set)."""
    section = settings.evaluation

    def resolved(path: Path) -> Path:
        return path if path.is_absolute() else settings.config_dir / path

    hall = section.hall_holidays
    return resolved(section.holidays), (None if hall is None else resolved(hall))


def load_calendar(shipped: Path, hall: Path | None = None) -> HolidayCalendar:
    """The shipped years, each replaced by the hall file's year when it has one."""
    years = parse_years(read_toml(shipped), str(shipped))
    if hall is not None:
        years.update(parse_years(read_toml(hall), str(hall)))
    return HolidayCalendar(years)


def calendar_of(settings: Settings) -> HolidayCalendar:
    return load_calendar(*holiday_files(settings))


def calendar_check(settings: Settings, today: date) -> tuple[list[ConfigProblem], list[str]]:
    """What `kiosk config check` says of the calendar: problems, and a warning when
    this year or the next is missing (deadlines there count Monday to Friday)."""
    try:
        calendar = calendar_of(settings)
    except ConfigError as error:
        return error.problems, []
    missing = [year for year in (today.year, today.year + 1) if not calendar.knows(year)]
    return [], [
        f"holiday calendar: no entry for {year} (add it to the hall's holiday file when "
        "published; until then follow-up deadlines count Monday to Friday)"
        for year in missing
    ]
