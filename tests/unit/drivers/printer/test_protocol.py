"""The ESC/POS wire facts, python-escpos's constants among them, checked against DEVICES.md §1."""

from __future__ import annotations

import pytest

from drivers.printer import protocol


@pytest.mark.parametrize(
    ("command", "hex_bytes"),
    [
        (protocol.INIT, "1b40"),
        (protocol.CHINESE_ON, "1c26"),
        (protocol.CHINESE_OFF, "1c2e"),
        (protocol.CHARACTER_SIZE, "1d21"),
        (protocol.PARTIAL_CUT, "1d5601"),
        (protocol.CUT, "1d56"),
        (protocol.STATUS_REQUEST, "1004"),
        (protocol.RASTER_IMAGE, "1d7630"),
        (protocol.SYMBOL, "1d286b"),
        (protocol.SELECT_ALIGN, "1b61"),
        (protocol.BOLD_ON, "1b4501"),
        (protocol.BOLD_OFF, "1b4500"),
        (protocol.PRINT_AND_FEED, "1b64"),
        (protocol.SET_TABS, "1b44"),
    ],
)
def test_command_bytes(command: bytes, hex_bytes: str) -> None:
    assert command == bytes.fromhex(hex_bytes)


def test_qr_parameters() -> None:
    # Model 2 is "2"; levels L, M, Q, H are "0" to "3"; cn 0x31, fn A C E P Q.
    assert protocol.QR_MODEL_2 == 0x32
    levels = (protocol.QR_LEVEL_L, protocol.QR_LEVEL_M, protocol.QR_LEVEL_Q, protocol.QR_LEVEL_H)
    assert levels == (0x30, 0x31, 0x32, 0x33)
    functions = (
        protocol.QR_SELECT_MODEL,
        protocol.QR_MODULE_SIZE,
        protocol.QR_ERROR_LEVEL,
        protocol.QR_STORE,
        protocol.QR_PRINT,
    )
    assert (protocol.QR, *functions) == (0x31, 0x41, 0x43, 0x45, 0x50, 0x51)


def test_status_bits() -> None:
    assert protocol.STATUS_FIXED_BITS == 0x12
    assert protocol.OFFLINE_BIT == 0x08
    assert protocol.PAPER_NEAR_END_BITS == 0x0C
    assert protocol.PAPER_END_BITS == 0x60
    assert protocol.STATUS_KINDS == (1, 2, 3, 4)


@pytest.mark.parametrize(
    ("data", "length"),
    [
        (b"\x1b*\x21\x02\x00", (5, 6)),  # 24-dot column image: 3 bytes a column
        (b"\x1b*\x00\x02\x00", (5, 2)),
        (b"\x1b*\x00\x02", (0, 0)),  # incomplete
        (b"\x1bD\x08\x10\x00", (5, 0)),  # tab stops end at NUL
        (b"\x1bD\x08", (0, 0)),
        (b"\x1dk\x04123\x00", (7, 0)),  # barcode A..F: NUL-terminated
        (b"\x1dk\x49\x03", (4, 3)),  # barcode m >= 65: n bytes
        (b"\x1d8L\x02\x00\x00\x00", (7, 2)),
        (b"\x1d8X", (2, 0)),
        (b"\x1d*\x01\x02", (4, 16)),
        (b"\x1b(A\x02\x00", (5, 2)),
        (b"\x1c(A\x02", (0, 0)),
    ],
)
def test_undrawn_payload_lengths(data: bytes, length: tuple[int, int]) -> None:
    assert protocol.UNDRAWN_PAYLOADS[data[:2]](data, 0) == length
