"""What a slip says, by name; the wording is in config/texts.toml [ticket], where a hall
rewords it like any other text (its texts file, `ui.texts_file`).

Each name reads `ticket.<name in lower case>` from the catalog installed when it is
read (kiosk.text.catalog_section): use `texts.NAME` where the text is printed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.text import Text, catalog_section

if not TYPE_CHECKING:  # mypy checks the names below; at run time the catalog answers
    __getattr__ = catalog_section("ticket")

# The ticket's labels
NUMBER: Text
AHEAD: Text
PERSON_AHEAD: Text
NONE_AHEAD: Text
WAIT: Text
NO_WAIT: Text
MATTERS: Text
LIST_SEPARATOR: Text
DOCUMENTS: Text
NO_DOCUMENTS: Text
ISSUED: Text
QR: Text

# The self-service guide, a reprint
GUIDE_TITLE: Text
GUIDE_WHERE: Text
GUIDE_QR: Text
REPRINT_MARK: Text
SELF_SERVICE_AREA: Text  # the {area} of a queue without its own area name

# A queue's windows
WINDOW: Text
WINDOWS: Text
WINDOW_RANGE: Text
WINDOW_SEPARATOR: Text

# One line of the documents checklist
DOCUMENT_LINE: Text
ORIGINAL: Text
COPY: Text
COPIES: Text
DEFERRABLE: Text
DETAIL_SEPARATOR: Text
