"""Slip pictures (the hall logo): conversion to 1-bit, GS v 0 bytes, skipping bad files,
and the emulator drawing the logo where the printer would."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from drivers.printer import images
from drivers.printer.commands import RASTER_BAND_ROWS, raster_bitmap
from drivers.printer.document import Align, ImageBlock, PrintDocument, TextBlock
from drivers.printer.escpos import render
from drivers.printer.images import MAX_IMAGE_ROWS, Bitmap, fit_size, load_bitmap, to_bitmap
from drivers.printer.profiles import PROFILES
from drivers.sim.printer import PrinterEmulator
from drivers.sim.slip import MARGIN

P80 = PROFILES["generic80"]
P58 = PROFILES["generic58"]
INIT_CN = bytes.fromhex("1b40 1c26")
TAIL_CUT = bytes.fromhex("1b6404 1d5601")
CENTER = bytes.fromhex("1b6101")


def gs_v0(width_bytes: int, rows: int) -> bytes:
    return bytes(
        [0x1D, 0x76, 0x30, 0, width_bytes & 0xFF, width_bytes >> 8, rows & 0xFF, rows >> 8]
    )


def save(image: Image.Image, path: Path) -> str:
    image.save(path)
    return str(path)


def logo(width: int = 200, height: int = 120) -> Image.Image:
    """A coloured logo: red frame and disc (dark: black), yellow ground (light: white)."""
    image = Image.new("RGB", (width, height), (255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(255, 0, 0), width=6)
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(200, 0, 0))
    draw.line((0, height - 1, width - 1, 0), fill=(0, 0, 128), width=3)
    return image


def expected_ink(image: Image.Image) -> list[list[bool]]:
    gray = image.convert("L")
    return [[gray.getpixel((x, y)) < 128 for x in range(gray.width)] for y in range(gray.height)]


def bitmap_ink(bitmap: Bitmap, width: int) -> list[list[bool]]:
    return [[bitmap.is_black(x, y) for x in range(width)] for y in range(bitmap.height)]


def parse_bands(data: bytes) -> tuple[int, list[bytes]]:
    """(bytes per row, rows) from consecutive GS v 0 images; fails on anything else."""
    rows: list[bytes] = []
    width_bytes = -1
    pos = 0
    while pos < len(data):
        assert data[pos : pos + 4] == b"\x1dv0\x00"
        band_width = data[pos + 4] | data[pos + 5] << 8
        band_rows = data[pos + 6] | data[pos + 7] << 8
        assert 1 <= band_rows <= RASTER_BAND_ROWS
        assert width_bytes in (-1, band_width)
        width_bytes = band_width
        pos += 8
        for _ in range(band_rows):
            rows.append(data[pos : pos + band_width])
            pos += band_width
    return width_bytes, rows


# -- conversion -----------------------------------------------------------------


def test_small_image_bytes_exactly() -> None:
    image = Image.new("L", (10, 2), 255)
    for x in (0, 2, 4, 6, 8):
        image.putpixel((x, 0), 0)
    image.putpixel((9, 1), 127)  # just darker than mid-grey: black
    image.putpixel((8, 1), 128)  # mid-grey: white
    bitmap = to_bitmap(image, 576)
    assert (bitmap.width, bitmap.height) == (16, 2)  # padded to whole bytes, with white
    assert bitmap.bits == bytes([0b10101010, 0b10000000, 0b00000000, 0b01000000])
    assert raster_bitmap(bitmap) == gs_v0(2, 2) + bitmap.bits


def test_render_image_block_bytes_exactly(tmp_path: Path) -> None:
    image = Image.new("1", (8, 3), 1)
    image.putpixel((0, 0), 0)
    image.putpixel((7, 2), 0)
    path = save(image, tmp_path / "dot.png")
    data = render(PrintDocument((ImageBlock(path),)), P80).data
    assert data == INIT_CN + CENTER + gs_v0(1, 3) + b"\x80\x00\x01" + TAIL_CUT


@pytest.mark.parametrize(("align", "code"), [(Align.LEFT, 0), (Align.RIGHT, 2)])
def test_image_alignment(tmp_path: Path, align: Align, code: int) -> None:
    path = save(Image.new("1", (8, 1), 0), tmp_path / "bar.png")
    data = render(PrintDocument((ImageBlock(path, align=align),)), P80).data
    assert data == INIT_CN + bytes([0x1B, 0x61, code]) + gs_v0(1, 1) + b"\xff" + TAIL_CUT


def test_colours_and_transparency_become_black_on_white() -> None:
    image = Image.new("RGBA", (8, 1), (0, 0, 0, 0))  # transparent black: paper
    image.putpixel((0, 0), (0, 0, 0, 255))  # opaque black
    image.putpixel((1, 0), (255, 0, 0, 255))  # red: dark
    image.putpixel((2, 0), (255, 255, 0, 255))  # yellow: light
    image.putpixel((3, 0), (0, 0, 0, 100))  # faint black over white: light
    assert to_bitmap(image, 576).bits == bytes([0b11000000])


def test_palette_transparency_is_paper(tmp_path: Path) -> None:
    image = Image.new("P", (4, 1), 0)
    image.putpalette([0, 0, 0, 255, 255, 255, 255, 0, 0])
    image.putdata([0, 2, 1, 0])  # transparent black, red, white, transparent black
    image.info["transparency"] = 0
    path = save(image, tmp_path / "palette.png")  # written with a tRNS chunk
    assert load_bitmap(path, 576).bits == bytes([0b01000000])


def test_dithering_renders_grey_as_a_dot_pattern() -> None:
    grey = Image.new("L", (64, 64), 128)
    plain = to_bitmap(grey, 576)
    dithered = to_bitmap(grey, 576, dither=True)
    assert not any(plain.bits)
    black = sum(bin(byte).count("1") for byte in dithered.bits)
    assert 0.4 < black / (64 * 64) < 0.6


def test_sideways_phone_picture_is_turned_upright() -> None:
    image = Image.new("L", (16, 8), 255)
    image.putpixel((0, 0), 0)
    image.getexif()[0x0112] = 6  # EXIF orientation: turn 90 degrees clockwise to view
    bitmap = to_bitmap(image, 576)
    assert (bitmap.width, bitmap.height) == (8, 16)


@pytest.mark.parametrize(
    ("size", "max_width", "fitted"),
    [
        ((200, 100), 576, (200, 100)),  # small: never scaled up
        ((1152, 100), 576, (576, 50)),  # paper width, aspect kept
        ((1000, 500), 384, (384, 192)),
        ((300, 3000), 576, (120, MAX_IMAGE_ROWS)),  # too tall: shrunk to the row limit
        ((5000, 1), 576, (576, 1)),  # never thinner than one row
    ],
)
def test_fit_size(size: tuple[int, int], max_width: int, fitted: tuple[int, int]) -> None:
    assert fit_size(*size, max_width) == fitted


@given(
    width=st.integers(1, 5000),
    height=st.integers(1, 5000),
    max_width=st.integers(1, 600),
)
def test_fit_size_scales_down_only_within_limits(width: int, height: int, max_width: int) -> None:
    fitted_width, fitted_height = fit_size(width, height, max_width)
    assert 1 <= fitted_width <= min(width, max_width)
    assert 1 <= fitted_height <= min(height, MAX_IMAGE_ROWS)
    if fitted_width > 2 and fitted_height > 2:  # aspect kept, to rounding
        assert abs(fitted_width / fitted_height - width / height) <= (width / height) * 0.5


def test_scaled_to_the_paper_and_to_max_width(tmp_path: Path) -> None:
    path = save(logo(1152, 400), tmp_path / "wide.png")
    wide = render(PrintDocument((ImageBlock(path),)), P80).data
    assert gs_v0(72, 200) in wide  # 576 dots = 72 bytes, 400 rows halved
    narrow = render(PrintDocument((ImageBlock(path, max_width_dots=200),)), P80).data
    assert gs_v0(25, 69) in narrow  # 200 dots = 25 bytes, 400 * 200 / 1152 rows
    on_58 = render(PrintDocument((ImageBlock(path, max_width_dots=1000),)), P58).data
    assert gs_v0(48, 133) in on_58  # the paper is narrower than max_width_dots


def test_tall_picture_goes_out_in_bands(tmp_path: Path) -> None:
    image = logo(40, 600)
    bitmap = to_bitmap(image, 576)
    data = raster_bitmap(bitmap)
    width_bytes, rows = parse_bands(data)
    assert width_bytes == 5
    assert data.count(b"\x1dv0\x00") == 3  # 255 + 255 + 90 rows
    assert b"".join(rows) == bitmap.bits


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 40).flatmap(
        lambda width: st.lists(
            st.lists(st.booleans(), min_size=width, max_size=width), min_size=1, max_size=300
        )
    )
)
def test_unscaled_pixels_survive_conversion_and_banding(rows: list[list[bool]]) -> None:
    width = len(rows[0])
    image = Image.new("L", (width, len(rows)), 255)
    image.putdata([0 if black else 255 for row in rows for black in row])
    bitmap = to_bitmap(image, 576)
    assert bitmap.width == -(-width // 8) * 8
    assert bitmap_ink(bitmap, width) == rows
    assert not any(
        bitmap.is_black(x, y) for y in range(len(rows)) for x in range(width, bitmap.width)
    )
    width_bytes, band_rows = parse_bands(raster_bitmap(bitmap))
    assert width_bytes == bitmap.width_bytes
    assert b"".join(band_rows) == bitmap.bits


def test_image_block_rejects_a_zero_max_width() -> None:
    with pytest.raises(ValueError, match="max_width_dots"):
        ImageBlock("logo.png", max_width_dots=0)


# -- files that cannot be used ----------------------------------------------------


def warnings_about(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and name in record.getMessage()
    ]


def test_missing_logo_is_skipped_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = str(tmp_path / "hall-logo.png")
    text = TextBlock("请到 3 号窗口办理")
    with caplog.at_level(logging.DEBUG, logger="drivers.printer.escpos"):
        first = render(PrintDocument((ImageBlock(missing), text)), P80)
        second = render(PrintDocument((ImageBlock(missing), text)), P80)
    assert first.data == second.data == render(PrintDocument((text,)), P80).data
    assert first.skipped_images == second.skipped_images == (missing,)
    (warning,) = warnings_about(caplog, missing)
    assert "No such file" in warning

    caplog.clear()
    save(logo(), Path(missing))
    with caplog.at_level(logging.INFO, logger="drivers.printer.escpos"):
        restored = render(PrintDocument((ImageBlock(missing), text)), P80)
    assert restored.skipped_images == ()
    assert b"\x1dv0" in restored.data
    assert any("can be printed again" in record.getMessage() for record in caplog.records)

    caplog.clear()
    os.remove(missing)
    with caplog.at_level(logging.WARNING, logger="drivers.printer.escpos"):
        render(PrintDocument((ImageBlock(missing),)), P80)
    assert len(warnings_about(caplog, missing)) == 1  # a new outage warns again


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n broken"), id="damaged"),
        pytest.param(lambda path: path.write_text("not a picture"), id="text"),
        pytest.param(lambda path: path.mkdir(), id="directory"),
        pytest.param(
            lambda path: path.write_bytes(_png_bytes(logo())[:300]),  # a cut-off download
            id="truncated",
        ),
    ],
)
def test_unreadable_logo_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, make: Callable[[Path], object]
) -> None:
    path = tmp_path / "logo.png"
    make(path)
    with caplog.at_level(logging.WARNING, logger="drivers.printer.escpos"):
        result = render(PrintDocument((ImageBlock(str(path)), TextBlock("A023"))), P80)
    assert result.skipped_images == (str(path),)
    assert b"A023" in result.data
    assert len(warnings_about(caplog, str(path))) == 1


def test_huge_picture_is_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_SOURCE_PIXELS", 1000)
    path = save(logo(100, 100), tmp_path / "poster.png")
    with pytest.raises(images.ImageError, match="too large"):
        load_bitmap(path, 576)


def test_replaced_logo_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    save(Image.new("1", (8, 1), 0), path)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert load_bitmap(str(path), 576).bits == b"\xff"
    assert load_bitmap(str(path), 576) is load_bitmap(str(path), 576)  # decoded once
    save(Image.new("1", (8, 1), 1), path)
    os.utime(path, ns=(2_000_000_000, 2_000_000_000))
    assert load_bitmap(str(path), 576).bits == b"\x00"


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# -- the emulator draws it ----------------------------------------------------------


def test_emulator_draws_the_logo_centred_at_the_top(tmp_path: Path) -> None:
    picture = logo(200, 120)
    path = save(picture, tmp_path / "logo.png")
    doc = PrintDocument((ImageBlock(path), TextBlock("国家税务总局办税服务厅", Align.CENTER)))
    emulator = PrinterEmulator(out_dir=tmp_path / "out")
    emulator.feed(render(doc, P80).data)
    (ticket,) = emulator.tickets
    assert ticket.text.splitlines()[0] == "国家税务总局办税服务厅"
    assert ticket.png_path is not None
    left = (P80.dots - 200) // 2
    with Image.open(ticket.png_path) as page:
        drawn = page.convert("L").crop((left, MARGIN, left + 200, MARGIN + 120))
        assert expected_ink(drawn) == expected_ink(picture)
        # Nothing else was drawn beside the logo on those rows.
        beside = page.convert("L").crop((0, MARGIN, left, MARGIN + 120))
        assert beside.getextrema() == (255, 255)


def test_emulator_joins_the_bands_of_a_tall_logo(tmp_path: Path) -> None:
    picture = logo(64, 600)
    path = save(picture, tmp_path / "tall.png")
    emulator = PrinterEmulator(out_dir=tmp_path / "out")
    emulator.feed(render(PrintDocument((ImageBlock(path, align=Align.LEFT),)), P80).data)
    png = emulator.tickets[0].png_path
    assert png is not None
    with Image.open(png) as page:
        drawn = page.convert("L").crop((0, MARGIN, 64, MARGIN + 600))
        assert expected_ink(drawn) == expected_ink(picture)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(1, 700),
    height=st.integers(1, 300),
    align=st.sampled_from(list(Align)),
    seed=st.integers(0, 2**16),
)
def test_emulator_reads_back_any_picture_the_renderer_sends(
    tmp_path: Path, width: int, height: int, align: Align, seed: int
) -> None:
    picture = Image.effect_noise((width, height), 80).point(lambda v: (v + seed) % 256)
    path = save(picture, tmp_path / f"noise-{seed}.png")
    data = render(PrintDocument((ImageBlock(path, align=align),)), P80).data
    emulator = PrinterEmulator()
    emulator.feed(data)
    (ticket,) = emulator.tickets
    assert ticket.raw == data
    assert ticket.text.strip() == ""  # the bitmap was consumed as a picture, not as text
