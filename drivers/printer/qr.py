"""QR codes on slips: the symbol the printer prints, its size, and the raster fallback."""

from __future__ import annotations

import qrcode
import qrcode.constants
from qrcode.exceptions import DataOverflowError

from drivers.printer.commands import clamp, raster_image
from drivers.printer.protocol import QR_MAX_MODULE

QUIET_MODULES = 4
# qrcode 8 raises ValueError("Invalid version (41)") where older ones raised DataOverflowError.
_TOO_LONG = (DataOverflowError, ValueError)


def _symbol(data: bytes, border: int = 0) -> qrcode.QRCode:  # type: ignore[type-arg]
    # optimize=0: one mode for the whole payload, the most compact that holds it.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=border
    )
    code.add_data(data, optimize=0)
    return code


def _too_long(data: bytes) -> ValueError:
    return ValueError(f"QR data is {len(data)} bytes: too long for one symbol")


def qr_matrix(data: bytes, border: int) -> list[list[bool]]:
    """The symbol's modules, True = black, with `border` quiet modules around it."""
    code = _symbol(data, border)
    try:
        code.make(fit=True)
    except _TOO_LONG as exc:
        raise _too_long(data) from exc
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_version(data: bytes) -> int:
    """The QR version (1..40) the printer prints `data` in, at error level M.

    For native QR (GS ( k) the printer, not the driver, picks the data mode:
    the most compact one that holds the whole payload (numeric, alphanumeric,
    else byte; Epson's GS ( k function 181 notes), as qrcode does for our
    raster fallback. Kanji mode, which Shift JIS data alone can use, would
    only make the symbol smaller, so the module size chosen here still fits.
    Measuring with qrcode's best fit, without building the matrix, costs
    about 0.05 ms for a ticket's URL.
    """
    try:
        return int(_symbol(data).best_fit())
    except _TOO_LONG as exc:
        raise _too_long(data) from exc


def fit_module(data: bytes, module: int, dots: int) -> int:
    """The module size, shrunk if the symbol and its quiet zone would not fit `dots`."""
    modules_across = 17 + 4 * qr_version(data) + 2 * QUIET_MODULES
    largest = max(1, dots // modules_across)
    return clamp(module, 1, min(QR_MAX_MODULE, largest))


def qr_raster(data: bytes, module: int) -> bytes:
    """A QR code (level M, quiet zone included) as a GS v 0 bitmap."""
    module = clamp(module, 1, QR_MAX_MODULE)
    rows: list[list[bool]] = []
    for matrix_row in qr_matrix(data, QUIET_MODULES):
        scaled = [cell for cell in matrix_row for _ in range(module)]
        rows.extend([scaled] * module)
    return raster_image(rows)
