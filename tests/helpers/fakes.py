"""Shared test doubles for the kiosk core (never for a driver: drivers are
tested over real ptys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drivers.printer.document import PrintDocument, QrBlock, TextBlock
from kiosk.catalog import Catalog, load_catalog
from kiosk.settings import Settings, load_settings
from kiosk.tickets import PrintFailure


class RecordingSlipPrinter:
    """Keeps the documents it is given; fails while `failure` is set."""

    def __init__(self) -> None:
        self.documents: list[PrintDocument] = []
        self.failure: str | None = None

    def print_slip(self, document: PrintDocument) -> None:
        if self.failure is not None:
            raise PrintFailure(self.failure)
        self.documents.append(document)

    def texts(self, index: int = -1) -> list[str]:
        """The text blocks as they read on paper: without their no-break marks."""
        return [
            block.text.replace("\u2060", "").replace("\u00a0", " ")
            for block in self.documents[index].blocks
            if isinstance(block, TextBlock)
        ]

    def qr_codes(self, index: int = -1) -> list[str]:
        return [block.data for block in self.documents[index].blocks if isinstance(block, QrBlock)]


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return load_settings(overrides={"kiosk": {"data_dir": str(tmp_path / "data")}, **overrides})


def default_catalog(settings: Settings) -> Catalog:
    return load_catalog(settings.catalog_path)
