"""Printer status: decoding the one-byte answers to DLE EOT n (DEVICES.md §1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from drivers.printer.protocol import (
    AUTO_RECOVERABLE_BIT,
    COVER_OPEN_BIT,
    CUTTER_ERROR_BIT,
    ERROR_BIT,
    FEED_BUTTON_BIT,
    OFFLINE_BIT,
    PAPER_END_BITS,
    PAPER_END_STOP_BIT,
    PAPER_NEAR_END_BITS,
    STATUS_FIXED_BITS,
    STATUS_KINDS,
    UNRECOVERABLE_BIT,
)


class PrinterCondition(Enum):
    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_END = "paper_end"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    CUTTER_ERROR = "cutter_error"
    ERROR = "error"
    UNKNOWN = "unknown"


# When several answers disagree, the most serious condition is reported.
_SEVERITY = {
    PrinterCondition.READY: 0,
    PrinterCondition.PAPER_NEAR_END: 1,
    PrinterCondition.OFFLINE: 2,
    PrinterCondition.UNKNOWN: 3,
    PrinterCondition.ERROR: 4,
    PrinterCondition.CUTTER_ERROR: 5,
    PrinterCondition.PAPER_END: 6,
    PrinterCondition.COVER_OPEN: 7,
}


@dataclass(frozen=True)
class PrinterStatus:
    condition: PrinterCondition
    detail: str  # short English text for technicians

    @property
    def can_print(self) -> bool:
        return self.condition in (PrinterCondition.READY, PrinterCondition.PAPER_NEAR_END)


def is_status_byte(byte: int) -> bool:
    return 0 <= byte <= 0xFF and byte & STATUS_FIXED_BITS == STATUS_FIXED_BITS


def decode_status(n: int, byte: int | None) -> PrinterStatus:
    """What one answer to DLE EOT n says. READY means "no fault in this byte".

    `byte` None means the printer did not answer; a byte without the fixed
    bits 0x12 is not a status answer. Both give UNKNOWN, never READY.
    """
    if n not in STATUS_KINDS:
        raise ValueError(f"DLE EOT n must be 1..4, got {n}")
    if byte is None:
        return PrinterStatus(PrinterCondition.UNKNOWN, f"no answer to status request {n}")
    if not is_status_byte(byte):
        return PrinterStatus(
            PrinterCondition.UNKNOWN, f"invalid answer 0x{byte:02X} to status request {n}"
        )
    decoder = {1: _printer, 2: _offline_cause, 3: _error_cause, 4: _paper_sensor}[n]
    return decoder(byte)


def _printer(byte: int) -> PrinterStatus:
    if byte & OFFLINE_BIT:
        return PrinterStatus(PrinterCondition.OFFLINE, "printer is offline")
    return PrinterStatus(PrinterCondition.READY, "printer is online")


def _offline_cause(byte: int) -> PrinterStatus:
    if byte & COVER_OPEN_BIT:
        return PrinterStatus(PrinterCondition.COVER_OPEN, "cover is open")
    if byte & PAPER_END_STOP_BIT:
        return PrinterStatus(PrinterCondition.PAPER_END, "stopped at paper end")
    if byte & ERROR_BIT:
        return PrinterStatus(PrinterCondition.ERROR, "printer reports an error")
    if byte & FEED_BUTTON_BIT:
        return PrinterStatus(PrinterCondition.OFFLINE, "paper is being fed by the button")
    return PrinterStatus(PrinterCondition.READY, "no offline cause")


def _error_cause(byte: int) -> PrinterStatus:
    if byte & CUTTER_ERROR_BIT:
        return PrinterStatus(PrinterCondition.CUTTER_ERROR, "auto-cutter error")
    if byte & UNRECOVERABLE_BIT:
        return PrinterStatus(PrinterCondition.ERROR, "unrecoverable error")
    if byte & AUTO_RECOVERABLE_BIT:
        return PrinterStatus(PrinterCondition.ERROR, "print head too hot (recovers by itself)")
    return PrinterStatus(PrinterCondition.READY, "no error")


def _paper_sensor(byte: int) -> PrinterStatus:
    if byte & PAPER_END_BITS:
        return PrinterStatus(PrinterCondition.PAPER_END, "paper end")
    if byte & PAPER_NEAR_END_BITS:
        return PrinterStatus(PrinterCondition.PAPER_NEAR_END, "paper near end")
    return PrinterStatus(PrinterCondition.READY, "paper present")


def worst(statuses: Iterable[PrinterStatus]) -> PrinterStatus:
    """The most serious of several partial statuses; READY if there are none."""
    result = PrinterStatus(PrinterCondition.READY, "ready")
    for status in statuses:
        if _SEVERITY[status.condition] > _SEVERITY[result.condition]:
            result = status
    return result
