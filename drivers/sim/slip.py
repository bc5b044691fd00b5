"""A slip on the emulated printer's paper: its lines, QR codes and pictures, and its files.

The parser (`drivers.sim.escpos_parser`) puts items on the slip as commands
arrive; `SlipDrawing` draws a finished slip the way the print head would,
with the printer's cell sizes (12 x 24 dots Latin, 24 x 24 Chinese), and
`SlipArchive` keeps it as ticket-NNN.escpos and ticket-NNN.png.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont
from qrcode.exceptions import DataOverflowError

from drivers.background import BackgroundThread
from drivers.printer.protocol import (
    ALIGN_CENTER,
    ALIGN_LEFT,
    ALIGN_RIGHT,
    QR_LEVEL_H,
    QR_LEVEL_L,
    QR_LEVEL_M,
    QR_LEVEL_Q,
)
from drivers.sim.fonts import find_cjk_font

logger = logging.getLogger(__name__)

LEFT, CENTER, RIGHT = ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT
LATIN_DOTS = 12
CJK_DOTS = 24
GLYPH_HEIGHT = 24
LINE_SPACING = 6  # dots between lines (default pitch 30 dots)
MARGIN = 8
MAX_PNG_HEIGHT = 30000

QR_LEVELS = {
    QR_LEVEL_L: qrcode.constants.ERROR_CORRECT_L,
    QR_LEVEL_M: qrcode.constants.ERROR_CORRECT_M,
    QR_LEVEL_Q: qrcode.constants.ERROR_CORRECT_Q,
    QR_LEVEL_H: qrcode.constants.ERROR_CORRECT_H,
}

_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass
class PrintedTicket:
    index: int
    raw: bytes
    png_path: Path | None
    raw_path: Path | None
    text: str  # decoded text lines joined by "\n"
    qr_data: tuple[str, ...]
    # time.perf_counter() when the bytes that ended the slip were read (benchmarks).
    received_at: float = 0.0


@dataclass(frozen=True)
class Glyph:
    char: str
    cell: int  # dots at normal size: 12 Latin, 24 double-byte
    width: int
    height: int
    bold: bool


@dataclass
class TextLine:
    glyphs: list[Glyph] = field(default_factory=list)
    align: int = LEFT

    @property
    def dots(self) -> int:
        return sum(glyph.cell * glyph.width for glyph in self.glyphs)

    @property
    def height(self) -> int:
        return max((GLYPH_HEIGHT * glyph.height for glyph in self.glyphs), default=GLYPH_HEIGHT)

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)


@dataclass(frozen=True)
class QrItem:
    data: bytes
    module: int
    level: int
    align: int


@dataclass(frozen=True)
class ImageItem:
    image: Image.Image
    align: int


Item = TextLine | QrItem | ImageItem


def raster_picture(bits: bytes, width_bytes: int, rows: int, mode: int) -> Image.Image:
    """A GS v 0 bitmap (1 = black) as a Pillow image, scaled by the command's mode."""
    # Pillow's mode "1" stores 1 as white: invert the bits.
    image = Image.frombytes("1", (width_bytes * 8, rows), bytes(b ^ 0xFF for b in bits))
    scale_x = 2 if mode & 0x01 else 1
    scale_y = 2 if mode & 0x02 else 1
    if scale_x != 1 or scale_y != 1:
        image = image.resize((image.width * scale_x, image.height * scale_y))
    return image


class SlipDrawing:
    """Draws finished slips `dots` wide; the fonts are loaded at the first slip."""

    def __init__(self, dots: int, font_path: Path | None = None) -> None:
        self.dots = dots
        self._font_path = font_path
        self._fonts: tuple[_Font, _Font] | None = None

    def draw(self, items: list[Item]) -> Image.Image:
        pictures = [self._picture(item) for item in items]
        height = min(MAX_PNG_HEIGHT, 2 * MARGIN + sum(p.height for p, _ in pictures))
        page = Image.new("L", (self.dots, height), 255)
        y = MARGIN
        for picture, align in pictures:
            if y >= height:
                break
            page.paste(picture, (_x_for(align, picture.width, self.dots), y))
            y += picture.height
        return page

    def _load_fonts(self) -> tuple[_Font, _Font]:
        if self._fonts is None:
            self._fonts = _load_fonts(self._font_path or find_cjk_font())
        return self._fonts

    def _picture(self, item: Item) -> tuple[Image.Image, int]:
        if isinstance(item, TextLine):
            return self._text_picture(item), item.align
        if isinstance(item, QrItem):
            return _qr_picture(item), item.align
        return item.image.convert("L"), item.align

    def _text_picture(self, line: TextLine) -> Image.Image:
        latin_font, cjk_font = self._load_fonts()
        height = line.height
        picture = Image.new("L", (max(1, line.dots), height + LINE_SPACING), 255)
        x = 0
        for glyph in line.glyphs:
            cell = Image.new("L", (glyph.cell, GLYPH_HEIGHT), 255)
            font = latin_font if glyph.cell == LATIN_DOTS else cjk_font
            ImageDraw.Draw(cell).text(
                (glyph.cell / 2, GLYPH_HEIGHT - 4),
                glyph.char,
                fill=0,
                font=font,
                anchor="ms",
                stroke_width=1 if glyph.bold else 0,
                stroke_fill=0,
            )
            size = (glyph.cell * glyph.width, GLYPH_HEIGHT * glyph.height)
            if size != cell.size:
                cell = cell.resize(size, Image.Resampling.NEAREST)
            picture.paste(cell, (x, height - size[1]))  # glyphs share a baseline
            x += size[0]
        return picture


class SlipArchive:
    """Slips kept in `out_dir` as ticket-NNN.escpos (the bytes) and ticket-NNN.png.

    Drawing takes tens of ms, and a real printer answers DLE EOT at once: a
    reader thread hands slips to `keep_later`, drawn on a thread of their own,
    which then calls `kept` with each slip (its paths None if saving failed).
    """

    def __init__(
        self, out_dir: Path, drawing: SlipDrawing, kept: Callable[[PrintedTicket], None]
    ) -> None:
        self.out_dir = out_dir
        self._drawing = drawing
        self._kept = kept
        self._jobs: queue.Queue[tuple[PrintedTicket, list[Item]] | None] = queue.Queue()
        self._drawer = BackgroundThread("printer-emulator-render", self._draw, join_seconds=30)

    def keep(self, ticket: PrintedTicket, items: list[Item]) -> None:
        """Write the slip's files now, on this thread."""
        ticket.raw_path, ticket.png_path = self._save(ticket.index, ticket.raw, items)

    def keep_later(self, ticket: PrintedTicket, items: list[Item]) -> None:
        self._drawer.start()
        self._jobs.put((ticket, items))

    def stop(self) -> None:
        """Draw the slips still waiting, then stop."""
        if self._drawer.running:
            self._jobs.put(None)  # after the slips queued before it
        self._drawer.stop()

    def _draw(self, stop: threading.Event) -> None:
        # Ends at the None that stop() queues, once the slips before it are drawn.
        while (job := self._jobs.get()) is not None:
            ticket, items = job
            try:
                self.keep(ticket, items)
            except Exception:  # a drawing bug must not lose the slip
                logger.exception("printer emulator could not draw slip %d", ticket.index)
            self._kept(ticket)

    def _save(self, index: int, raw: bytes, items: list[Item]) -> tuple[Path | None, Path | None]:
        raw_path = self.out_dir / f"ticket-{index:03d}.escpos"
        png_path = self.out_dir / f"ticket-{index:03d}.png"
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            raw_path.write_bytes(raw)
            self._drawing.draw(items).save(png_path)
        except OSError as exc:
            logger.error("printer emulator cannot save slip %d: %s", index, exc)
            return None, None
        return raw_path, png_path


def _load_fonts(path: Path | None) -> tuple[_Font, _Font]:
    """(Latin font sized for 12-dot cells, Chinese font for 24-dot cells)."""
    if path is None:
        logger.warning("no Chinese font found: emulated slips show boxes for Chinese text")
        return ImageFont.load_default(20), ImageFont.load_default(24)
    try:
        cjk = ImageFont.truetype(str(path), GLYPH_HEIGHT)
        try:
            latin = ImageFont.truetype(str(path), 20, index=1)  # the Mono face of a TTC
        except OSError:
            latin = ImageFont.truetype(str(path), 20)
    except OSError as exc:
        logger.warning("cannot load font %s: %s", path, exc)
        return ImageFont.load_default(20), ImageFont.load_default(24)
    return latin, cjk


def _x_for(align: int, width: int, dots: int) -> int:
    if align == CENTER:
        return max(0, (dots - width) // 2)
    if align == RIGHT:
        return max(0, dots - width)
    return 0


def _qr_picture(item: QrItem) -> Image.Image:
    code = qrcode.QRCode(error_correction=QR_LEVELS[item.level], box_size=1, border=4)
    try:
        code.add_data(item.data, optimize=0)
        code.make(fit=True)
    except (DataOverflowError, ValueError):
        logger.warning("printer emulator: QR data does not fit a symbol; nothing printed")
        return Image.new("L", (1, 1), 255)
    matrix = code.get_matrix()
    size = len(matrix)
    pixels = bytes(0 if cell else 255 for row in matrix for cell in row)
    image = Image.frombytes("L", (size, size), pixels)
    return image.resize((size * item.module, size * item.module), Image.Resampling.NEAREST)
