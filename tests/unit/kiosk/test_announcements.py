"""config/announcements.toml: the idle screen's announcements, their schedule, and a
broken file named line by line (never a traceback)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.announcements import (
    AnnouncementsError,
    announcement_problems,
    announcements_path,
    load_announcements,
)
from kiosk.settings import CONFIG_DIR

ENTRY = 'title = { zh = "公告", en = "Notice" }\n'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "announcements.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_loads_with_its_picture() -> None:
    announcements = load_announcements(announcements_path(CONFIG_DIR))
    assert len(announcements.items) >= 2
    assert {item.kind for item in announcements.items} == {"notice", "policy"}
    pictured = [item for item in announcements.items if item.image is not None]
    assert pictured
    assert all(item.image.is_file() for item in pictured if item.image)
    assert announcement_problems(CONFIG_DIR) == []


def test_no_file_means_no_announcements(tmp_path: Path) -> None:
    assert load_announcements(tmp_path / "absent.toml").items == ()


def test_the_schedule_by_dates_and_weekdays(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "[idle]\nshow_after_seconds = 30\nrotate_seconds = 5\n"
        f"[[announcement]]\n{ENTRY}start = 2026-03-01\nend = 2026-06-30\n"
        f"[[announcement]]\n{ENTRY}days = [1, 2, 3, 4, 5]\n"
        f'[[announcement]]\nkind = "policy"\n{ENTRY}',
    )
    announcements = load_announcements(path)
    assert (announcements.show_after_seconds, announcements.rotate_seconds) == (30.0, 5.0)
    first, weekdays, always = announcements.items
    assert announcements.on(date(2026, 3, 2)) == [first, weekdays, always]  # a Monday
    assert announcements.on(date(2026, 7, 4)) == [always]  # a Saturday, after the end
    assert announcements.on(date(2026, 2, 28)) == [always]  # a Saturday, before the start
    assert announcements.on(date(2026, 7, 6)) == [weekdays, always]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[announcement]\n", "is not valid TOML"),
        ('[[announcement]]\ntitle = { zh = "只有中文" }\n', "title needs both languages"),
        (f'[[announcement]]\n{ENTRY}kind = "advert"\n', "kind must be one of notice, policy"),
        (f'[[announcement]]\n{ENTRY}image = "missing.png"\n', "image missing.png is not in"),
        (f"[[announcement]]\n{ENTRY}start = 2026-05-01\nend = 2026-04-01\n", "is before start"),
        (f"[[announcement]]\n{ENTRY}days = [0, 8]\n", "days must be a list of weekdays"),
        (f'[[announcement]]\n{ENTRY}start = "tomorrow"\n', "start must be a date"),
        ("[idle]\nrotate_seconds = 0\n", "rotate_seconds must be a number of seconds"),
        (f"[[announcement]]\n{ENTRY}colour = 1\n", "unknown keys colour"),
    ],
)
def test_a_broken_file_is_named_line_by_line(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(AnnouncementsError) as raised:
        load_announcements(path)
    assert any(problem in line for line in raised.value.problems), raised.value.problems
    assert str(raised.value).startswith("announcements.toml: ")
    problems = announcement_problems(tmp_path)
    assert problems
    assert all(str(tmp_path) in str(found) for found in problems)
