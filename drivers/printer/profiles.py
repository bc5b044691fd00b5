"""Printer capability profiles: what a model can do, as data.

Font A is 12 x 24 dots on these printers: a Latin character takes one
column (12 dots), a Chinese character two (24 dots).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    title: str
    paper_mm: int
    dots: int
    font_a_dots: int = 12
    native_qr: bool = True
    cutter: bool = True
    chinese_mode: bool = True
    default_baud: int = 9600

    @property
    def columns(self) -> int:
        """Characters per line in font A at normal size (a Chinese character counts 2)."""
        return self.dots // self.font_a_dots


PROFILES: dict[str, PrinterProfile] = {
    profile.name: profile
    for profile in (
        PrinterProfile(
            name="generic80",
            title="Generic 80 mm kiosk printer (203 dpi)",
            paper_mm=80,
            dots=576,
            native_qr=True,
            cutter=True,
            chinese_mode=True,
            default_baud=115200,
        ),
        PrinterProfile(
            name="generic58",
            title="Generic 58 mm printer without cutter (203 dpi)",
            paper_mm=58,
            dots=384,
            native_qr=True,
            cutter=False,
            chinese_mode=True,
            default_baud=9600,
        ),
        PrinterProfile(
            name="tm-t88",
            title="Epson TM-T88 (Chinese model, 180 dpi)",
            paper_mm=80,
            dots=512,
            native_qr=True,
            cutter=True,
            chinese_mode=True,
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
