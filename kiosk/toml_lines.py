"""Where an entry sits in a hall's TOML file (the catalog, the routing rules), so that
a config problem names its file and line. tomllib keeps no positions, so the text is
searched for the entry's `[[table]]` header or its `key = "value"` line."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from kiosk.settings import ConfigProblem, problems_from


class TomlLines:
    """Line numbers (1-based) of `[[table]]` headers and `key = "value"` lines of a text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _nth(self, pattern: re.Pattern[str], occurrence: int) -> int | None:
        seen = -1
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                seen += 1
                if seen == occurrence:
                    return number
        return None

    def header(self, table: str, index: int) -> int | None:
        """The line of the `index`-th `[[table]]` header."""
        return self._nth(re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]"), index)

    def keyed(self, key: str, value: str, occurrence: int = 0) -> int | None:
        """The line of the `occurrence`-th `key = "value"`."""
        return self._nth(re.compile(rf"^\s*{key}\s*=\s*[\"']{re.escape(value)}[\"']"), occurrence)


def where(file: str, line: int | None) -> str:
    """`file:line`, or the file alone when the line is not known."""
    return f"{file}:{line}" if line else file


def located_problems(
    error: ValidationError, file: str, lines: TomlLines, named_when_missing: tuple[str, ...] = ()
) -> list[ConfigProblem]:
    """pydantic's problems, each with the line of the `[[table]]` entry it is in; a
    missing key of `named_when_missing` is said in words ("no category given")."""
    # problems_from leaves some items out: pair each problem with its item by key.
    items = {".".join(str(part) for part in item["loc"]): item for item in error.errors()}
    located = []
    for problem in problems_from(error, file):
        item = items[problem.key]
        loc = item["loc"]
        line = None
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            line = lines.header(loc[0], loc[1])
        reason = problem.reason
        if item["type"] == "missing" and loc[-1] in named_when_missing:
            reason = f"no {loc[-1]} given"
        located.append(ConfigProblem(where(file, line), problem.key, reason))
    return located


def file_text(path: Path) -> str:
    """The text of a file read_toml has just read, for line numbers; empty when it
    cannot be read again (a race only loses the line numbers)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
