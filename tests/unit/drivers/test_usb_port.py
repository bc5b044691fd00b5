"""USB printers through pyusb (usb://VID:PID): URL parsing, and the driver's real code over
pyusb's real usb.core onto an emulated USB printer (drivers.sim.usb_printer) wrapping the ESC/POS
emulator. Nothing here sleeps: the emulated bus answers at once and the back-off clock is fake.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import usb.backend.libusb0
import usb.backend.libusb1
import usb.backend.openusb
from hypothesis import given
from hypothesis import strategies as st

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import Align, PrintDocument, QrBlock, RuleBlock, TextBlock
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterCondition
from drivers.sim.printer import PrinterEmulator
from drivers.sim.usb import EmulatedUsbBus
from drivers.sim.usb_descriptors import UNIDIRECTIONAL, EmulatedEndpoint, EmulatedInterface
from drivers.sim.usb_printer import EmulatedUsbPrinter
from drivers.transport import BACKOFF_INITIAL_S, Transport, TransportError
from drivers.usb_port import UsbAddress, UsbPort, UsbPortError, usb_address

pytestmark = pytest.mark.usefixtures("no_leaked_fds")

URL = "usb://0416:5011"
P80 = PROFILES["generic80"]
QR_URL = "https://etax.chinatax.gov.cn/q/A023"
TICKET = PrintDocument(
    (
        TextBlock("国家税务总局办税服务厅", align=Align.CENTER, width=2, height=2, bold=True),
        RuleBlock(),
        TextBlock("您的号码：A023，前面还有 5 人"),
        QrBlock(QR_URL),
    )
)
MISSING = (
    "no USB device 0416:5011; is it plugged in and is the kiosk allowed to use it (udev rule)?"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emulator() -> PrinterEmulator:
    # Never started: the USB device feeds it in-process, no pty or socket.
    return PrinterEmulator(idle_flush=None)


@pytest.fixture
def usb_printer(emulator: PrinterEmulator) -> EmulatedUsbPrinter:
    return EmulatedUsbPrinter(emulator)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def transport(usb_printer: EmulatedUsbPrinter, clock: FakeClock) -> Iterator[Transport]:
    port = Transport(URL, usb_backend=EmulatedUsbBus(usb_printer), monotonic=clock)
    yield port
    port.close()


@pytest.fixture
def printer(transport: Transport) -> Printer:
    return Printer(transport, P80, status_timeout=0.3)


# -- the URL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("usb://0416:5011", UsbAddress(0x0416, 0x5011)),
        ("usb://04b8:0E15", UsbAddress(0x04B8, 0x0E15)),
        ("usb://0416:5011?", UsbAddress(0x0416, 0x5011)),
        ("usb://0416:5011?serial=XYZ", UsbAddress(0x0416, 0x5011, serial="XYZ")),
        ("usb://0416:5011?interface=1", UsbAddress(0x0416, 0x5011, interface=1)),
        ("usb://0416:5011?serial=A%2FB%20C&interface=0", UsbAddress(0x0416, 0x5011, "A/B C", 0)),
        ("/dev/ttyUSB0", None),
        ("usblp:///dev/usb/lp0", None),
        ("socket://127.0.0.1:9100", None),
        ("USB://0416:5011", None),  # schemes are matched as written, like usblp://
    ],
)
def test_usb_url_is_parsed(url: str, expected: UsbAddress | None) -> None:
    assert usb_address(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("usb://", "bad USB printer id ''"),
        ("usb://0416", "bad USB printer id '0416'"),
        ("usb://0416:", "e.g. usb://0416:5011"),
        ("usb://416:5011", "bad USB printer id"),
        ("usb://04165:5011", "bad USB printer id"),
        ("usb://zz16:5011", "bad USB printer id"),
        ("usb://0416:5011/", "bad USB printer id"),
        ("usb://0416-5011", "bad USB printer id"),
        ("usb://0416:5011?port=1", "unknown USB URL option 'port'"),
        ("usb://0416:5011?serial", "bad query 'serial'"),
        ("usb://0416:5011?serial=", "empty serial number"),
        ("usb://0416:5011?serial=A&serial=B", "'serial' given twice"),
        ("usb://0416:5011?interface=x", "bad USB interface number 'x'"),
        ("usb://0416:5011?interface=-1", "bad USB interface number"),
        ("usb://0416:5011?interface=256", "bad USB interface number '256'"),
        ("usb://0416:5011?interface=١", "bad USB interface number"),  # an Arabic-Indic one
    ],
)
def test_bad_usb_url_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("?", r"\?").replace(".", r"\.")):
        usb_address(url)


@given(
    vendor=st.integers(0, 0xFFFF),
    product=st.integers(0, 0xFFFF),
    serial=st.none() | st.text(min_size=1),
    interface=st.none() | st.integers(0, 255),
    upper=st.booleans(),
)
def test_usb_url_round_trips(
    vendor: int, product: int, serial: str | None, interface: int | None, upper: bool
) -> None:
    ids = f"{vendor:04X}:{product:04X}" if upper else f"{vendor:04x}:{product:04x}"
    options = {
        key: value
        for key, value in (("serial", serial), ("interface", interface))
        if value is not None
    }
    url = f"usb://{ids}" + (f"?{urlencode(options)}" if options else "")
    assert usb_address(url) == UsbAddress(vendor, product, serial, interface)


@given(rest=st.text())
def test_any_usb_url_parses_or_raises_value_error(rest: str) -> None:
    try:
        address = usb_address("usb://" + rest)
    except ValueError:
        return  # the message is checked above; nothing else may escape
    assert address is not None


def test_bad_usb_url_is_a_transport_error_naming_it() -> None:
    with pytest.raises(TransportError, match=r"usb://0416\?serial=1.*bad USB printer id"):
        Transport("usb://0416?serial=1", usb_backend=EmulatedUsbBus()).open()


# -- printing and status ----------------------------------------------------------------


def test_ticket_prints_over_usb(
    printer: Printer, emulator: PrinterEmulator, usb_printer: EmulatedUsbPrinter
) -> None:
    result = printer.print_document(TICKET)
    (ticket,) = emulator.tickets
    assert ticket.raw == result.data
    lines = ticket.text.splitlines()
    assert lines[0] == "国家税务总局办税服务厅"
    assert "您的号码：A023，前面还有 5 人" in lines
    assert ticket.qr_data == (QR_URL,)
    # Sent in packets of the OUT endpoint's size (64), the slip and the status queries alike.
    sizes = [len(packet) for packet in usb_printer.out_transfers]
    assert max(sizes) == 64
    assert b"".join(usb_printer.out_transfers).count(result.data) == 1


@given(
    payload=st.binary(min_size=1, max_size=3000),
    packet=st.sampled_from([8, 64, 512]),
)
def test_writes_go_out_in_whole_packets(payload: bytes, packet: int) -> None:
    interface = EmulatedInterface(
        endpoints=(EmulatedEndpoint(0x01, packet), EmulatedEndpoint(0x82))
    )
    usb_printer = EmulatedUsbPrinter(PrinterEmulator(idle_flush=None), interfaces=(interface,))
    with Transport(URL, usb_backend=EmulatedUsbBus(usb_printer)) as port:
        port.write(payload)
    transfers = list(usb_printer.out_transfers)
    assert b"".join(transfers) == payload
    assert all(len(t) == packet for t in transfers[:-1])
    assert 0 < len(transfers[-1]) <= packet


def test_answers_longer_than_asked_are_kept_then_discarded(transport: Transport) -> None:
    transport.write(b"\x10\x04\x01\x10\x04\x04")  # two queries: two answers in one packet
    assert transport.read(1) == b"\x16"
    assert transport.read(1) == b"\x12"
    transport.write(b"\x10\x04\x01\x10\x04\x04")
    transport.reset_input()
    assert transport.read(1) == b""


def test_printer_without_bulk_in_is_write_only(emulator: PrinterEmulator) -> None:
    usb_printer = EmulatedUsbPrinter(emulator, interfaces=UNIDIRECTIONAL)
    with Transport(URL, usb_backend=EmulatedUsbBus(usb_printer)) as port:
        assert not port.readable
        printer = Printer(port, P80, status_timeout=5.0)
        status = printer.status()
        assert status.condition is PrinterCondition.UNKNOWN
        assert "write-only" in status.detail
        printer.print_raw(render(TICKET, P80).data)
    assert emulator.tickets[0].qr_data == (QR_URL,)
    assert not emulator.responses  # no query was sent


def test_the_bidirectional_setting_is_chosen(emulator: PrinterEmulator) -> None:
    # Common on printer-class devices: setting 0 one-way, setting 1 with a way back.
    interfaces = (*UNIDIRECTIONAL, EmulatedInterface(alternate=1))
    usb_printer = EmulatedUsbPrinter(emulator, interfaces=interfaces)
    with Transport(URL, usb_backend=EmulatedUsbBus(usb_printer)) as port:
        assert port.readable
        assert Printer(port, P80).status().condition is PrinterCondition.READY
    assert "setting 0.1" in usb_printer.events


def test_serial_picks_one_of_two_equal_printers(emulator: PrinterEmulator) -> None:
    other = PrinterEmulator(idle_flush=None)
    bus = EmulatedUsbBus(
        EmulatedUsbPrinter(other, serial="A1"), EmulatedUsbPrinter(emulator, serial="B2")
    )
    with Transport(URL + "?serial=B2", usb_backend=bus) as port:
        port.write(b"\x1b@hello\n\x1dV\x00")
    assert emulator.tickets[0].text == "hello"
    assert other.tickets == []
    with pytest.raises(TransportError, match=r"no USB device 0416:5011 \(serial C3\)"):
        Transport(URL + "?serial=C3", usb_backend=bus).open()


# -- opening: kernel driver, interfaces, errors -------------------------------------------


def test_kernel_driver_is_detached_then_given_back(
    transport: Transport, usb_printer: EmulatedUsbPrinter, caplog: pytest.LogCaptureFixture
) -> None:
    assert usb_printer.kernel_driver_bound(0)
    with caplog.at_level(logging.INFO):
        transport.open()
    assert not usb_printer.kernel_driver_bound(0)
    transport.close()
    assert usb_printer.kernel_driver_bound(0)
    assert usb_printer.events == [
        "plug",
        "open",
        "detach 0",
        "claim 0",
        "release 0",
        "attach 0",
        "close",
    ]
    assert "Emulated POS-80 Printer (serial SIM0001), interface 0" in caplog.text
    assert f"opened USB printer {URL} (read-write)" in caplog.text


def test_vendor_interface_by_number_on_an_unconfigured_device(emulator: PrinterEmulator) -> None:
    # No printer class, so no kernel driver bound and nothing configured the device yet.
    vendor = EmulatedInterface(number=1, interface_class=0xFF, subclass=0, protocol=0)
    usb_printer = EmulatedUsbPrinter(emulator, interfaces=(vendor,), configured=False)
    bus = EmulatedUsbBus(usb_printer)
    with pytest.raises(TransportError, match=r"no printer-class interface .*add \?interface=N"):
        Transport(URL, usb_backend=bus).open()
    with pytest.raises(TransportError, match="has no interface 0"):
        Transport(URL + "?interface=0", usb_backend=bus).open()
    with Transport(URL + "?interface=1", usb_backend=bus) as port:
        assert Printer(port, P80).status().condition is PrinterCondition.READY
    assert "configure 1" in usb_printer.events
    assert not any(event.startswith(("detach", "attach")) for event in usb_printer.events)


def test_a_second_transport_is_refused_while_the_first_holds_the_printer(
    transport: Transport, usb_printer: EmulatedUsbPrinter
) -> None:
    transport.open()
    with pytest.raises(TransportError, match=r"usb://0416:5011.*Resource busy"):
        Transport(URL, usb_backend=EmulatedUsbBus(usb_printer)).open()
    transport.write(b"\x10\x04\x01")  # the first one is unharmed
    assert transport.read(1) == b"\x16"


def test_missing_device_says_what_to_check() -> None:
    with pytest.raises(TransportError) as caught:
        Transport(URL, usb_backend=EmulatedUsbBus()).open()
    assert str(caught.value) == f"cannot open port {URL}: {MISSING}"


def test_missing_libusb_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # As on a machine without libusb: pyusb's own find() finds no back end.
    for module in (usb.backend.libusb1, usb.backend.openusb, usb.backend.libusb0):
        monkeypatch.setattr(module, "get_backend", lambda *args, **kwargs: None)
    with pytest.raises(TransportError) as caught:
        Transport(URL).open()
    assert str(caught.value) == (
        f"cannot open port {URL}: libusb-1.0 is not installed: apt-get install libusb-1.0-0"
    )
    with pytest.raises(UsbPortError, match=r"libusb-1\.0 is not installed"):
        UsbPort.open(UsbAddress(0x0416, 0x5011), name=URL)  # the port alone
    assert Printer(Transport(URL), P80).status().condition is PrinterCondition.OFFLINE


def test_printer_that_stops_taking_data_times_out(
    transport: Transport, usb_printer: EmulatedUsbPrinter
) -> None:
    transport.write(b"\x1b@")
    usb_printer.stalled = True
    with pytest.raises(TransportError, match=r"write on port usb://0416:5011.*not accepting data"):
        transport.write(b"x" * 200)
    assert not transport.is_open


# -- unplugging --------------------------------------------------------------------------


def test_unplug_while_idle_then_plug_back(
    printer: Printer,
    transport: Transport,
    emulator: PrinterEmulator,
    usb_printer: EmulatedUsbPrinter,
    clock: FakeClock,
) -> None:
    assert printer.status().condition is PrinterCondition.READY
    usb_printer.unplug()

    status = printer.status()
    assert status.condition is PrinterCondition.OFFLINE
    assert URL in status.detail
    assert "No such device" in status.detail
    assert not transport.is_open
    with pytest.raises(PrintError, match="not ready") as caught:
        printer.print_document(TICKET)  # reopening failed: the back-off window starts
    assert caught.value.status is not None
    assert caught.value.status.condition is PrinterCondition.OFFLINE

    usb_printer.plug()
    opens = usb_printer.events.count("open")
    clock.now += BACKOFF_INITIAL_S - 0.1
    assert printer.status().condition is PrinterCondition.OFFLINE  # not even tried
    assert usb_printer.events.count("open") == opens
    clock.now += 0.1
    assert printer.status().condition is PrinterCondition.READY
    printer.print_document(TICKET)
    assert [t.qr_data for t in emulator.tickets] == [(QR_URL,)]
    assert usb_printer.kernel_driver_bound(0) is False  # detached again on the new device


def test_unplug_before_a_raw_print_is_a_print_error(
    printer: Printer, transport: Transport, usb_printer: EmulatedUsbPrinter
) -> None:
    transport.open()
    usb_printer.unplug()
    with pytest.raises(PrintError, match=r"sending to the printer failed: write on port usb://"):
        printer.print_raw(b"\x1b@")
    assert not transport.is_open
    # The kernel driver could not be given back to a device that is gone: no error for that.
    assert usb_printer.events[-2:] == ["unplug", "close"]
