"""Printer (the device class) against the emulator and scripted devices on real ptys."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import Align, PrintDocument, QrBlock, RuleBlock, TextBlock
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterCondition
from drivers.sim.printer import PrinterEmulator
from drivers.transport import Transport

URL = "https://etax.chinatax.gov.cn/q/A023"
TICKET = PrintDocument(
    (
        TextBlock("国家税务总局办税服务厅", align=Align.CENTER, width=2, height=2, bold=True),
        RuleBlock(),
        TextBlock("您的号码：A023，前面还有 5 人"),
        QrBlock(URL),
    )
)
Responder = Callable[[Callable[[int], bytes]], Any]


def test_garbage_answer_is_unknown(responder: Responder) -> None:
    device = responder(lambda n: b"\x41")
    with Transport(device.port.device_path) as port:
        status = Printer(port, PROFILES["generic80"], status_timeout=0.5).status()
    assert status.condition is PrinterCondition.UNKNOWN
    assert "0x41" in status.detail


def test_a_late_extra_byte_is_not_taken_for_the_next_answer(responder: Responder) -> None:
    # Query 1 gets a duplicated answer; without discarding it, query 4 would read 0x16
    # (which decodes as "paper near end") instead of the real 0x72 (paper end).
    device = responder(lambda n: b"\x16\x16" if n == 1 else b"\x72")
    with Transport(device.port.device_path) as port:
        status = Printer(port, PROFILES["generic80"], status_timeout=0.5).status()
    assert status.condition is PrinterCondition.PAPER_END
    assert device.queries == [1, 4]


def test_offline_cause_is_asked_only_when_offline(responder: Responder) -> None:
    answers = {1: b"\x1e", 2: b"\x52", 3: b"\x1a", 4: b"\x12"}
    device = responder(lambda n: answers[n])
    with Transport(device.port.device_path) as port:
        status = Printer(port, PROFILES["generic80"], status_timeout=0.5).status()
    assert status.condition is PrinterCondition.CUTTER_ERROR
    assert device.queries == [1, 2, 3, 4]


def test_missing_port_is_offline_and_does_not_raise(tmp_path: Path) -> None:
    port = Transport(str(tmp_path / "ttyUSB7"))
    status = Printer(port, PROFILES["generic80"]).status()
    assert status.condition is PrinterCondition.OFFLINE
    assert "ttyUSB7" in status.detail


def test_vanished_device_is_offline(emulator: PrinterEmulator, printer: Printer) -> None:
    assert printer.status().can_print
    emulator.stop()
    assert printer.status().condition is PrinterCondition.OFFLINE


def test_round_trip_chinese_text_and_qr(emulator: PrinterEmulator, printer: Printer) -> None:
    result = printer.print_document(TICKET)
    assert result.substituted == ()
    (ticket,) = emulator.wait_for_tickets(1, timeout=5)
    assert "国家税务总局办税服务厅" in ticket.text
    assert "您的号码：A023，前面还有 5 人" in ticket.text
    assert ticket.qr_data == (URL,)
    assert ticket.raw == result.data
    assert ticket.raw_path is not None
    assert ticket.raw_path.read_bytes() == result.data
    assert ticket.png_path is not None
    with Image.open(ticket.png_path) as image:
        assert image.width == PROFILES["generic80"].dots
        codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [URL]


def test_round_trip_on_58mm_without_cutter(tmp_path: Path) -> None:
    emulator = PrinterEmulator(out_dir=tmp_path, profile=PROFILES["generic58"], idle_flush=None)
    emulator.start()
    try:
        with Transport(emulator.device_path) as port:
            Printer(port, PROFILES["generic58"]).print_document(TICKET)
            # No cut on this printer: the slip is torn off when the next document starts.
            Printer(port, PROFILES["generic58"]).print_document(PrintDocument((TextBlock("2"),)))
        tickets = emulator.wait_for_tickets(1, timeout=5)
        assert "国家税务总局" in tickets[0].text
        assert tickets[0].qr_data == (URL,)
        assert b"\x1dV" not in tickets[0].raw
    finally:
        emulator.stop()


def test_print_refused_when_silent(emulator: PrinterEmulator, transport: Transport) -> None:
    emulator.silent = True
    with pytest.raises(PrintError, match="no answer"):
        Printer(transport, PROFILES["generic80"], status_timeout=0.05).print_document(TICKET)


def test_fault_after_printing_raises(emulator: PrinterEmulator, printer: Printer) -> None:
    emulator.paper_out_after = 2
    printer.print_document(TICKET)
    with pytest.raises(PrintError, match="after printing"):
        printer.print_document(TICKET)  # the roll ends with this slip
    with pytest.raises(PrintError, match="not ready"):
        printer.print_document(TICKET)
    assert len(emulator.wait_for_tickets(2, timeout=10)) == 2


def test_substitution_logged_once_by_code_point_only(
    emulator: PrinterEmulator, printer: Printer, caplog: pytest.LogCaptureFixture
) -> None:
    doc = PrintDocument((TextBlock("纳税人：张\U00020000"),))
    with caplog.at_level(logging.WARNING, logger="drivers.printer.device"):
        assert printer.print_document(doc).substituted == ("\U00020000",)
        printer.print_document(doc)
    messages = [record.getMessage() for record in caplog.records]
    assert sum("U+20000" in message for message in messages) == 1
    assert not any("张" in message or "纳税人" in message for message in messages)
    tickets = emulator.wait_for_tickets(2, timeout=5)
    assert "张□" in tickets[0].text


def test_print_raw(emulator: PrinterEmulator, printer: Printer) -> None:
    printer.print_raw(b"\x1b@\x1c&" + "测试".encode("gb18030") + b"\n\x1dV\x01")
    (ticket,) = emulator.wait_for_tickets(1, timeout=5)
    assert ticket.text == "测试"


def test_print_to_vanished_device_raises_print_error(
    emulator: PrinterEmulator, printer: Printer
) -> None:
    emulator.stop()
    with pytest.raises(PrintError):
        printer.print_document(TICKET)
    with pytest.raises(PrintError, match="failed"):
        printer.print_raw(b"x")


def test_slow_printer_takes_the_wire_time_to_print() -> None:
    baud = 19200
    emulator = PrinterEmulator(baud=baud, idle_flush=None)
    emulator.start()
    try:
        payload = b"\x1b@" + b"A" * 2000 + b"\n\x1dV\x01"
        with Transport(emulator.device_path) as port:
            started = time.monotonic()
            Printer(port, PROFILES["generic80"]).print_raw(payload)
            (ticket,) = emulator.wait_for_tickets(1, timeout=10)
            elapsed = time.monotonic() - started
        # 10 bits a byte: all but the last chunk (baud / 100 bytes) must have been waited for.
        assert elapsed >= (len(payload) - baud // 100) * 10 / baud
        assert ticket.text.replace("\n", "") == "A" * 2000
    finally:
        emulator.stop()


def test_post_print_check_waits_for_a_slow_line() -> None:
    # On a pty the driver's drain returns at once; the status query queues behind the
    # slip, which the emulator reads at 9600 baud (~0.35 s, longer than status_timeout).
    emulator = PrinterEmulator(baud=9600, idle_flush=None)
    emulator.start()
    try:
        with Transport(emulator.device_path, baudrate=9600) as port:
            result = Printer(port, PROFILES["generic80"], status_timeout=0.1).print_document(TICKET)
        assert port.wire_time(len(result.data)) > 0.1
        (ticket,) = emulator.wait_for_tickets(1, timeout=5)
        assert ticket.qr_data == (URL,)
    finally:
        emulator.stop()


def test_write_allows_the_wire_time_on_top_of_write_timeout() -> None:
    port = Transport("loop://", baudrate=9600, write_timeout=0.5)
    assert port.wire_time(9600) == pytest.approx(10.0)
    assert port.baudrate == 9600
