"""ESC/POS encoding: a `PrintDocument` to the exact bytes a printer gets.

Pure functions; the only I/O is reading the picture files that `ImageBlock`s
name (`drivers.printer.images`). Text is encoded by `drivers.printer.text`,
commands by `drivers.printer.commands`, QR codes by `drivers.printer.qr`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from drivers.printer.commands import (
    QR_MAX_BYTES,
    align,
    bold,
    char_size,
    clamp,
    feed_lines,
    qr_native,
    raster_bitmap,
)
from drivers.printer.document import (
    Align,
    Block,
    ImageBlock,
    PrintDocument,
    QrBlock,
    RuleBlock,
    TextBlock,
)
from drivers.printer.images import ImageError, load_bitmap
from drivers.printer.profiles import PrinterProfile
from drivers.printer.protocol import CHINESE_ON, INIT, LF, PARTIAL_CUT
from drivers.printer.qr import fit_module, qr_raster
from drivers.printer.text import display_width, encode_text, normalize, wrap

logger = logging.getLogger(__name__)

FEED_BEFORE_CUT = 4


@dataclass(frozen=True)
class RenderResult:
    data: bytes
    # Distinct characters replaced by SUBSTITUTE, in order of first appearance.
    substituted: tuple[str, ...]
    # Picture files that could not be read and were left out, in order.
    skipped_images: tuple[str, ...] = ()


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
        width = clamp(block.width, 1, 8)
        height = clamp(block.height, 1, 8)
        self.out += align(block.align) + char_size(width, height)
        if block.bold:
            self.out += bold(True)
        for line in wrap(block.text, max(1, self.profile.columns // width), block.indent):
            self.line(line)
        if block.bold:
            self.out += bold(False)
        self.out += char_size(1, 1)

    def rule(self, block: RuleBlock) -> None:
        columns = self.profile.columns
        pattern = normalize(block.char).strip() or "-"
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
