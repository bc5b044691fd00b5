"""The technician menu's texts, by name; the wording is in config/texts.toml [technician].

Each name reads `technician.<name in lower case>` from the catalog installed when it
is read (kiosk.text.catalog_section); a table (FIELD_TITLES) is keyed by the rest of
its keys, a list (VOID_REASONS) keeps its order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.text import Text, catalog_section
from ui.texts import fill

__all__ = ["fill"]

# The language switch names both languages in themselves: not reworded.
LANGUAGE = "中文 / English"

if not TYPE_CHECKING:  # mypy checks the names below; at run time the catalog answers
    __getattr__ = catalog_section("technician")

PIN_TITLE: Text
PIN_AGAIN: Text
CLEAR: Text
OK: Text
CANCEL: Text
WRONG_PIN: Text
LOCKED: Text
NO_PIN: Text
LOCKED_HOURS: Text
LOCKED_DOUBLES: Text
MENU_TITLE: Text
CLOSE_MENU: Text
NOT_CONFIGURED: Text
PAGE_SETTINGS: Text
PAGE_DEVICES: Text
PAGE_HALL: Text
PAGE_CATALOG: Text
PAGE_TODAY: Text
PAGE_TICKETS: Text
PAGE_LOGS: Text
PAGE_AUDIT: Text
PAGE_SYSTEM: Text
SECTION: Text
SECTION_NAMES: dict[str, Text]
SAVE: Text
SAVED: Text
NOTHING_CHANGED: Text
REFUSED: Text
CURRENT: Text
LIMITS: Text
READ_ONLY: Text
SECRET_NOTE: Text
ON: Text
OFF: Text
EDIT: Text
OTHER: Text
DEFAULT: Text
KEYBOARD_DONE: Text
SPACE: Text
BACKSPACE: Text
SHIFT: Text
PRINTER: Text
PRINTER_STATE: Text
LAST_ERROR: Text
NONE: Text
TEST_PRINT: Text
TEST_PRINTING: Text
TEST_PRINTED: Text
TEST_FAILED: Text
CARD_READER: Text
SCANNER: Text
KEYPADS: Text
REFRESH: Text
SERIAL_PORTS: Text
NO_PORTS: Text
TEST_PAGE_TITLE: Text
EMBEDDED_HALL: Text
OUTBOX: Text
CATALOG_VERSION: Text
VALIDATE: Text
VALID: Text
INVALID: Text
RELOAD: Text
RELOADED: Text
PREVIEW: Text
TICKETS_BY_QUEUE: Text
AVERAGE_WAIT: Text
EVALUATIONS: Text
FOLLOW_UPS: Text
EXPORT: Text
EXPORT_TO: Text
EXPORTED: Text
EXPORT_FAILED: Text
NO_TICKETS: Text
TICKET_LINE: Text
REPRINT: Text
VOID: Text
REPRINTED: Text
REPRINT_FAILED: Text
VOID_REASON: Text
VOIDED: Text
VOID_FAILED: Text
VOID_REASONS: tuple[Text, ...]
NO_LINES: Text
RESTART: Text
LEAVE_KIOSK: Text
SYSTEM_NOTE: Text
PLEASE_WAIT: Text
RESTARTING: Text
PORT: Text
ONLINE: Text
OFFLINE: Text
DEVICE_STATE: Text
SAM_ID: Text
NOT_READ: Text
READER_STATES: dict[str, Text]
PRINTER_STATES: dict[str, Text]
KEYPAD_HEADER: Text
KEYPAD_ROW: Text
KEY_FAULT: Text
NO_FAULT: Text
NEVER: Text
READ_CARD: Text
READ_CARD_WAIT: Text
READ_CARD_NONE: Text
READ_CARD_OK: Text
READ_CARD_REFUSED: Text
CHECK_OK: Text
CHECK_BAD: Text
DATES_OK: Text
DATES_EXPIRED: Text
LONG_TERM: Text
CARD_KINDS: dict[str, Text]
SCAN_BUS: Text
SCANNING_BUS: Text
BUS_FOUND: Text
BUS_SILENT_LIST: Text
BUS_SILENT: Text
BUS_FAILED: Text
SCAN_TEST: Text
SCAN_WAIT: Text
SCAN_NONE: Text
SCAN_OK: Text
SCAN_PROBLEM: Text
CODE_KINDS: dict[str, Text]
CHOOSE_PORT: Text
DEVICE_NAMES: dict[str, Text]
KEYPAD_COLUMNS: tuple[Text, ...]
BUS_ENTRY: Text
CODES_READ: Text
BACKEND: Text
HALL_URL: Text
HALL_TOKEN: Text
NO_TOKEN: Text
LINK_ONLINE: Text
LINK_OFFLINE: Text
REFUSED_RECORDS: Text
SET_ASIDE_RECORD: Text
LAST_SYNC: Text
CLOCK_OFFSET: Text
TEST_CONNECTION: Text
TESTING_CONNECTION: Text
CONNECTION_OK: Text
CONNECTION_FAILED: Text
NEVER_SYNCED: Text
FOLLOW_UP_TITLE: Text
NO_FOLLOW_UPS: Text
FOLLOW_UP_ROW: Text
OVERDUE: Text
CLOSE_FOLLOW_UP_OF: Text
CLOSE_NOTE: Text
CLOSE_NOTES: tuple[Text, ...]
FOLLOW_UP_CLOSED: Text
FOLLOW_UP_FAILED: Text
EVALUATION_TITLE: Text
LEVEL_NAMES: dict[str, Text]
LEVEL_ROW: Text
FIELD_TITLES: dict[str, Text]
FIELD_HELP: dict[str, Text]
CHOICE_NAMES: dict[str, Text]
