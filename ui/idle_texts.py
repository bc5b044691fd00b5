"""The idle screen's texts, by name; the wording is in config/texts.toml [idle]."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.text import Text, catalog_section

if not TYPE_CHECKING:  # mypy checks the names below; at run time the catalog answers
    __getattr__ = catalog_section("idle")

TOUCH_TO_START: Text
HOURS_TODAY: Text
HOURS_EXTENDED: Text
CLOSED_TODAY: Text
STATUS_OPEN: Text
STATUS_EXTENDED: Text
STATUS_BEFORE_OPENING: Text
STATUS_CLOSED: Text
DATE: Text
KINDS: dict[str, Text]  # notice (公告), policy (政策)
NO_ANNOUNCEMENTS: Text
ANNOUNCEMENTS_UNAVAILABLE: Text
