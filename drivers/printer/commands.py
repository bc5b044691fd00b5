"""ESC/POS commands as the bytes the driver sends, built from `drivers.printer.protocol`."""

from __future__ import annotations

import math

from drivers.printer.document import Align
from drivers.printer.images import Bitmap
from drivers.printer.protocol import (
    ALIGN_CENTER,
    ALIGN_LEFT,
    ALIGN_RIGHT,
    BOLD_OFF,
    BOLD_ON,
    CHARACTER_SIZE,
    PRINT_AND_FEED,
    QR,
    QR_ERROR_LEVEL,
    QR_LEVEL_M,
    QR_MAX_MODULE,
    QR_MODEL_2,
    QR_MODULE_SIZE,
    QR_PRINT,
    QR_SELECT_MODEL,
    QR_STORE,
    QR_STORE_M,
    RASTER_IMAGE,
    RASTER_NORMAL,
    SELECT_ALIGN,
    STATUS_KINDS,
    STATUS_REQUEST,
    SYMBOL,
)

# Model 2, level M, byte mode: the largest symbol (version 40) holds 2331 bytes.
QR_MAX_BYTES = 2331
# A picture goes out as GS v 0 bands of at most this many rows: cheap printers
# garble one large raster image that overflows their receive buffer.
RASTER_BAND_ROWS = 255

_ALIGN_CODES = {Align.LEFT: ALIGN_LEFT, Align.CENTER: ALIGN_CENTER, Align.RIGHT: ALIGN_RIGHT}


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def status_request(n: int) -> bytes:
    """DLE EOT n: real-time status query, answered with one byte."""
    if n not in STATUS_KINDS:
        raise ValueError(f"DLE EOT n must be 1..4, got {n}")
    return STATUS_REQUEST + bytes([n])


def align(alignment: Align) -> bytes:
    return SELECT_ALIGN + bytes([_ALIGN_CODES[alignment]])


def char_size(width: int, height: int) -> bytes:
    """GS ! n: magnification 1..8 in each direction."""
    width = clamp(width, 1, 8)
    height = clamp(height, 1, 8)
    return CHARACTER_SIZE + bytes([((width - 1) << 4) | (height - 1)])


def bold(on: bool) -> bytes:
    return BOLD_ON if on else BOLD_OFF


def feed_lines(lines: int) -> bytes:
    """ESC d n: print the buffer and feed n lines (nothing for n <= 0)."""
    lines = clamp(lines, 0, 255)
    return PRINT_AND_FEED + bytes([lines]) if lines else b""


def _symbol(function: int, parameters: bytes) -> bytes:
    """GS ( k pL pH cn fn parameters, for the QR code (cn 0x31)."""
    size = len(parameters) + 2
    return SYMBOL + bytes([size & 0xFF, size >> 8, QR, function]) + parameters


def qr_native(data: bytes, module: int) -> bytes:
    """GS ( k, model 2, error level M: select model, size, level, store, print."""
    if len(data) > QR_MAX_BYTES:
        raise ValueError(f"QR data is {len(data)} bytes; at most {QR_MAX_BYTES} fit")
    return b"".join(
        (
            _symbol(QR_SELECT_MODEL, bytes([QR_MODEL_2, 0])),
            _symbol(QR_MODULE_SIZE, bytes([clamp(module, 1, QR_MAX_MODULE)])),
            _symbol(QR_ERROR_LEVEL, bytes([QR_LEVEL_M])),
            _symbol(QR_STORE, bytes([QR_STORE_M]) + data),
            _symbol(QR_PRINT, bytes([QR_STORE_M])),
        )
    )


def raster_image(rows: list[list[bool]]) -> bytes:
    """GS v 0: a bitmap, True = black, rows padded to whole bytes."""
    height = len(rows)
    width = len(rows[0]) if rows else 0
    width_bytes = math.ceil(width / 8)
    body = bytearray()
    for row in rows:
        bits = "".join("1" if black else "0" for black in row).ljust(width_bytes * 8, "0")
        body += int(bits, 2).to_bytes(width_bytes, "big") if width_bytes else b""
    return _raster_header(width_bytes, height) + bytes(body)


def _raster_header(width_bytes: int, height: int) -> bytes:
    sizes = (width_bytes & 0xFF, width_bytes >> 8, height & 0xFF, height >> 8)
    return RASTER_IMAGE + bytes([RASTER_NORMAL, *sizes])


def raster_bitmap(bitmap: Bitmap) -> bytes:
    """A bitmap as GS v 0 images of at most `RASTER_BAND_ROWS` rows each, top to bottom."""
    out = bytearray()
    row_bytes = bitmap.width_bytes
    for top in range(0, bitmap.height, RASTER_BAND_ROWS):
        rows = min(RASTER_BAND_ROWS, bitmap.height - top)
        out += _raster_header(row_bytes, rows)
        out += bitmap.bits[top * row_bytes : (top + rows) * row_bytes]
    return bytes(out)
