"""Pictures for slips (the hall logo): an image file to a 1-bit bitmap for GS v 0.

`to_bitmap` is a pure conversion of a Pillow image; `load_bitmap` reads a
file and keeps the last few results, keyed by the file's identity and
modification time, so a logo printed on every ticket is decoded once and a
replaced logo file is picked up on the next slip.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from PIL import Image, ImageOps

# Taller pictures are scaled down to this (about 15 cm at 203 dpi): a wrong file
# (a scanned page, a long screenshot) must not run a metre of paper.
MAX_IMAGE_ROWS = 1200
# Refused before decoding: a logo has nowhere near this many pixels.
MAX_SOURCE_PIXELS = 40_000_000
_WHITE = (255, 255, 255, 255)
_CACHE_SIZE = 8


class ImageError(Exception):
    """The image file cannot be used (missing, unreadable, not an image, too large)."""


@dataclass(frozen=True)
class Bitmap:
    """A 1-bit picture: rows of `width // 8` bytes, most significant bit first, 1 = black."""

    width: int  # dots, a multiple of 8 (padded with white on the right)
    height: int
    bits: bytes

    @property
    def width_bytes(self) -> int:
        return self.width // 8

    def row(self, index: int) -> bytes:
        start = index * self.width_bytes
        return self.bits[start : start + self.width_bytes]

    def is_black(self, x: int, y: int) -> bool:
        return bool(self.bits[y * self.width_bytes + x // 8] & (0x80 >> (x % 8)))


def fit_size(width: int, height: int, max_width: int) -> tuple[int, int]:
    """The printed size of a `width` x `height` picture: scaled down only, aspect kept.

    At most `max_width` dots wide and `MAX_IMAGE_ROWS` tall, at least 1 x 1.
    """
    if width < 1 or height < 1 or max_width < 1:
        raise ValueError(f"bad size {width}x{height} for a width of {max_width}")
    scale = min(1.0, max_width / width, MAX_IMAGE_ROWS / height)
    return max(1, min(max_width, round(width * scale))), max(1, round(height * scale))


def to_bitmap(image: Image.Image, max_width: int, *, dither: bool = False) -> Bitmap:
    """`image` as black dots on white: transparency over white, scaled to fit, 1-bit.

    Without `dither` a pixel prints black when its grey level is below 128;
    with it, Floyd-Steinberg error diffusion renders grey tones.
    """
    image = ImageOps.exif_transpose(image)  # phone pictures are stored sideways
    gray = _flatten(image)
    size = fit_size(gray.width, gray.height, max_width)
    if size != gray.size:
        gray = gray.resize(size, Image.Resampling.LANCZOS)
    # Inverted, black becomes 1 in mode "1" (Pillow: 1 = white), the bit GS v 0 wants.
    ink = ImageOps.invert(gray).convert(
        "1", dither=Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE
    )
    padded_width = -(-ink.width // 8) * 8
    if padded_width != ink.width:
        canvas = Image.new("1", (padded_width, ink.height), 0)
        canvas.paste(ink, (0, 0))
        ink = canvas
    return Bitmap(ink.width, ink.height, ink.tobytes())


def _flatten(image: Image.Image) -> Image.Image:
    """Grey levels ("L"), transparent parts as white paper."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("L")
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, _WHITE)
    return Image.alpha_composite(paper, rgba).convert("L")


def load_bitmap(path: str, max_width: int, *, dither: bool = False) -> Bitmap:
    """The picture in file `path` as a bitmap (see `to_bitmap`); raises ImageError."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ImageError(exc.strerror or str(exc)) from exc
    return _load_cached(path, info.st_ino, info.st_mtime_ns, info.st_size, max_width, dither)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _load_cached(
    path: str, inode: int, mtime_ns: int, size: int, max_width: int, dither: bool
) -> Bitmap:
    # inode, mtime_ns and size only key the cache: a changed file is read again.
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise ImageError(
                    f"{image.width}x{image.height} pixels is too large for a slip picture"
                )
            image.load()
            return to_bitmap(image, max_width, dither=dither)
    except ImageError:
        raise
    except Exception as exc:  # Pillow raises many kinds for a damaged file; none may stop a slip
        raise ImageError(f"{type(exc).__name__}: {exc}") from exc
