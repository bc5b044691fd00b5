"""A device-neutral description of one printed slip (ticket or guide slip).

The kiosk builds a `PrintDocument` from its ticket layout; a printer profile
turns it into bytes (`drivers.printer.escpos.render`). Keeping the document
free of ESC/POS lets the same ticket reflow for 58 mm and 80 mm paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Align(Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextBlock:
    """One paragraph; wrapped to the paper width by the renderer.

    `width` and `height` are magnifications 1..8 (GS ! n). `indent` is a hanging
    indent: the columns (magnified) before every line but the first, as under a
    checklist's box. Characters joined by WORD JOINER (U+2060) stay on one line.
    """

    text: str
    align: Align = Align.LEFT
    width: int = 1
    height: int = 1
    bold: bool = False
    indent: int = 0


@dataclass(frozen=True)
class QrBlock:
    """A QR code; `module` is the dot size of one module (1..16)."""

    data: str
    module: int = 6
    align: Align = Align.CENTER


@dataclass(frozen=True)
class ImageBlock:
    """A picture from a file (the hall logo), printed as a 1-bit raster image.

    It is scaled down (never up) to the paper width, or to `max_width_dots`
    when that is narrower, keeping its aspect. `dither` spreads grey tones
    as dots (Floyd-Steinberg, for photos); without it every pixel darker
    than mid-grey is black, which keeps a logo's edges and lettering crisp.
    A file that is missing or cannot be read is skipped with a warning: the
    slip prints without it.
    """

    path: str
    align: Align = Align.CENTER
    max_width_dots: int | None = None
    dither: bool = False

    def __post_init__(self) -> None:
        if self.max_width_dots is not None and self.max_width_dots < 1:
            raise ValueError(f"max_width_dots must be at least 1, got {self.max_width_dots}")


@dataclass(frozen=True)
class RuleBlock:
    """A horizontal separator across the paper."""

    char: str = "-"


@dataclass(frozen=True)
class FeedBlock:
    lines: int = 1


Block = TextBlock | QrBlock | ImageBlock | RuleBlock | FeedBlock


@dataclass(frozen=True)
class PrintDocument:
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    cut: bool = True
