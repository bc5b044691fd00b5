"""What routing tells the taxpayer, by name; the wording is in config/texts.toml [triage].

Each name reads `triage.<name in lower case>` from the catalog installed when it is
read (kiosk.text.catalog_section): use `texts.NAME` where the text is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.text import Text, catalog_section

if not TYPE_CHECKING:  # mypy checks the names below; at run time the catalog answers
    __getattr__ = catalog_section("triage")

REASON_SIMPLE: Text
REASON_GENERAL: Text
REASON_SEVERAL: Text
REASON_SELF_SERVICE: Text
REASON_NO_QUEUE: Text

# The next opening, as a rule's {come_back} says it
COME_BACK_TODAY: Text
COME_BACK_TOMORROW: Text
COME_BACK_ON: Text
WEEKDAYS: tuple[Text, ...]  # Monday first
MONTHS: tuple[Text, ...]  # January first
