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

    `width` and `height` are magnifications 1..8 (GS ! n).
    """

    text: str
    align: Align = Align.LEFT
    width: int = 1
    height: int = 1
    bold: bool = False


@dataclass(frozen=True)
class QrBlock:
    """A QR code; `module` is the dot size of one module (1..16)."""

    data: str
    module: int = 6
    align: Align = Align.CENTER


@dataclass(frozen=True)
class RuleBlock:
    """A horizontal separator across the paper."""

    char: str = "-"


@dataclass(frozen=True)
class FeedBlock:
    lines: int = 1


Block = TextBlock | QrBlock | RuleBlock | FeedBlock


@dataclass(frozen=True)
class PrintDocument:
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    cut: bool = True
