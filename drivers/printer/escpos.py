"""ESC/POS encoding: a `PrintDocument` to the exact bytes a printer gets.

Pure functions; the only I/O is reading the picture files that `ImageBlock`s
name (`drivers.printer.images`). Text is GB18030 in the printer's Chinese
(double-byte) mode, limited to the one- and two-byte part of GB18030:
four-byte characters (rare CJK Ext-B name characters, emoji) do not print
on these printers and are replaced by `SUBSTITUTE` (DEVICES.md §1).

Widths are counted in columns of font A: one column (12 dots) for ASCII,
two (24 dots) for every double-byte character.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass

import qrcode
import qrcode.constants
from qrcode.exceptions import DataOverflowError

from drivers.printer.document import (
    Align,
    Block,
    ImageBlock,
    PrintDocument,
    QrBlock,
    RuleBlock,
    TextBlock,
)
from drivers.printer.images import Bitmap, ImageError, load_bitmap
from drivers.printer.profiles import PrinterProfile

logger = logging.getLogger(__name__)

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
DLE = b"\x10"
LF = b"\n"

INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
PARTIAL_CUT = GS + b"V\x01"
FEED_BEFORE_CUT = 4

# A missing-character box: two bytes in GB18030 (A1 F5), in every printer's font.
SUBSTITUTE = "□"
SUBSTITUTE_BYTES = SUBSTITUTE.encode("gb18030")

_ALIGN_CODES = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}
_QR_ERROR_M = 0x31
# Model 2, level M, byte mode: the largest symbol (version 40) holds 2331 bytes.
QR_MAX_BYTES = 2331
_QR_QUIET_MODULES = 4
# Zero-width characters: dropped rather than shown as a box.
_ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_AS_SPACE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
# A line should not start with these; the previous character moves down with them.
_CLOSING_PUNCTUATION = frozenset("，。、；：？！）》」』】〕〉”’…")
_TOKEN_RE = re.compile(r" +|[\x21-\x7e]+|.", re.DOTALL)
# A picture goes out as GS v 0 bands of at most this many rows: cheap printers
# garble one large raster image that overflows their receive buffer.
RASTER_BAND_ROWS = 255


@dataclass(frozen=True)
class RenderResult:
    data: bytes
    # Distinct characters replaced by SUBSTITUTE, in order of first appearance.
    substituted: tuple[str, ...]
    # Picture files that could not be read and were left out, in order.
    skipped_images: tuple[str, ...] = ()


# -- text -----------------------------------------------------------------------


def _normalize(text: str) -> str:
    """NFC, control and line-separator characters as spaces, zero-width marks dropped."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category in _AS_SPACE_CATEGORIES:
            out.append(" ")
        elif category not in _ZERO_WIDTH_CATEGORIES:
            out.append(ch)
    return "".join(out)


def _encode_char(ch: str) -> bytes | None:
    """The printable encoding of one normalized character, or None if it must be substituted."""
    if " " <= ch <= "~":
        return ch.encode("ascii")
    if unicodedata.category(ch) == "Co":  # private use: no glyph on any printer
        return None
    try:
        encoded = ch.encode("gb18030")
    except UnicodeEncodeError:  # lone surrogates
        return None
    return encoded if len(encoded) == 2 else None


def _char_width(ch: str) -> int:
    return 1 if " " <= ch <= "~" else 2


def encode_text(text: str) -> tuple[bytes, list[str]]:
    """One line as printer bytes, and the characters that had to be substituted.

    Control characters become spaces; characters with no one- or two-byte
    GB18030 encoding become `SUBSTITUTE` and are listed (once per occurrence).
    """
    parts: list[bytes] = []
    substituted: list[str] = []
    for ch in _normalize(text):
        encoded = _encode_char(ch)
        if encoded is None:
            substituted.append(ch)
            encoded = SUBSTITUTE_BYTES
        parts.append(encoded)
    return b"".join(parts), substituted


def display_width(text: str) -> int:
    """Columns `text` takes when printed: 1 per ASCII character, 2 per other character."""
    return sum(_char_width(ch) for ch in _normalize(text))


def wrap(text: str, columns: int) -> list[str]:
    """Break `text` into lines of at most `columns` columns.

    Newlines are hard breaks. Chinese may break between any two characters
    (not before closing punctuation when avoidable); Latin words break at
    spaces, and a word longer than a line is cut. Returned lines are
    normalized (see `encode_text`) and carry no trailing spaces. A character
    two columns wide gets a line of its own when `columns` is 1.
    """
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}")
    lines: list[str] = []
    for paragraph in re.split(r"\r\n|\r|\n", text):
        lines.extend(_wrap_paragraph(_normalize(paragraph), columns))
    return lines


def _wrap_paragraph(paragraph: str, columns: int) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    width = 0

    def end_line() -> None:
        nonlocal current, width
        lines.append("".join(current).rstrip(" "))
        current, width = [], 0

    for token in _TOKEN_RE.findall(paragraph):
        token_width = display_width(token)
        if width + token_width <= columns:
            current.append(token)
            width += token_width
        elif token.startswith(" "):
            if current:
                end_line()  # the spaces at a break are dropped
        elif token_width > columns and token.isascii():
            for char in token:  # a word longer than a whole line: cut it
                if width + 1 > columns:
                    end_line()
                current.append(char)
                width += 1
        else:
            carried = _carry_for_punctuation(current, token, columns)
            if current:
                end_line()
            current = [*carried, token]
            width = display_width("".join(current))
    if current or not lines:
        end_line()
    return _drop_leading_spaces(lines)


def _carry_for_punctuation(current: list[str], token: str, columns: int) -> list[str]:
    """Move the last character down with a closing punctuation mark, if that helps."""
    if token not in _CLOSING_PUNCTUATION or columns < 4 or len(current) < 2:
        return []
    last = current[-1]
    if len(last) != 1 or last.isascii() or last in _CLOSING_PUNCTUATION:
        return []
    if not "".join(current[:-1]).strip(" "):
        return []
    current.pop()
    return [last]


def _drop_leading_spaces(lines: list[str]) -> list[str]:
    """Continuation lines never start with the space the break happened at."""
    return [lines[0], *(line.lstrip(" ") for line in lines[1:])] if lines else [""]


# -- commands -------------------------------------------------------------------


def status_request(n: int) -> bytes:
    """DLE EOT n: real-time status query, answered with one byte."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1..4, got {n}")
    return DLE + b"\x04" + bytes([n])


def align(alignment: Align) -> bytes:
    return ESC + b"a" + bytes([_ALIGN_CODES[alignment]])


def char_size(width: int, height: int) -> bytes:
    """GS ! n: magnification 1..8 in each direction."""
    width = _clamp(width, 1, 8)
    height = _clamp(height, 1, 8)
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def bold(on: bool) -> bytes:
    return ESC + b"E" + (b"\x01" if on else b"\x00")


def feed_lines(lines: int) -> bytes:
    """ESC d n: print the buffer and feed n lines (nothing for n <= 0)."""
    lines = _clamp(lines, 0, 255)
    return ESC + b"d" + bytes([lines]) if lines else b""


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def qr_native(data: bytes, module: int) -> bytes:
    """GS ( k, model 2, error level M: select model, size, level, store, print."""
    if len(data) > QR_MAX_BYTES:
        raise ValueError(f"QR data is {len(data)} bytes; at most {QR_MAX_BYTES} fit")
    stored = len(data) + 3
    return b"".join(
        (
            GS + b"(k\x04\x00\x31\x41\x32\x00",
            GS + b"(k\x03\x00\x31\x43" + bytes([_clamp(module, 1, 16)]),
            GS + b"(k\x03\x00\x31\x45" + bytes([_QR_ERROR_M]),
            GS + b"(k" + bytes([stored & 0xFF, stored >> 8]) + b"\x31\x50\x30" + data,
            GS + b"(k\x03\x00\x31\x51\x30",
        )
    )


def _qr_matrix(data: bytes, border: int) -> list[list[bool]]:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=border
    )
    code.add_data(data, optimize=0)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as exc:  # qrcode 8 says "Invalid version (41)"
        raise ValueError(f"QR data is {len(data)} bytes: too long for one symbol") from exc
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
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data, optimize=0)
    try:
        return int(code.best_fit())
    except (DataOverflowError, ValueError):  # qrcode 8 says "Invalid version (41)"
        raise ValueError(f"QR data is {len(data)} bytes: too long for one symbol") from None


def fit_module(data: bytes, module: int, dots: int) -> int:
    """The module size, shrunk if the symbol and its quiet zone would not fit `dots`."""
    modules_across = 17 + 4 * qr_version(data) + 2 * _QR_QUIET_MODULES
    largest = max(1, dots // modules_across)
    return _clamp(module, 1, min(16, largest))


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
    return (
        GS + b"v0\x00" + bytes([width_bytes & 0xFF, width_bytes >> 8, height & 0xFF, height >> 8])
    )


def raster_bitmap(bitmap: Bitmap) -> bytes:
    """A bitmap as GS v 0 images of at most `RASTER_BAND_ROWS` rows each, top to bottom."""
    out = bytearray()
    row_bytes = bitmap.width_bytes
    for top in range(0, bitmap.height, RASTER_BAND_ROWS):
        rows = min(RASTER_BAND_ROWS, bitmap.height - top)
        out += _raster_header(row_bytes, rows)
        out += bitmap.bits[top * row_bytes : (top + rows) * row_bytes]
    return bytes(out)


def qr_raster(data: bytes, module: int) -> bytes:
    """A QR code (level M, quiet zone included) as a GS v 0 bitmap."""
    module = _clamp(module, 1, 16)
    rows: list[list[bool]] = []
    for matrix_row in _qr_matrix(data, _QR_QUIET_MODULES):
        scaled = [cell for cell in matrix_row for _ in range(module)]
        rows.extend([scaled] * module)
    return raster_image(rows)


# -- pictures -------------------------------------------------------------------

# Picture files whose failure was logged at WARNING: a missing logo warns once, not per slip.
_failing_images: set[str] = set()
_failing_images_lock = threading.Lock()


def _image_failed(path: str, error: ImageError) -> None:
    with _failing_images_lock:
        first = path not in _failing_images
        _failing_images.add(path)
    level = logging.WARNING if first else logging.DEBUG
    logger.log(level, "picture %s left out of the slip: %s", path, error)


def _image_loaded(path: str) -> None:
    with _failing_images_lock:
        if path not in _failing_images:
            return
        _failing_images.discard(path)
    logger.info("picture %s can be printed again", path)


# -- documents ------------------------------------------------------------------


class _Renderer:
    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.out = bytearray()
        self.substituted: dict[str, None] = {}
        self.skipped_images: list[str] = []

    def line(self, text: str) -> None:
        encoded, substituted = encode_text(text)
        self.substituted.update(dict.fromkeys(substituted))
        self.out += encoded + LF

    def text(self, block: TextBlock) -> None:
        width = _clamp(block.width, 1, 8)
        height = _clamp(block.height, 1, 8)
        self.out += align(block.align) + char_size(width, height)
        if block.bold:
            self.out += bold(True)
        for line in wrap(block.text, max(1, self.profile.columns // width)):
            self.line(line)
        if block.bold:
            self.out += bold(False)
        self.out += char_size(1, 1)

    def rule(self, block: RuleBlock) -> None:
        columns = self.profile.columns
        pattern = _normalize(block.char).strip() or "-"
        repeats = max(1, columns // display_width(pattern))
        self.out += align(Align.LEFT)
        self.line(wrap(pattern * repeats, columns)[0])

    def qr(self, block: QrBlock) -> None:
        data = block.data.encode("utf-8")
        if len(data) > QR_MAX_BYTES:
            raise ValueError(f"QR data is {len(data)} bytes; at most {QR_MAX_BYTES} fit")
        module = fit_module(data, block.module, self.profile.dots)
        self.out += align(block.align)
        self.out += qr_native(data, module) if self.profile.native_qr else qr_raster(data, module)

    def image(self, block: ImageBlock) -> None:
        max_width = self.profile.dots
        if block.max_width_dots is not None:
            max_width = min(max_width, block.max_width_dots)
        try:
            bitmap = load_bitmap(block.path, max_width, dither=block.dither)
        except ImageError as exc:
            _image_failed(block.path, exc)
            self.skipped_images.append(block.path)
            return
        _image_loaded(block.path)
        self.out += align(block.align) + raster_bitmap(bitmap)

    def block(self, block: Block) -> None:
        if isinstance(block, TextBlock):
            self.text(block)
        elif isinstance(block, RuleBlock):
            self.rule(block)
        elif isinstance(block, QrBlock):
            self.qr(block)
        elif isinstance(block, ImageBlock):
            self.image(block)
        else:
            self.out += feed_lines(block.lines)


def render(doc: PrintDocument, profile: PrinterProfile) -> RenderResult:
    """The bytes that print `doc` on a printer of `profile`, ending with feed and cut.

    Raises ValueError only for a QR payload too long for one symbol. A picture
    whose file cannot be read is left out (listed in `skipped_images`, and
    logged at WARNING the first time that file fails).
    """
    renderer = _Renderer(profile)
    renderer.out += INIT
    if profile.chinese_mode:
        renderer.out += CHINESE_ON
    for block in doc.blocks:
        renderer.block(block)
    renderer.out += feed_lines(FEED_BEFORE_CUT)
    if doc.cut and profile.cutter:
        renderer.out += PARTIAL_CUT
    return RenderResult(
        data=bytes(renderer.out),
        substituted=tuple(renderer.substituted),
        skipped_images=tuple(renderer.skipped_images),
    )
