"""The one typed settings schema, loaded from TOML layered over `config/` defaults.

schema.py    Settings, the whole tree, and the checks across sections
hall.py      this kiosk, the hall and its server, queues, routing
hardware.py  printer, ID card reader and scanner, keypads
screen.py    screen, ticket, evaluation, technician menu
loading.py   defaults, then the machine file, then command-line overrides
problems.py  ConfigProblem and ConfigError: every error names file, key and reason
texts.py     the hall's wording (ui.texts_file) over config/texts.toml
"""

from __future__ import annotations

from kiosk.settings.base import Section
from kiosk.settings.hall import HallSection, KioskSection, QueueSection, RoutingSection
from kiosk.settings.hardware import IdentificationSection, KeypadsSection, PrinterSection
from kiosk.settings.loading import (
    DEFAULTS_FILE,
    MACHINE_FILE_ENV,
    SYSTEM_MACHINE_FILE,
    default_machine_file,
    load_settings,
    merge,
    settings_json_schema,
)
from kiosk.settings.problems import ConfigError, ConfigProblem, problems_from, read_toml
from kiosk.settings.schema import CONFIG_DIR, SCHEMA_VERSION, Settings
from kiosk.settings.screen import (
    DEFAULT_TICKET_LAYOUT,
    TICKET_BLOCKS,
    EvaluationSection,
    TechnicianSection,
    TicketSection,
    UiSection,
)
from kiosk.settings.screens import Announcement, ScreensSection
from kiosk.settings.texts import load_texts

__all__ = [
    "CONFIG_DIR",
    "DEFAULTS_FILE",
    "DEFAULT_TICKET_LAYOUT",
    "MACHINE_FILE_ENV",
    "SCHEMA_VERSION",
    "SYSTEM_MACHINE_FILE",
    "TICKET_BLOCKS",
    "Announcement",
    "ConfigError",
    "ConfigProblem",
    "EvaluationSection",
    "HallSection",
    "IdentificationSection",
    "KeypadsSection",
    "KioskSection",
    "PrinterSection",
    "QueueSection",
    "RoutingSection",
    "ScreensSection",
    "Section",
    "Settings",
    "TechnicianSection",
    "TicketSection",
    "UiSection",
    "default_machine_file",
    "load_settings",
    "load_texts",
    "merge",
    "problems_from",
    "read_toml",
    "settings_json_schema",
]
