from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.holidays import calendar_check, load_calendar, parse_years
from kiosk.settings import CONFIG_DIR, ConfigError, load_settings

SHIPPED = CONFIG_DIR / "holidays" / "cn.toml"


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # 国庆 off, Saturday 10-10 works
        (date(2026, 9, 30), 15, date(2026, 10, 27)),
        (date(2026, 2, 12), 1, date(2026, 2, 13)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Saturday 02-14 is a working day
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # 春节 02-15..23 off
        (date(2026, 4, 30), 3, date(2026, 5, 8)),  # 劳动节 05-01..05 off
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # 2027 unknown: Monday to Friday
    ],
)
def test_working_days_on_the_published_2026_calendar(start: date, days: int, due: date) -> None:
    assert load_calendar(SHIPPED).add_working_days(start, days) == due


def test_the_shipped_calendar_holds_the_2026_notice() -> None:
    year = load_calendar(SHIPPED).years[2026]
    assert len(year.off) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert sorted(year.work) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert load_calendar(SHIPPED).working_days_after(date(2026, 9, 30), date(2026, 10, 13)) == 5


def test_a_hall_file_replaces_the_years_it_lists(tmp_path: Path) -> None:
    hall = tmp_path / "hall.toml"
    hall.write_text(
        '[years.2027]\noff = ["2027-01-01"]\nwork = []\n'
        '[years.2026]\noff = ["2026-10-01"]\nwork = ["2026-10-03"]\n',
        encoding="utf-8",
    )
    calendar = load_calendar(SHIPPED, hall)
    assert calendar.knows(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2026, 10, 2))  # the hall's 2026 replaced the notice
    assert calendar.is_working_day(date(2026, 10, 3))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('[years.2026]\nwork = ["2026-10-09"]\n', "is a weekday"),
        ('[years.2026]\noff = ["2027-01-01"]\n', "is not in 2026"),
        ('[years.2026]\noff = ["2026-10-10"]\nwork = ["2026-10-10"]\n', "both a day off"),
        ('[years.2026]\noff = ["2026-10-01", "2026-10-01"]\n', "listed twice"),
        ('[years.2026]\nof = ["2026-10-01"]\n', "years.2026.of"),
        ('[years.2026]\noff = ["2026-13-01"]\n', "years.2026.off"),
    ],
)
def test_a_bad_calendar_is_refused_naming_the_entry(body: str, reason: str) -> None:
    import tomllib

    with pytest.raises(ConfigError) as refused:
        parse_years(tomllib.loads(body), "hall.toml")
    assert reason in str(refused.value)


def test_config_check_names_a_bad_hall_file_and_notes_a_missing_year(tmp_path: Path) -> None:
    hall = tmp_path / "hall.toml"
    hall.write_text('[years.2026]\nwork = ["2026-10-09"]\n', encoding="utf-8")
    machine = tmp_path / "kiosk.toml"
    machine.write_text(f'[evaluation]\nhall_holidays = "{hall}"\n', encoding="utf-8")
    problems, notes = calendar_check(load_settings(machine), date(2026, 12, 4))
    assert [problem.key for problem in problems] == ["years.2026.work"]
    assert notes == []
    problems, notes = calendar_check(load_settings(), date(2026, 12, 4))
    assert problems == []
    assert len(notes) == 1
    assert "2027" in notes[0]
