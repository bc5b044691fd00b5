"""DLE EOT answers decoded, one byte at a time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.printer.status import (
    PrinterCondition,
    PrinterStatus,
    decode_status,
    worst,
)

C = PrinterCondition


@pytest.mark.parametrize(
    ("n", "byte", "condition"),
    [
        (1, 0x16, C.READY),
        (1, 0x12, C.READY),
        (1, 0x1E, C.OFFLINE),
        (2, 0x12, C.READY),
        (2, 0x16, C.COVER_OPEN),
        (2, 0x32, C.PAPER_END),
        (2, 0x36, C.COVER_OPEN),  # cover open wins: it is what a technician must fix first
        (2, 0x52, C.ERROR),
        (2, 0x1A, C.OFFLINE),  # paper fed by the button
        (3, 0x12, C.READY),
        (3, 0x1A, C.CUTTER_ERROR),
        (3, 0x32, C.ERROR),
        (3, 0x52, C.ERROR),
        (4, 0x12, C.READY),
        (4, 0x1E, C.PAPER_NEAR_END),
        (4, 0x72, C.PAPER_END),
        (4, 0x7E, C.PAPER_END),
        (4, 0x32, C.PAPER_END),  # one of the two paper-end bits is enough
        (1, None, C.UNKNOWN),
        (4, None, C.UNKNOWN),
        (1, 0x00, C.UNKNOWN),  # not a status byte
        (4, 0x10, C.UNKNOWN),
        (4, 0x02, C.UNKNOWN),
        (2, 0x60, C.UNKNOWN),
    ],
)
def test_decode_table(n: int, byte: int | None, condition: PrinterCondition) -> None:
    status = decode_status(n, byte)
    assert status.condition is condition
    assert status.detail


def test_unknown_detail_names_the_byte() -> None:
    assert "0x41" in decode_status(1, 0x41).detail


@pytest.mark.parametrize("n", [0, 5, 17])
def test_bad_request_number(n: int) -> None:
    with pytest.raises(ValueError, match="must be 1"):
        decode_status(n, 0x12)


@pytest.mark.parametrize(
    ("condition", "can_print"),
    [
        (C.READY, True),
        (C.PAPER_NEAR_END, True),
        (C.PAPER_END, False),
        (C.COVER_OPEN, False),
        (C.OFFLINE, False),
        (C.CUTTER_ERROR, False),
        (C.ERROR, False),
        (C.UNKNOWN, False),
    ],
)
def test_can_print(condition: PrinterCondition, can_print: bool) -> None:
    assert PrinterStatus(condition, "x").can_print is can_print


def test_worst_picks_the_most_serious() -> None:
    ready = PrinterStatus(C.READY, "ok")
    near = PrinterStatus(C.PAPER_NEAR_END, "near")
    offline = PrinterStatus(C.OFFLINE, "offline")
    paper = PrinterStatus(C.PAPER_END, "paper")
    assert worst([ready, near]) == near
    assert worst([offline, paper, near]) == paper
    assert worst([]).condition is C.READY


@given(n=st.integers(1, 4), byte=st.integers(0, 255))
def test_any_byte_decodes_and_only_valid_bytes_can_mean_ready(n: int, byte: int) -> None:
    status = decode_status(n, byte)
    if byte & 0x12 != 0x12:
        assert status.condition is C.UNKNOWN
    if status.can_print:
        assert byte & 0x12 == 0x12
