"""Printer capability profiles: what a model can do, as data.

Width in dots, columns per font, code pages, native QR and the cutter come
from python-escpos's capabilities database (`drivers.printer.python_escpos`);
the kiosk adds what the database does not know: Chinese mode and the baud
rate a model ships with. No model in the database has a GB code page, so
Chinese text goes out in the printer's Chinese mode (FS &, GB18030) on every
profile.

Font A is 12 x 24 dots on these printers: a Latin character takes one
column (12 dots), a Chinese character two (24 dots).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from drivers.printer.python_escpos import capabilities


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    title: str
    model: str  # the python-escpos capabilities model it is built from
    dots: int
    font_columns: tuple[int, ...]  # characters per line in font A, B, ...
    code_pages: dict[int, str] = dataclasses.field(default_factory=dict, hash=False)  # ESC t n
    font_a_dots: int = 12
    native_qr: bool = True
    cutter: bool = True
    chinese_mode: bool = True
    default_baud: int = 9600

    @property
    def columns(self) -> int:
        """Characters per line in font A at normal size (a Chinese character counts 2)."""
        return self.font_columns[0]


# What a profile takes from the database as it is.
_FROM_DATABASE = ("dots", "font_columns", "code_pages", "native_qr", "cutter")


def _from_database(name: str, title: str, model: str, *, default_baud: int) -> PrinterProfile:
    found = capabilities(model)
    values = {field: getattr(found, field) for field in _FROM_DATABASE}
    return PrinterProfile(name=name, title=title, model=model, default_baud=default_baud, **values)


# Each profile is the database model with the same paper, resolution, fonts, QR
# and cutter; none of those values needs overriding.
PROFILES: dict[str, PrinterProfile] = {
    profile.name: profile
    for profile in (
        # Epson's 80 mm, 203 dpi reference: 576 dots, 48 columns, partial cut.
        _from_database(
            "generic80",
            "Generic 80 mm kiosk printer (203 dpi)",
            "TM-T20II",
            default_baud=115200,
        ),
        # Sunmi's 58 mm printer: 384 dots, 32 columns, native QR, no cutter.
        _from_database(
            "generic58",
            "Generic 58 mm printer without cutter (203 dpi)",
            "Sunmi-V2",
            default_baud=9600,
        ),
        _from_database(
            "tm-t88",
            "Epson TM-T88 (Chinese model, 180 dpi)",
            "TM-T88V",
            default_baud=38400,
        ),
    )
}


def get_profile(name: str) -> PrinterProfile:
    """The profile called `name`; KeyError lists the known names."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise KeyError(f"unknown printer profile {name!r}; known profiles: {known}") from None
