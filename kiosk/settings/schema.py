"""The whole settings schema: every section, and the checks across sections."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from kiosk.settings.base import Section
from kiosk.settings.hall import HallSection, KioskSection, QueueSection, RoutingSection
from kiosk.settings.hardware import IdentificationSection, KeypadsSection, PrinterSection
from kiosk.settings.screen import EvaluationSection, TechnicianSection, TicketSection, UiSection
from kiosk.settings.screens import ScreensSection

SCHEMA_VERSION = 1
CONFIG_DIR = Path(__file__).resolve().parent.parent.parent / "config"


class Settings(Section):
    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    kiosk: KioskSection = KioskSection()
    hall: HallSection
    queues: tuple[QueueSection, ...] = Field(min_length=1)
    printer: PrinterSection = PrinterSection()
    ui: UiSection = UiSection()
    ticket: TicketSection = TicketSection()
    routing: RoutingSection = RoutingSection()
    evaluation: EvaluationSection = EvaluationSection()
    keypads: KeypadsSection = KeypadsSection()
    technician: TechnicianSection = TechnicianSection()
    identification: IdentificationSection = IdentificationSection()
    screens: ScreensSection = ScreensSection()
    # Directory that relative paths (catalog) resolve against.
    config_dir: SkipJsonSchema[Path] = Field(CONFIG_DIR, exclude=True)

    @model_validator(mode="after")
    def _queues_unique(self) -> Settings:
        for attribute, values in (
            ("code", [queue.code for queue in self.queues]),
            ("prefix", [queue.prefix for queue in self.queues]),
        ):
            twice = next((value for value in values if values.count(value) > 1), None)
            if twice is not None:
                raise ValueError(f"queues: two queues have the {attribute} {twice!r}")
        codes = {queue.code for queue in self.queues}
        routing = self.routing
        for key, code in (
            ("green_queue", routing.green_queue),
            ("default_queue", routing.default_queue),
            ("overflow_queue", routing.overflow_queue),
        ):
            if code not in codes:
                raise ValueError(f"routing.{key}: no queue has the code {code!r}")
        for code in routing.quotas:
            if code not in codes:
                raise ValueError(f"routing.quotas: no queue has the code {code!r}")
        return self

    def queue(self, code: str) -> QueueSection:
        for queue in self.queues:
            if queue.code == code:
                return queue
        raise KeyError(code)

    @property
    def rules_path(self) -> Path:
        rules = self.routing.rules
        return rules if rules.is_absolute() else self.config_dir / rules

    @property
    def catalog_path(self) -> Path:
        return (
            self.hall.catalog
            if self.hall.catalog.is_absolute()
            else (self.config_dir / self.hall.catalog)
        )

    @property
    def data_path(self) -> Path:
        if self.kiosk.data_dir is not None:
            return self.kiosk.data_dir
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "hall-kiosk"
