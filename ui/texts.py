"""The taxpayer's screens' texts, by name; the wording is in config/texts.toml [screen].

Each name reads `screen.<name in lower case>` from the catalog installed when it is
read (kiosk.text.catalog_section), so a hall's rewording shows whatever the import order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kiosk.text import LANGUAGES, Text, catalog_section, text


def fill(template: Text, **values: Text | str | int) -> Text:
    """`template` with `values` put in, each bilingual value in the matching language."""
    return template.format(**values)


def joined(items: Sequence[Text]) -> Text:
    """`items` as one list, separated as each language writes a list."""
    separator = text("screen.list_separator")
    zh, en = (
        separator.get(language).join(item.get(language) for item in items) for language in LANGUAGES
    )
    return Text(zh=zh, en=en)


# Each language's name in itself: never reworded, so not in the catalog.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

if not TYPE_CHECKING:  # mypy checks the names below; at run time the catalog answers
    __getattr__ = catalog_section("screen")

HOME: Text
BACK: Text
WELCOME: Text
QUEUES_TITLE: Text
QUEUE_STATE: Text
QUEUE_EMPTY: Text
QUEUES_LOADING: Text
PRINTER_PAUSED: Text
TAKE_NUMBER: Text
SENIOR_MODE: Text
SENIOR_TITLE: Text
SENIOR_PRIORITY: Text
SENIOR_PRIORITY_ON: Text
SENIOR_MORE: Text
SENIOR_SEARCH: Text
HELP: Text
HELP_COMING: Text
HELP_CLOSE: Text
CHOOSE_CATEGORY: Text
ALL_CATEGORIES: Text
CHOOSE_MATTER: Text
BADGE_SIMPLE: Text
BADGE_SELF_SERVICE: Text
TIME_LIMIT: Text
MATTER_DETAIL: Text
GO_TO: Text
WHY: Text
BULLET: Text
DOCUMENTS_TITLE: Text
NO_DOCUMENTS: Text
DOCUMENT_LINE: Text
PEOPLE_AHEAD: Text
PERSON_AHEAD: Text
NONE_AHEAD: Text
ESTIMATED_WAIT: Text
NO_WAIT: Text
CONFIRM: Text
SELF_SERVICE_OFFER: Text
SELF_SERVICE_HINT: Text
PRINT_GUIDE: Text
GUIDE_PRINTING: Text
GUIDE_PRINTED: Text
GUIDE_FAILED: Text
PRINTING: Text
PRINTING_HINT: Text
YOUR_NUMBER: Text
QUEUE_AND_WINDOWS: Text
AHEAD_AND_WAIT: Text
NOBODY_AHEAD: Text
QR_CAPTION: Text
TAKE_TICKET: Text
DONE: Text
E_TICKET_SENTENCE: Text
QR_NAME: Text
FAILED_TITLE: Text
FAILED_SENTENCE: Text
BACK_HOME: Text
STILL_THERE: Text
DESCRIPTION_SEPARATOR: Text
COUNTDOWN: Text
CONTINUE: Text
IDENTIFY: Text
IDENTIFY_TITLE: Text
IDENTIFY_HINT: Text
IDENTIFY_NO_READER: Text
REAL_NAME_NEEDED: Text
TYPE_CREDIT_CODE: Text
TYPE_APPOINTMENT_CODE: Text
SKIP: Text
IDENTIFYING: Text
CREDIT_CODE_TITLE: Text
CREDIT_CODE_HINT: Text
APPOINTMENT_CODE_TITLE: Text
APPOINTMENT_CODE_HINT: Text
APPOINTMENT_CODE_PREFIX_PROBLEM: Text
APPOINTMENT_CODE_DIGIT_PROBLEM: Text
FREQUENT_DETAIL: Text
APPOINTMENT_UNKNOWN: Text
OK: Text
GREETING: Text
GREETING_NO_NAME: Text
GREETING_APPOINTMENT: Text
CREDIT_A: Text
CHECK_IN_TITLE: Text
APPOINTMENT_AT: Text
APPOINTMENT_MATTERS: Text
LIST_SEPARATOR: Text
TAKE_APPOINTMENT_TICKET: Text
OTHER_MATTER: Text
NORMAL_TICKET: Text
FOR_YOU: Text
BADGE_REMINDER: Text
BADGE_FREQUENT: Text
SEARCH: Text
SEARCH_TITLE: Text
SEARCH_HINT: Text
SEARCH_EMPTY: Text
SEARCH_PROMPT: Text
SEARCH_QUERY: Text
DELETE: Text
CLEAR: Text
TIME_LIMIT_LINE: Text
DEFERRABLE_MARK: Text
DEFERRABLE_LEGEND: Text
PRIORITY_BUTTON: Text
ADD_MATTER: Text
ADDING_MATTER: Text
CHOSEN_MATTERS: Text
NO_TICKET_TITLE: Text
REFUSAL_ACTIONS: dict[str, Text]
WINDOW_TITLE: Text


def people_ahead(count: int) -> Text:
    """How many are ahead, in words that read right for none, one and many."""
    # Bare names inside this module do not reach the module's __getattr__: read the keys.
    if count == 0:
        return text("screen.none_ahead")
    if count == 1:
        return text("screen.person_ahead")
    return fill(text("screen.people_ahead"), count=count)
