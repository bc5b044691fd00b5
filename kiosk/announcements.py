"""The hall's announcements and policy notices (公告, 政策) for the idle screen.

config/announcements.toml (next to kiosk.toml) lists them, each in Chinese and English,
with an optional picture from config/announcements/ and an optional schedule:

    [idle]
    show_after_seconds = 90   # the idle screen, after this long untouched on the home screen
    rotate_seconds = 10       # each announcement shown this long, then the next

    [[announcement]]
    kind = "policy"           # "notice" (公告) or "policy" (政策)
    title = { zh = "...", en = "..." }
    body = { zh = "...", en = "..." }
    image = "tax-cut.png"     # optional, in config/announcements/
    start = 2026-01-01        # optional: shown from this day ...
    end = 2026-12-31          # ... to this day, both included
    days = [1, 2, 3, 4, 5]    # optional: ISO weekdays (1 = Monday)

A broken file never stops the kiosk: load_announcements raises AnnouncementsError with
one clear line per problem, which the idle screen and `kiosk config check` can show.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from kiosk.settings.problems import ConfigProblem
from kiosk.text import Text

Kind = Literal["notice", "policy"]
KINDS: tuple[Kind, ...] = ("notice", "policy")
FILE_NAME = "announcements.toml"
IMAGES_DIR = "announcements"
DEFAULT_SHOW_AFTER_SECONDS = 90.0
DEFAULT_ROTATE_SECONDS = 10.0


class AnnouncementsError(Exception):
    """The announcements file cannot be used; `problems` says why, one line each."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path.name}: " + "; ".join(problems))


@dataclass(frozen=True)
class Announcement:
    kind: Kind
    title: Text
    body: Text
    image: Path | None = None
    start: date | None = None
    end: date | None = None
    days: frozenset[int] = frozenset()

    def shown_on(self, day: date) -> bool:
        """Whether the schedule has it on `day` (the hall's local date)."""
        if self.start is not None and day < self.start:
            return False
        if self.end is not None and day > self.end:
            return False
        return not self.days or day.isoweekday() in self.days


@dataclass(frozen=True)
class Announcements:
    items: tuple[Announcement, ...] = ()
    show_after_seconds: float = DEFAULT_SHOW_AFTER_SECONDS
    rotate_seconds: float = DEFAULT_ROTATE_SECONDS
    problems: tuple[str, ...] = field(default=())  # set when the file was broken

    def on(self, day: date) -> list[Announcement]:
        """The announcements scheduled on `day`, in the file's order."""
        return [item for item in self.items if item.shown_on(day)]


def announcements_path(config_dir: Path) -> Path:
    return config_dir / FILE_NAME


def load_announcements(path: Path) -> Announcements:
    """The file's announcements; none if it does not exist; AnnouncementsError if broken."""
    if not path.exists():
        return Announcements()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise AnnouncementsError(path, [f"cannot be read: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise AnnouncementsError(path, [f"is not valid TOML: {error}"]) from None
    problems: list[str] = []
    idle = raw.get("idle", {})
    if not isinstance(idle, dict):
        idle = {}
        problems.append("[idle] must be a table")
    show_after = _seconds(idle, "show_after_seconds", DEFAULT_SHOW_AFTER_SECONDS, problems)
    rotate = _seconds(idle, "rotate_seconds", DEFAULT_ROTATE_SECONDS, problems)
    entries = raw.get("announcement", [])
    if not isinstance(entries, list):
        entries = []
        problems.append("announcement must be an array of tables ([[announcement]])")
    items = []
    for number, entry in enumerate(entries, start=1):
        item = _announcement(entry, number, path.parent / IMAGES_DIR, problems)
        if item is not None:
            items.append(item)
    unknown = set(raw) - {"idle", "announcement"}
    if unknown:
        problems.append(f"unknown sections: {', '.join(sorted(unknown))}")
    if problems:
        raise AnnouncementsError(path, problems)
    return Announcements(tuple(items), show_after, rotate)


def _seconds(table: dict[str, Any], key: str, default: float, problems: list[str]) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 3600:
        problems.append(f"[idle] {key} must be a number of seconds from 1 to 3600")
        return default
    return float(value)


def _announcement(
    entry: object, number: int, images: Path, problems: list[str]
) -> Announcement | None:
    where = f"announcement {number}"
    if not isinstance(entry, dict):
        problems.append(f"{where} must be a table")
        return None
    before = len(problems)
    kind = entry.get("kind", "notice")
    if kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    title = _text(entry, "title", where, problems)
    body = _text(entry, "body", where, problems, required=False)
    image = None
    if "image" in entry:
        name = entry["image"]
        if not isinstance(name, str) or not name or Path(name).name != name:
            problems.append(f"{where}: image must be a file name in {images}")
        elif not (images / name).is_file():
            problems.append(f"{where}: image {name} is not in {images}")
        else:
            image = images / name
    start = _date(entry, "start", where, problems)
    end = _date(entry, "end", where, problems)
    if start is not None and end is not None and end < start:
        problems.append(f"{where}: end {end} is before start {start}")
    days = entry.get("days", [])
    if not isinstance(days, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 7 for day in days
    ):
        problems.append(f"{where}: days must be a list of weekdays 1 (Monday) to 7 (Sunday)")
        days = []
    unknown = set(entry) - {"kind", "title", "body", "image", "start", "end", "days"}
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if len(problems) > before or title is None:
        return None
    return Announcement(kind, title, body or Text(zh="", en=""), image, start, end, frozenset(days))


def _text(
    entry: dict[str, Any], key: str, where: str, problems: list[str], *, required: bool = True
) -> Text | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("zh"), str)
        or not isinstance(value.get("en"), str)
        or not value["zh"].strip()
        or not value["en"].strip()
    ):
        problems.append(f'{where}: {key} needs both languages: {key} = {{ zh = "…", en = "…" }}')
        return None
    return Text(zh=value["zh"], en=value["en"])


def _date(entry: dict[str, Any], key: str, where: str, problems: list[str]) -> date | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, date) or hasattr(value, "hour"):
        problems.append(f"{where}: {key} must be a date such as 2026-01-31")
        return None
    return value


def announcement_problems(config_dir: Path) -> list[ConfigProblem]:
    """`kiosk config check`: each problem of config/announcements.toml, one a line."""
    path = announcements_path(config_dir)
    try:
        load_announcements(path)
    except AnnouncementsError as error:
        return [ConfigProblem(str(path), "", problem) for problem in error.problems]
    return []
