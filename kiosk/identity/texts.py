"""What identification tells the taxpayer, by name; the wording is in config/texts.toml
[identity].

Each name reads `identity.<name in lower case>` from the catalog installed when it is
read (kiosk.text.catalog_section): use `texts.NAME` where the text is shown, never
`from kiosk.identity.texts import NAME` (that binds the wording at import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.text import Text, catalog_section

if not TYPE_CHECKING:  # mypy checks the names below; at run time the catalog answers
    __getattr__ = catalog_section("identity")

# What each position of a credit code holds (GB 32100)
AUTHORITY_POSITION: Text
ENTITY_POSITION: Text
REGION_POSITIONS: Text
ORGANISATION_POSITIONS: Text
CHECK_POSITION: Text
CHECK_MISMATCH: Text
CODE_TOO_LONG: Text
CODE_TOO_SHORT: Text
LETTER_NEVER_USED: Text
CHARACTER_NOT_ALLOWED: Text

# Scanned or typed codes
UNKNOWN_CODE_MESSAGE: Text
EMPTY_CODE_MESSAGE: Text
UNREADABLE_SCAN_MESSAGE: Text
TAXPAYER_QR_WRONG: Text

# ID cards
CARD_EXPIRED: Text
CARD_NUMBER_INVALID: Text
CARD_TYPE_UNKNOWN: Text
CARD_UNREADABLE: Text

# Appointments and the hall
NO_APPOINTMENT_TODAY: Text
CHECKED_IN: Text
CHECK_IN_EARLY: Text
CHECK_IN_LATE: Text
HALL_UNREACHABLE: Text
