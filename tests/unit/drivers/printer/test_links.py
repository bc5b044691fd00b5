"""What every link to the printer must do alike: a pty (serial), TCP port 9100 and
USB through pyusb, each against the same emulator with real bytes on the link."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import Align, PrintDocument, QrBlock, TextBlock
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterCondition
from drivers.sim.printer import PrinterEmulator
from drivers.sim.usb import EmulatedUsbBus
from drivers.sim.usb_printer import EmulatedUsbPrinter
from drivers.transport import Transport

P80 = PROFILES["generic80"]
GUIDE = "https://guide.hall.example/matter/M0202"
TICKET = PrintDocument(
    (
        TextBlock("您的号码：A023，前面还有 5 人", Align.CENTER),
        QrBlock(GUIDE),
    )
)


@dataclass
class Link:
    emulator: PrinterEmulator
    transport: Transport

    def printer(self, status_timeout: float = 0.5) -> Printer:
        return Printer(self.transport, P80, status_timeout=status_timeout)


@pytest.fixture(params=["pty", "tcp", "usb"])
def link(request: pytest.FixtureRequest) -> Iterator[Link]:
    emulator = PrinterEmulator(idle_flush=None)
    if request.param == "pty":
        transport = Transport(emulator.start(), baudrate=115200)
    elif request.param == "tcp":
        emulator.start_tcp()
        transport = Transport(emulator.device_path)
    else:  # fed in-process by the emulated USB device: nothing to start
        bus = EmulatedUsbBus(EmulatedUsbPrinter(emulator))
        transport = Transport("usb://0416:5011", usb_backend=bus)
    yield Link(emulator, transport)
    transport.close()
    emulator.stop()


def test_a_ready_printer_says_so(link: Link) -> None:
    status = link.printer().status()
    assert status.condition is PrinterCondition.READY
    assert status.can_print


@pytest.mark.parametrize(
    ("attribute", "condition", "can_print"),
    [
        ("paper_near_end", PrinterCondition.PAPER_NEAR_END, True),
        ("paper_end", PrinterCondition.PAPER_END, False),
        ("cover_open", PrinterCondition.COVER_OPEN, False),
        ("cutter_error", PrinterCondition.CUTTER_ERROR, False),
    ],
)
def test_status_follows_the_printer(
    link: Link, attribute: str, condition: PrinterCondition, can_print: bool
) -> None:
    setattr(link.emulator, attribute, True)
    status = link.printer().status()
    assert (status.condition, status.can_print) == (condition, can_print)


def test_a_silent_printer_is_unknown_never_ready(link: Link) -> None:
    link.emulator.silent = True
    status = link.printer(status_timeout=0.05).status()
    assert status.condition is PrinterCondition.UNKNOWN
    assert not status.can_print


def test_at_paper_end_nothing_is_sent_and_the_error_quotes_no_ticket(link: Link) -> None:
    link.emulator.paper_end = True
    with pytest.raises(PrintError, match="not ready") as caught:
        link.printer().print_document(TICKET)
    assert caught.value.status is not None
    assert caught.value.status.condition is PrinterCondition.PAPER_END
    assert "A023" not in str(caught.value)
    assert link.emulator.tickets == []
    assert link.emulator.dropped_tickets == 0


def test_a_ticket_arrives_whole(link: Link) -> None:
    link.printer().print_document(TICKET)
    (ticket,) = link.emulator.wait_for_tickets(1, timeout=10)
    assert "您的号码：A023，前面还有 5 人" in ticket.text
    assert ticket.qr_data == (GUIDE,)
