"""A network printer (raw TCP, port 9100): the driver over socket:// against the emulator."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from drivers.printer.device import Printer, PrintError
from drivers.printer.document import Align, PrintDocument, QrBlock, TextBlock
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterCondition
from drivers.sim.printer import PrinterEmulator
from drivers.sim.printer import main as printer_main
from drivers.transport import Transport

pytestmark = pytest.mark.usefixtures("no_leaked_fds")

P80 = PROFILES["generic80"]
URL = "https://etax.chinatax.gov.cn/q/A023"
TICKET = PrintDocument(
    (
        TextBlock("国家税务总局办税服务厅", align=Align.CENTER, width=2, height=2),
        TextBlock("您的号码：A023"),
        QrBlock(URL),
    )
)


@pytest.fixture
def network_emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emulator = PrinterEmulator(out_dir=tmp_path, idle_flush=None)
    emulator.start_tcp()
    yield emulator
    emulator.stop()


@pytest.fixture
def network_transport(network_emulator: PrinterEmulator) -> Iterator[Transport]:
    port = Transport(network_emulator.device_path)
    yield port
    port.close()


def test_start_tcp_returns_the_bound_loopback_port(network_emulator: PrinterEmulator) -> None:
    host, port = network_emulator.start_tcp()  # already listening: the same address
    assert host == "127.0.0.1"
    assert port > 0
    assert network_emulator.device_path == f"socket://127.0.0.1:{port}"
    with pytest.raises(RuntimeError, match="already"):
        network_emulator.start()
    with pytest.raises(RuntimeError, match="already"):
        network_emulator.start_tcp(port + 1 if port < 65535 else port - 1)


def test_pty_emulator_refuses_to_also_listen_on_tcp() -> None:
    emulator = PrinterEmulator(idle_flush=None)
    emulator.start()
    try:
        with pytest.raises(RuntimeError, match="already"):
            emulator.start_tcp()
    finally:
        emulator.stop()


def test_print_over_socket_url(
    network_emulator: PrinterEmulator, network_transport: Transport
) -> None:
    printer = Printer(network_transport, P80, status_timeout=1.0)
    assert printer.status().condition is PrinterCondition.READY
    result = printer.print_document(TICKET)
    (ticket,) = network_emulator.wait_for_tickets(1, timeout=5)
    assert ticket.raw == result.data == render(TICKET, P80).data
    assert "您的号码：A023" in ticket.text
    assert ticket.qr_data == (URL,)
    assert ticket.png_path is not None
    with Image.open(ticket.png_path) as image:
        assert [code.text for code in zxingcpp.read_barcodes(image)] == [URL]


def test_client_reconnects_and_prints_again(
    network_emulator: PrinterEmulator, network_transport: Transport
) -> None:
    printer = Printer(network_transport, P80, status_timeout=1.0)
    printer.print_document(TICKET)
    network_transport.close()
    printer.print_document(TICKET)  # a new connection to the same printer
    network_transport.close()
    with Transport(network_emulator.device_path) as other:
        Printer(other, P80, status_timeout=1.0).print_document(TICKET)
    assert len(network_emulator.wait_for_tickets(3, timeout=5)) == 3


def test_one_client_at_a_time(network_emulator: PrinterEmulator) -> None:
    host, port = network_emulator.start_tcp()
    first = socket.create_connection((host, port), timeout=2.0)
    try:
        # The first client must be the one being served before the second connects.
        first.sendall(b"\x10\x04\x01")
        assert first.recv(1) == b"\x16"
        with socket.create_connection((host, port), timeout=2.0) as second:
            second.sendall(b"\x1b@\x1c&B\n\x1dV\x01")
            first.sendall(b"\x1b@\x1c&A\n\x1dV\x01")
            assert [t.text for t in network_emulator.wait_for_tickets(1, timeout=5)] == ["A"]
            first.close()  # only now is the second client accepted and read
            tickets = network_emulator.wait_for_tickets(2, timeout=5)
            assert [ticket.text for ticket in tickets] == ["A", "B"]
    finally:
        first.close()


def test_printer_gone_is_offline_then_back(tmp_path: Path) -> None:
    emulator = PrinterEmulator(idle_flush=None)
    _, port_number = emulator.start_tcp()
    port = Transport(emulator.device_path)
    try:
        printer = Printer(port, P80, status_timeout=1.0)
        assert printer.status().can_print
        emulator.stop()
        assert printer.status().condition is PrinterCondition.OFFLINE
        with pytest.raises(PrintError):
            printer.print_raw(b"x")
    finally:
        port.close()
        emulator.stop()
    again = PrinterEmulator(idle_flush=None)
    again.start_tcp(port_number)  # the printer is switched on again at the same address
    try:
        with Transport(f"socket://127.0.0.1:{port_number}") as port:
            assert Printer(port, P80, status_timeout=1.0).status().can_print
    finally:
        again.stop()


@pytest.mark.timeout(30)
def test_command_line_listens_on_tcp(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "drivers.sim.printer", "--out", str(tmp_path), "--tcp", "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[4],  # the repository
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("socket://127.0.0.1:")
        assert int(url.rsplit(":", 1)[1]) > 0
        with Transport(url) as port:
            Printer(port, P80, status_timeout=2.0).print_document(TICKET)
            assert process.stdout.readline().startswith("ticket 1: ")
        assert (tmp_path / "ticket-001.png").is_file()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_command_line_rejects_a_bad_tcp_port(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        printer_main(["--tcp", port])
    assert caught.value.code == 2
    assert "not a TCP port" in capsys.readouterr().err


def test_command_line_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        assert printer_main(["--tcp", str(taken.getsockname()[1])]) == 1
    assert "cannot listen" in capsys.readouterr().err
