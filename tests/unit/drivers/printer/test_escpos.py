"""ESC/POS rendering: byte-exact tables, text width and wrapping, substitution."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
import zxingcpp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from drivers.printer import qr
from drivers.printer.commands import QR_MAX_BYTES, char_size, qr_native, status_request
from drivers.printer.document import (
    Align,
    FeedBlock,
    PrintDocument,
    QrBlock,
    RuleBlock,
    TextBlock,
)
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES, PrinterProfile
from drivers.printer.text import SUBSTITUTE, display_width, encode_text, wrap

P80 = PROFILES["generic80"]
P58 = PROFILES["generic58"]
TM = PROFILES["tm-t88"]
URL = "https://etax.chinatax.gov.cn/q/A023"

INIT_CN = bytes.fromhex("1b40 1c26")
TAIL_CUT = bytes.fromhex("1b6404 1d5601")
TAIL_FEED = bytes.fromhex("1b6404")


def body(data: bytes, tail: bytes = TAIL_CUT) -> bytes:
    assert data.startswith(INIT_CN)
    assert data.endswith(tail)
    return data[len(INIT_CN) : -len(tail)]


# -- framing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "cut", "expected"),
    [
        (P80, True, INIT_CN + TAIL_CUT),
        (P80, False, INIT_CN + TAIL_FEED),
        (P58, True, INIT_CN + TAIL_FEED),  # no cutter: feed only
        (TM, True, INIT_CN + TAIL_CUT),
    ],
)
def test_empty_document_framing(profile: PrinterProfile, cut: bool, expected: bytes) -> None:
    assert render(PrintDocument(cut=cut), profile).data == expected


def test_profile_without_chinese_mode_sends_no_fs_ampersand() -> None:
    latin = dataclasses.replace(P80, chinese_mode=False)
    assert render(PrintDocument(), latin).data == b"\x1b@" + TAIL_CUT


@pytest.mark.parametrize(
    ("width", "height", "n"),
    [
        (1, 1, 0x00),
        (2, 1, 0x10),
        (1, 2, 0x01),
        (2, 2, 0x11),
        (3, 4, 0x23),
        (8, 8, 0x77),
        (0, 9, 0x07),
    ],
)
def test_gs_exclamation_values(width: int, height: int, n: int) -> None:
    assert char_size(width, height) == bytes([0x1D, 0x21, n])


def test_text_block_bytes() -> None:
    doc = PrintDocument((TextBlock("取号", align=Align.CENTER, width=2, height=2, bold=True),))
    assert body(render(doc, P80).data) == (
        bytes.fromhex("1b6101 1d2111 1b4501")
        + "取号".encode("gb18030")
        + b"\n"
        + bytes.fromhex("1b4500 1d2100")
    )


def test_plain_text_block_has_no_bold_commands() -> None:
    doc = PrintDocument((TextBlock("A1", align=Align.RIGHT),))
    assert body(render(doc, P80).data) == bytes.fromhex("1b6102 1d2100") + b"A1\n" + bytes.fromhex(
        "1d2100"
    )


def test_text_wraps_to_columns_divided_by_width() -> None:
    doc = PrintDocument((TextBlock("中" * 30, width=2),))  # 60 columns; 24 per line at width 2
    printed = body(render(doc, P80).data)[len(b"\x1ba\x00\x1d!\x10") : -len(b"\x1d!\x00")]
    assert printed.split(b"\n") == [
        ("中" * 12).encode("gb18030"),
        ("中" * 12).encode("gb18030"),
        ("中" * 6).encode("gb18030"),
        b"",
    ]


def test_rule_fills_the_line() -> None:
    assert body(render(PrintDocument((RuleBlock(),)), P80).data) == b"\x1ba\x00" + b"-" * 48 + b"\n"
    assert body(render(PrintDocument((RuleBlock("="),)), P58).data, TAIL_FEED) == (
        b"\x1ba\x00" + b"=" * 32 + b"\n"
    )
    wide = body(render(PrintDocument((RuleBlock("─"),)), TM).data)
    assert wide == b"\x1ba\x00" + "─".encode("gb18030") * 21 + b"\n"  # 42 columns, 2 each


def test_feed_block() -> None:
    assert body(render(PrintDocument((FeedBlock(3),)), P80).data) == b"\x1bd\x03"
    assert body(render(PrintDocument((FeedBlock(0),)), P80).data) == b""


def test_native_qr_bytes_for_a_known_url() -> None:
    doc = PrintDocument((QrBlock(URL, module=6),))
    expected = (
        bytes.fromhex("1b6101")  # centre
        + bytes.fromhex("1d286b 0400 3141 3200")  # model 2
        + bytes.fromhex("1d286b 0300 3143 06")  # module size 6
        + bytes.fromhex("1d286b 0300 3145 31")  # error level M
        + bytes.fromhex("1d286b 2600 3150 30")  # store: 35 bytes + 3 = 0x26
        + URL.encode()
        + bytes.fromhex("1d286b 0300 3151 30")  # print
    )
    assert len(URL) == 35
    assert body(render(doc, P80).data) == expected


def test_qr_store_length_uses_two_bytes() -> None:
    data = b"x" * 300
    store = qr_native(data, 3).split(b"\x1d(k")[4]
    assert store[:2] == (303).to_bytes(2, "little")


def test_qr_module_shrinks_to_fit_the_paper() -> None:
    data = render(PrintDocument((QrBlock("A" * 500, module=16),)), P58).data
    size_command = data.index(bytes.fromhex("1d286b 0300 3143"))
    module = data[size_command + 7]
    assert 1 <= module < 16


def test_raster_qr_fallback_decodes_to_the_same_url() -> None:
    raster_profile = dataclasses.replace(P80, native_qr=False)
    data = body(render(PrintDocument((QrBlock(URL, module=4),)), raster_profile).data)
    assert data.startswith(bytes.fromhex("1b6101 1d7630 00"))
    width_bytes = data[7] | data[8] << 8
    rows = data[9] | data[10] << 8
    bits = data[11:]
    assert len(bits) == width_bytes * rows
    assert b"\x1d(k" not in data
    image = Image.frombytes("1", (width_bytes * 8, rows), bytes(b ^ 0xFF for b in bits))
    assert [code.text for code in zxingcpp.read_barcodes(image.convert("L"))] == [URL]


def test_too_long_qr_data_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="QR data"):
        render(PrintDocument((QrBlock("x" * 3000),)), P80)


def test_status_request() -> None:
    assert [status_request(n) for n in (1, 2, 3, 4)] == [
        bytes.fromhex("100401"),
        bytes.fromhex("100402"),
        bytes.fromhex("100403"),
        bytes.fromhex("100404"),
    ]
    with pytest.raises(ValueError, match=r"1\.\.4"):
        status_request(5)


# -- text encoding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoded", "substituted"),
    [
        ("A中", b"A\xd6\xd0", []),
        ("：，。", "：，。".encode("gb18030"), []),
        ("张\U00020000", "张".encode("gb18030") + SUBSTITUTE.encode("gb18030"), ["\U00020000"]),
        ("ok😀", b"ok" + SUBSTITUTE.encode("gb18030"), ["😀"]),
        ("a\tb\x07\x1b", b"a b  ", []),  # control characters never reach the printer
        ("e\u0301", "é".encode("gb18030"), []),  # composed first, then a GB2312 pinyin letter
        ("\ue000", SUBSTITUTE.encode("gb18030"), ["\ue000"]),  # private use: no glyph
        ("a\u200bb", b"ab", []),  # zero-width space dropped
        ("\ud800", SUBSTITUTE.encode("gb18030"), ["\ud800"]),  # lone surrogate
    ],
)
def test_encode_text(text: str, encoded: bytes, substituted: list[str]) -> None:
    assert encode_text(text) == (encoded, substituted)


def test_substitute_is_two_bytes() -> None:
    assert len(SUBSTITUTE.encode("gb18030")) == 2


def test_render_reports_substitutions_once() -> None:
    doc = PrintDocument((TextBlock("张\U00020000 \U00020000 😀"),))
    result = render(doc, P80)
    assert result.substituted == ("\U00020000", "😀")
    assert "\U00020000".encode("gb18030") not in result.data
    assert "😀".encode("gb18030") not in result.data


@pytest.mark.parametrize(
    ("text", "width"),
    [("abc", 3), ("中文", 4), ("A中", 3), ("\U00020000", 2), ("", 0), ("：", 2), ("e\u0301", 2)],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


# -- wrapping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "columns", "lines"),
    [
        ("hello world foo", 11, ["hello world", "foo"]),
        ("hello world foo", 5, ["hello", "world", "foo"]),
        ("中文中文中文中文", 10, ["中文中文中", "文中文"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("ab 中文", 4, ["ab", "中文"]),
        ("一二三四，五", 8, ["一二三", "四，五"]),  # no line starts with a comma
        ("line1\nline2\r\nline3", 20, ["line1", "line2", "line3"]),
        ("", 10, [""]),
        ("a\n\nb", 10, ["a", "", "b"]),
        ("  indented", 20, ["  indented"]),
        ("中", 1, ["中"]),  # too wide for any line: alone on its own
        ("trailing   ", 20, ["trailing"]),
    ],
)
def test_wrap(text: str, columns: int, lines: list[str]) -> None:
    assert wrap(text, columns) == lines


GLUE = "\u2060"


@pytest.mark.parametrize(
    ("text", "columns", "lines"),
    [
        # A hall's name with its words glued: never "...服务" / "厅" on 58 mm paper.
        (GLUE.join("税务分局") + GLUE.join("办税服务厅"), 12, ["税务分局", "办税服务厅"]),
        ("Hall " + GLUE.join("No. 1"), 8, ["Hall", "No. 1"]),
        ("Hall No.\u00a01", 8, ["Hall", "No. 1"]),  # a no-break space
        (GLUE.join("一二三四五六"), 6, ["一二三", "四五六"]),  # longer than a line: breaks
        (GLUE, 4, [""]),
    ],
)
def test_glued_characters_stay_on_one_line(text: str, columns: int, lines: list[str]) -> None:
    assert wrap(text, columns) == lines


def test_a_hanging_indent_starts_every_line_but_the_first() -> None:
    assert wrap("□ 一二三四五六七八", 10, indent=3) == ["□ 一二三", "   四五六", "   七八"]
    assert wrap("[ ] one two three", 9, indent=4) == ["[ ] one", "    two", "    three"]


@given(
    text=st.text(st.characters(codec="utf-8") | st.sampled_from(["中", " ", GLUE, "a"])),
    columns=st.integers(min_value=2, max_value=64),
    indent=st.integers(min_value=0, max_value=8),
)
@example(text=" 00000", columns=5, indent=1)  # a line-wide word after a space
@example(text="a 00000", columns=5, indent=1)  # one that fits a line, not an indented one
def test_glued_and_indented_lines_fit_and_keep_every_character(
    text: str, columns: int, indent: int
) -> None:
    lines = wrap(text, columns, indent)
    assert all(display_width(line) <= columns for line in lines)
    assert all(not line.endswith(" ") for line in lines)
    assert "".join(lines).replace(" ", "") == _visible(text)


def test_wrap_rejects_zero_columns() -> None:
    with pytest.raises(ValueError, match="columns"):
        wrap("x", 0)


def _visible(text: str) -> str:
    """The characters wrap must keep: normalized, without spaces and line breaks."""
    composed = unicodedata.normalize("NFC", text)
    return "".join(
        ch
        for ch in composed
        if unicodedata.category(ch) not in ("Mn", "Me", "Cf", "Cc", "Zl", "Zp")
        and ch not in " \u00a0"  # a no-break space prints as a space
    )


@given(text=st.text(), columns=st.integers(min_value=2, max_value=64))
def test_wrap_fits_and_keeps_every_character(text: str, columns: int) -> None:
    lines = wrap(text, columns)
    assert all(display_width(line) <= columns for line in lines)
    assert all(not line.endswith(" ") for line in lines)
    assert "".join(lines).replace(" ", "") == _visible(text)


# -- properties of render ---------------------------------------------------------

printable_text = st.text(st.characters(codec="utf-8") | st.sampled_from("中文：，。𠀀😀\n\r\t"))


@settings(max_examples=300)
@given(
    text=printable_text,
    width=st.integers(min_value=1, max_value=8),
    height=st.integers(min_value=1, max_value=8),
    bold=st.booleans(),
    profile=st.sampled_from([P80, P58, TM]),
)
def test_render_text_prints_exactly_the_intended_characters(
    text: str, width: int, height: int, bold: bool, profile: PrinterProfile
) -> None:
    doc = PrintDocument((TextBlock(text, width=width, height=height, bold=bold),))
    result = render(doc, profile)

    head = bytes.fromhex("1b6100") + char_size(width, height) + (b"\x1bE\x01" if bold else b"")
    tail = (b"\x1bE\x00" if bold else b"") + char_size(1, 1)
    section = body(result.data, TAIL_CUT if profile.cutter else TAIL_FEED)
    assert section.startswith(head)
    assert section.endswith(tail)
    printed = section[len(head) : len(section) - len(tail)]
    assert printed.endswith(b"\n")
    lines = [line.decode("gb18030") for line in printed[:-1].split(b"\n")]  # strict decode

    columns = profile.dots // 12 // width
    assert all(display_width(line) <= columns for line in lines)
    assert all(ch >= " " and ch != "\x7f" for line in lines for ch in line), "control byte sent"
    assert all(len(ch.encode("gb18030")) <= 2 for line in lines for ch in line)
    # Nothing prints but the text itself, spaces and the substitute box ...
    assert set("".join(lines)) <= set(unicodedata.normalize("NFC", text)) | {" ", SUBSTITUTE}
    # ... and every visible character is there, in order, boxed if unprintable.
    boxed = "".join(SUBSTITUTE if ch in result.substituted else ch for ch in _visible(text))
    assert "".join(lines).replace(" ", "") == boxed
    assert set(result.substituted) <= set(_visible(text))
    assert all(_unprintable(ch) for ch in result.substituted)


def _unprintable(ch: str) -> bool:
    if unicodedata.category(ch) == "Co":
        return True
    try:
        return len(ch.encode("gb18030")) > 2
    except UnicodeEncodeError:
        return True


@given(st.binary(max_size=QR_MAX_BYTES) | st.from_regex(rb"\A[0-9A-Z $%*+./:-]{0,200}\Z"))
@example(b"      $********")  # alphanumeric: version 1, where a byte-mode table said 2
@example(b"1" * 35)  # numeric
@settings(max_examples=60, deadline=None)
def test_qr_version_matches_the_symbol_qrcode_builds(data: bytes) -> None:
    """The predicted version is the size of the symbol built in the mode the printer picks."""
    built = len(qr.qr_matrix(data, 0))
    assert built == 17 + 4 * qr.qr_version(data)


@pytest.mark.parametrize(
    ("data", "version"),
    [
        # ISO/IEC 18004 table 7, level M, version 1: 34 digits, 20 alphanumerics, 14 bytes.
        (b"1" * 34, 1),
        (b"1" * 35, 2),
        (b"A" * 20, 1),
        (b"A" * 21, 2),
        (b"a" * 14, 1),
        (b"a" * 15, 2),
        (b"      $********", 1),
        (b"x" * 2331, 40),
    ],
)
def test_qr_version_follows_the_mode_the_printer_picks(data: bytes, version: int) -> None:
    assert qr.qr_version(data) == version


def test_qr_version_of_data_too_long_for_one_symbol_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="too long"):
        qr.qr_version(b"x" * 2332)
