"""The devices' settings: the ticket printer, the ID card reader and scanner, the keypads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from kiosk.settings.base import Section


class PrinterSection(Section):
    port: str = Field(
        "/dev/ttyUSB0",
        title="Printer port",
        description="A serial device (/dev/ttyUSB0), a USB printer-class device "
        "(/dev/usb/lp0 or usblp:///dev/usb/lp0), a network printer (socket://host:9100), "
        "or a USB printer without a kernel driver (usb://VID:PID).",
    )
    baudrate: int = Field(115200, ge=1200, le=921600)
    profile: str = Field("generic80", title="Printer profile")
    on_failure: Literal["e_ticket", "void"] = Field(
        "e_ticket",
        title="When a ticket cannot be printed",
        description="e_ticket: show the number and a QR code on screen; void: cancel it.",
    )
    write_timeout_seconds: float = Field(10.0, gt=0, le=120)
    status_timeout_seconds: float = Field(0.3, gt=0, le=5)
    status_interval_seconds: float = Field(
        10.0,
        ge=1,
        le=600,
        title="Status check while idle",
        description="How often the printer is asked for paper and cover while idle.",
    )


class IdentificationSection(Section):
    reader_port: str = Field(
        "",
        title="ID card reader port",
        description="A serial device (/dev/ttyUSB1, or a udev link); empty: no reader.",
    )
    reader_baudrate: int = Field(115200, ge=1200, le=921600)
    card_poll_seconds: float = Field(
        0.3,
        ge=0.1,
        le=2,
        title="Card poll interval",
        description="How often the reader is asked for a card while a screen waits for one.",
    )
    scanner_port: str = Field(
        "",
        title="QR scanner port",
        description="A serial (USB-CDC) scanner; empty: no scanner.",
    )
    scanner_baudrate: int = Field(9600, ge=1200, le=921600)
    scanner_suffix: Literal["CR", "CRLF"] = Field(
        "CR", title="Scanner line end", description="What the scanner sends after each code."
    )
    early_minutes: int = Field(
        15, ge=0, le=240, title="Check-in opens", description="Minutes before an appointment."
    )
    late_minutes: int = Field(
        15, ge=0, le=240, title="Check-in closes", description="Minutes after an appointment."
    )
    anonymous_tickets: bool = Field(
        True,
        title="Tickets without identification",
        description="Off: every ticket needs an ID card, credit code or appointment code.",
    )
    new_taxpayer_days: int = Field(
        90,
        ge=1,
        le=3650,
        title="New taxpayer for",
        description="Days after registration a taxpayer counts as new (新办纳税人).",
    )
    taxpayers: Path = Field(
        Path("taxpayers.toml"),
        title="Taxpayer profiles file",
        description="The embedded hall's taxpayers: credit level, reminders, appointments.",
    )


class KeypadsSection(Section):
    port: str = Field(
        "",
        title="Keypad bus port",
        description="The RS-485 adapter of the evaluation keypads and caller keys "
        "(/dev/ttyUSB1 or a pyserial URL); empty: no keypads.",
    )
    baudrate: int = Field(9600, ge=1200, le=115200)
    addresses: tuple[int, ...] = Field(
        (),
        title="Keypad addresses",
        description="Bus addresses 1..32; keypad N is at window N unless `windows` says "
        "otherwise. Empty: one keypad for each window of the queues.",
    )
    windows: dict[int, int] = Field(
        default_factory=dict,
        title="Address to window",
        description='Exceptions to "keypad N is at window N", e.g. { 1 = 9 }.',
    )
    reply_timeout_seconds: float = Field(
        0.1, gt=0, le=2, title="Reply timeout", description="How long a keypad may take."
    )
    poll_interval_seconds: float = Field(
        0.2, ge=0.01, le=5, title="Poll interval", description="Pause between polls of the bus."
    )
    speech: bool = Field(
        True,
        title="Speak the calls",
        description="Read each call aloud when espeak-ng or spd-say is installed.",
    )

    @field_validator("addresses")
    @classmethod
    def _bus_addresses(cls, addresses: tuple[int, ...]) -> tuple[int, ...]:
        wrong = [address for address in addresses if not 1 <= address <= 32]
        if wrong:
            raise ValueError(f"keypad addresses are 1..32, not {wrong}")
        return addresses

    def address_windows(self, all_windows: Iterable[int]) -> dict[int, int]:
        """Bus address -> window, for the configured addresses (default: every window)."""
        addresses = self.addresses or tuple(w for w in sorted(set(all_windows)) if 1 <= w <= 32)
        return {address: self.windows.get(address, address) for address in addresses}
