"""The ESC/POS printer emulator: parsing, status answers, slips, pictures, command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from drivers.printer.document import Align, FeedBlock, PrintDocument, QrBlock, TextBlock
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES
from drivers.printer.qr import qr_raster
from drivers.sim.printer import PrintedTicket, PrinterEmulator
from drivers.transport import Transport

URL = "https://etax.chinatax.gov.cn/q/A023"
CUT = b"\x1dV\x01"
INIT = b"\x1b@\x1c&"
DOC = PrintDocument(
    (
        TextBlock("请到 3 号窗口办理", align=Align.CENTER, width=2, height=2),
        TextBlock("Window 3, please"),
        QrBlock(URL),
        FeedBlock(1),
        TextBlock("谢谢"),
    )
)


def gb(text: str) -> bytes:
    return text.encode("gb18030")


def test_whole_document_parses_to_one_slip() -> None:
    emulator = PrinterEmulator()
    emulator.feed(render(DOC, PROFILES["generic80"]).data)
    (ticket,) = emulator.tickets
    assert ticket.index == 1
    assert ticket.text.splitlines()[:2] == ["请到 3 号窗口办理", "Window 3, please"]
    assert "谢谢" in ticket.text
    assert ticket.qr_data == (URL,)
    assert ticket.png_path is None
    assert ticket.raw_path is None


@settings(max_examples=50)
@given(cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_bytes_split_anywhere_parse_the_same(cuts: list[int]) -> None:
    data = render(DOC, PROFILES["generic80"]).data + render(DOC, PROFILES["generic80"]).data
    emulator = PrinterEmulator()
    start = 0
    for cut in sorted({min(c, len(data)) for c in cuts}):
        emulator.feed(data[start:cut])
        start = cut
    emulator.feed(data[start:])
    whole = PrinterEmulator()
    whole.feed(data)
    assert [(t.text, t.qr_data, t.raw) for t in emulator.tickets] == [
        (t.text, t.qr_data, t.raw) for t in whole.tickets
    ]
    assert len(whole.tickets) == 2


def test_byte_by_byte() -> None:
    data = render(DOC, PROFILES["generic80"]).data
    emulator = PrinterEmulator()
    for byte in data:
        emulator.feed(bytes([byte]))
    (ticket,) = emulator.tickets
    assert ticket.raw == data
    assert ticket.qr_data == (URL,)


@pytest.mark.parametrize(
    ("state", "answers"),
    [
        ({}, [0x16, 0x12, 0x12, 0x12]),
        ({"paper_end": True}, [0x1E, 0x32, 0x12, 0x72]),
        ({"paper_near_end": True}, [0x16, 0x12, 0x12, 0x1E]),
        ({"cover_open": True}, [0x1E, 0x16, 0x12, 0x12]),
        ({"cutter_error": True}, [0x1E, 0x52, 0x1A, 0x12]),
    ],
)
def test_status_answers(state: dict[str, bool], answers: list[int]) -> None:
    emulator = PrinterEmulator()
    for name, value in state.items():
        setattr(emulator, name, value)
    emulator.feed(b"".join(bytes([0x10, 0x04, n]) for n in (1, 2, 3, 4)))
    assert list(emulator.responses) == answers


def test_silent_printer_answers_nothing_but_prints() -> None:
    emulator = PrinterEmulator()
    emulator.silent = True
    emulator.feed(b"\x10\x04\x01" + INIT + gb("静默") + b"\n" + CUT)
    assert list(emulator.responses) == []
    assert emulator.tickets[0].text == "静默"


def test_status_queries_are_not_part_of_the_slip() -> None:
    emulator = PrinterEmulator()
    emulator.feed(b"\x10\x04\x01" + INIT + b"\x10\x04\x04" + b"A\n" + CUT + b"\x10\x04\x01")
    (ticket,) = emulator.tickets
    assert ticket.raw == INIT + b"A\n" + CUT


def test_init_leaves_chinese_mode_until_fs_ampersand() -> None:
    emulator = PrinterEmulator()
    emulator.feed(b"\x1b@" + gb("中") + b"\n" + b"\x1c&" + gb("中") + b"\n" + CUT)
    first, second = emulator.tickets[0].text.splitlines()
    assert first != "中"
    assert len(first) == 2  # two single-byte code page characters
    assert second == "中"


def test_fs_dot_leaves_chinese_mode() -> None:
    emulator = PrinterEmulator()
    emulator.feed(INIT + b"\x1c." + gb("中") + b"\n" + CUT)
    assert emulator.tickets[0].text != "中"


def test_raster_image_is_consumed_exactly() -> None:
    image = qr_raster(URL.encode(), 4)
    emulator = PrinterEmulator()
    emulator.feed(INIT + image + gb("之后") + b"\n" + CUT)
    (ticket,) = emulator.tickets
    assert ticket.text == "之后"
    assert ticket.raw == INIT + image + gb("之后") + b"\n" + CUT


@pytest.mark.parametrize(
    "command",
    [
        b"\x1dV\x00",
        b"\x1dV\x01",
        b"\x1dV0",
        b"\x1dV1",
        b"\x1dVA\x10",
        b"\x1dVB\x00",
        b"\x1bi",
        b"\x1bm",
    ],
)
def test_cut_commands_end_a_slip(command: bytes) -> None:
    emulator = PrinterEmulator()
    emulator.feed(INIT + b"one\n" + command + b"two\n" + CUT)
    assert [ticket.text for ticket in emulator.tickets] == ["one", "two"]


@pytest.mark.parametrize(
    "command",
    [
        b"\x1b!\x30",
        b"\x1b-\x01",
        b"\x1b3\x40",
        b"\x1bt\x00",
        b"\x1bp\x00\x19\xfa",
        b"\x1b$\x10\x00",
        b"\x1bD\x08\x10\x00",
        b"\x1b*\x21\x02\x00" + b"\xff" * 6,
        b"\x1b(A\x04\x00abcd",
        b"\x1dB\x01",
        b"\x1dL\x00\x00",
        b"\x1dk\x04CODE39\x00",
        b"\x1dkI\x03abc",
        b"\x1d(L\x03\x000pE",
        b"\x1d8L\x02\x00\x00\x00ab",
        b"\x1d*\x01\x01" + b"\x00" * 8,
        b"\x1c!\x0c",
        b"\x1c2\xfe\xa1" + b"\x00" * 72,
        b"\x1c(A\x02\x00\x30\x30",
        b"\x10\x05\x01",
        b"\x10\x14\x01\x00\x01",
        b"\x1bz",  # unknown: ESC and one byte skipped
        b"\r\x00\x7f",
    ],
)
def test_other_commands_are_skipped_without_printing(command: bytes) -> None:
    emulator = PrinterEmulator()
    emulator.feed(INIT + command + gb("正文") + b"\n" + CUT)
    assert emulator.tickets[0].text == "正文"


def test_text_longer_than_the_paper_wraps() -> None:
    emulator = PrinterEmulator()
    emulator.feed(INIT + b"x" * 50 + b"\n" + gb("中" * 25) + b"\n" + CUT)
    assert emulator.tickets[0].text.splitlines() == ["x" * 48, "xx", "中" * 24, "中"]


def test_magnified_text_wraps_at_the_magnified_width() -> None:
    emulator = PrinterEmulator()
    emulator.feed(INIT + b"\x1d!\x11" + gb("中" * 13) + b"\n" + CUT)
    assert emulator.tickets[0].text.splitlines() == ["中" * 12, "中"]


def test_broken_double_byte_character_does_not_eat_the_next_command() -> None:
    emulator = PrinterEmulator()
    emulator.feed(INIT + b"\xd6\n" + b"ok\n" + CUT)
    assert emulator.tickets[0].text.splitlines() == ["?", "ok"]


def test_paper_runs_out_after_n_slips_and_later_slips_are_lost() -> None:
    emulator = PrinterEmulator()
    emulator.paper_out_after = 1
    emulator.feed(INIT + b"one\n" + CUT)
    assert emulator.paper_end
    emulator.feed(INIT + b"two\n" + CUT)
    assert [ticket.text for ticket in emulator.tickets] == ["one"]
    assert emulator.dropped_tickets == 1


def test_flush_ticket_without_cut() -> None:
    emulator = PrinterEmulator(profile=PROFILES["generic58"])
    assert emulator.flush_ticket() is None
    emulator.feed(INIT + gb("五十八") + b"\n\x1bd\x04")
    ticket = emulator.flush_ticket()
    assert ticket is not None
    assert ticket.text.startswith("五十八")
    assert emulator.flush_ticket() is None


def test_init_after_content_tears_off_the_slip() -> None:
    emulator = PrinterEmulator(profile=PROFILES["generic58"])
    emulator.feed(INIT + b"first\n\x1bd\x04" + INIT + b"second\n")
    assert [ticket.text.strip() for ticket in emulator.tickets] == ["first"]
    assert emulator.tickets[0].raw == INIT + b"first\n\x1bd\x04"


def test_idle_line_ends_a_slip_without_cut(tmp_path: Path) -> None:
    emulator = PrinterEmulator(profile=PROFILES["generic58"], idle_flush=0.2)
    emulator.start()
    try:
        with Transport(emulator.device_path) as port:
            port.write(INIT + gb("无切刀") + b"\n\x1bd\x04")
            (ticket,) = emulator.wait_for_tickets(1, timeout=5)
        assert ticket.text.startswith("无切刀")
    finally:
        emulator.stop()


def test_on_ticket_callback_and_files(tmp_path: Path) -> None:
    seen: list[PrintedTicket] = []
    emulator = PrinterEmulator(out_dir=tmp_path / "out", on_ticket=seen.append)
    emulator.feed(render(DOC, PROFILES["generic80"]).data)
    emulator.feed(render(DOC, PROFILES["generic80"]).data)
    assert [ticket.index for ticket in seen] == [1, 2]
    assert seen[1].raw_path == tmp_path / "out" / "ticket-002.escpos"
    assert seen[1].png_path == tmp_path / "out" / "ticket-002.png"
    assert seen[1].png_path.is_file()


def test_png_shows_the_qr_and_honours_alignment(tmp_path: Path) -> None:
    emulator = PrinterEmulator(out_dir=tmp_path)
    doc = PrintDocument(
        (
            TextBlock("左", align=Align.LEFT),
            TextBlock("右", align=Align.RIGHT),
            QrBlock(URL, module=5, align=Align.CENTER),
        )
    )
    emulator.feed(render(doc, PROFILES["generic80"]).data)
    png = emulator.tickets[0].png_path
    assert png is not None
    with Image.open(png) as image:
        gray = image.convert("L")
        (code,) = zxingcpp.read_barcodes(gray)
        assert code.text == URL
        left_line = gray.crop((0, 8, 576, 32))
        right_line = gray.crop((0, 38, 576, 62))
        left_box = left_line.point(lambda v: 255 - v).getbbox()
        right_box = right_line.point(lambda v: 255 - v).getbbox()
    assert left_box is not None
    assert right_box is not None
    assert left_box[2] <= 24
    assert right_box[0] >= 576 - 24


def test_raster_image_is_drawn(tmp_path: Path) -> None:
    emulator = PrinterEmulator(out_dir=tmp_path)
    emulator.feed(INIT + b"\x1ba\x01" + qr_raster(URL.encode(), 4) + CUT)
    png = emulator.tickets[0].png_path
    assert png is not None
    with Image.open(png) as image:
        assert [code.text for code in zxingcpp.read_barcodes(image)] == [URL]


def test_wait_for_tickets_times_out_with_what_there_is() -> None:
    emulator = PrinterEmulator()
    done = threading.Event()
    result: list[int] = []

    def waiter() -> None:
        result.append(len(emulator.wait_for_tickets(1, timeout=5)))
        done.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    emulator.feed(INIT + b"x\n" + CUT)
    assert done.wait(5)
    thread.join()
    assert result == [1]
    assert emulator.wait_for_tickets(5, timeout=0.01) == emulator.tickets


def test_device_path_requires_start() -> None:
    emulator = PrinterEmulator()
    with pytest.raises(RuntimeError, match="not started"):
        _ = emulator.device_path
    path = emulator.start()
    assert emulator.start() == path
    assert os.path.exists(path)
    emulator.stop()
    emulator.stop()


# -- robustness -------------------------------------------------------------------

command_bytes = st.sampled_from(
    [b"\x1b", b"\x1d", b"\x1c", b"\x10\x04", b"\x1dv0", b"\x1d(k", b"\x1dV", b"\n", b"\x1c&"]
)
wire = st.lists(st.binary(max_size=24) | command_bytes, max_size=40).map(b"".join)


@settings(max_examples=400)
@given(data=wire, chinese=st.booleans(), chunk=st.integers(min_value=1, max_value=64))
def test_feed_never_raises(data: bytes, chinese: bool, chunk: int) -> None:
    emulator = PrinterEmulator(profile=PROFILES["generic80" if chinese else "generic58"])
    for start in range(0, len(data), chunk):
        emulator.feed(data[start : start + chunk])
    emulator.flush_ticket()
    assert all(ticket.index == i for i, ticket in enumerate(emulator.tickets, start=1))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=wire)
def test_feed_and_drawing_never_raise(tmp_path: Path, data: bytes) -> None:
    emulator = PrinterEmulator(out_dir=tmp_path)
    emulator.feed(data + b"\n" + CUT)
    emulator.flush_ticket()
    for ticket in emulator.tickets:
        assert ticket.png_path is not None
        assert ticket.png_path.is_file()


# -- command line -----------------------------------------------------------------


@pytest.mark.timeout(30)
def test_command_line_prints_path_and_tickets(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drivers.sim.printer",
            "--out",
            str(tmp_path),
            "--profile",
            "tm-t88",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[4],  # the repository
    )
    try:
        assert process.stdout is not None
        device = process.stdout.readline().strip()
        assert device.startswith("/dev/")
        with Transport(device) as port:
            port.write(render(DOC, PROFILES["tm-t88"]).data)
            line = process.stdout.readline()
        assert line.startswith("ticket 1: ")
        assert (tmp_path / "ticket-001.png").is_file()
        assert process.stdin is not None
        process.stdin.write("paper-end\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "ok: paper-end"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
