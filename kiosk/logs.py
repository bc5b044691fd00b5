"""Logging set-up: plain or JSON lines, with a last-line guard against personal data."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

# An 18-character resident ID number, or a 15-digit old one: masked wherever it appears.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{8,11}(\d{3}[\dXx])(?![0-9A-Za-z])")


# Set on a record whose text was already checked for personal data (the hall
# server's access lines): the formatters then skip the regex.
CHECKED = "personal_data_checked"


def scrub(text: str) -> str:
    return _ID_NUMBER.sub(lambda match: match.group(1) + "***" + match.group(2), text)


def _scrubbed(record: logging.LogRecord, text: str) -> str:
    return text if getattr(record, CHECKED, False) else scrub(text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": _scrubbed(record, record.getMessage()),
        }
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _scrubbed(record, super().format(record))


def setup_logging(
    json_lines: bool = False, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
