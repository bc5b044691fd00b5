"""An ESC/POS ticket printer emulator on a pseudo-terminal or a TCP port.

The driver under test opens `device_path` like a real serial printer, or
`socket://127.0.0.1:PORT` like a network printer (`start_tcp`). The
emulator parses the byte stream as a printer does (`drivers.sim.escpos_parser`),
answers DLE EOT status queries from its simulated state, and turns every cut
into a `PrintedTicket`: the decoded text, the QR payloads, and optionally the
raw bytes and a PNG picture of the slip (`drivers.sim.slip`).

Run it by hand: `python -m drivers.sim.printer --out /tmp/tickets` (add
`--tcp 9100` for a network printer).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

from drivers.background import BackgroundThread
from drivers.printer import protocol as wire
from drivers.printer.profiles import PROFILES, PrinterProfile
from drivers.sim.escpos_parser import EscPosParser
from drivers.sim.pty import PtyPort
from drivers.sim.serving import serve_until, stop_on_signals
from drivers.sim.slip import Item, PrintedTicket, QrItem, SlipArchive, SlipDrawing, TextLine
from drivers.sim.tcp import TcpServerPort

logger = logging.getLogger(__name__)

# Status answers kept for an in-process reader (USB bulk IN); a real printer's buffer is small.
MAX_UNREAD_ANSWERS = 256
IDLE_FLUSH_S = 1.5
_READ_WAIT_S = 0.05

# Where the driver's bytes come from: a pty (serial, USB-CDC) or a TCP client (port 9100).
_Link = PtyPort | TcpServerPort


class PrinterEmulator:
    def __init__(
        self,
        *,
        out_dir: Path | None = None,
        baud: int | None = None,
        font_path: Path | None = None,
        profile: PrinterProfile = PROFILES["generic80"],
        on_ticket: Callable[[PrintedTicket], None] | None = None,
        idle_flush: float | None = IDLE_FLUSH_S,
    ) -> None:
        self.out_dir = out_dir
        self.baud = baud
        self.profile = profile
        self.on_ticket = on_ticket
        # A slip with no cut (58 mm printers have no cutter) ends after this much silence.
        self.idle_flush = idle_flush

        # Simulated state; tests and the CLI set these at any time.
        self.paper_near_end = False
        self.paper_out_after: int | None = None
        self.paper_end = False
        self.cover_open = False
        self.cutter_error = False
        self.silent = False

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._tickets: list[PrintedTicket] = []
        self._finished: list[PrintedTicket] = []
        self._cuts = 0  # slips that came out, rendered or not (paper_out_after counts these)
        self.dropped_tickets = 0  # slips that arrived while out of paper or with the cover open
        self.responses: deque[int] = deque(maxlen=256)  # status bytes sent, newest last
        # Answers given while no pty or TCP link is attached (fed in-process, as the USB
        # emulator does), waiting for `take_answers`.
        self._unread_answers = bytearray()
        self._port: _Link | None = None
        self._fed_at = 0.0
        self._parser = EscPosParser(profile, on_status=self._answer_status, on_slip=self._slip_out)
        self._reader = BackgroundThread("printer-emulator", self._read_link)
        self._reader_ident: int | None = None
        self._archive = (
            None
            if out_dir is None
            else SlipArchive(out_dir, SlipDrawing(profile.dots, font_path), self._drawn)
        )

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> str:
        """Open the pty and start answering; returns the device path for the driver."""
        with self._lock:
            link = self._port
            if link is None:
                link = PtyPort()
                self._start_on(link)
            elif not isinstance(link, PtyPort):
                raise RuntimeError(f"printer emulator already listens on {link.url}")
            return link.device_path

    def start_tcp(self, port: int = 0) -> tuple[str, int]:
        """Listen on 127.0.0.1:`port` (0: any free port) and start answering.

        Returns the host and the bound port; the driver opens
        `socket://host:port`. One client at a time; a client may disconnect
        and connect again (the printer state carries on).
        """
        with self._lock:
            link = self._port
            if link is None:
                link = TcpServerPort("127.0.0.1", port)
                self._start_on(link)
            elif not isinstance(link, TcpServerPort) or port not in (0, link.port):
                raise RuntimeError(f"printer emulator already runs on {link.device_path}")
            return link.host, link.port

    def _start_on(self, link: _Link) -> None:
        self._port = link
        self._reader.start()
        logger.info("printer emulator (%s) on %s", self.profile.name, link.device_path)

    def stop(self) -> None:
        """Stop the reader thread and close the link; calling it again does nothing.

        Slips still being drawn are finished first, so none is lost."""
        self._reader.stop()
        if self._archive is not None:
            self._archive.stop()
        with self._lock:
            link, self._port = self._port, None
        if link is not None:
            link.close()

    @property
    def device_path(self) -> str:
        """What the driver opens: the pty path, or `socket://127.0.0.1:PORT` over TCP."""
        if self._port is None:
            raise RuntimeError("printer emulator is not started")
        return self._port.device_path

    def __enter__(self) -> PrinterEmulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _read_link(self, stop: threading.Event) -> None:
        port = self._port
        assert port is not None
        self._reader_ident = threading.get_ident()
        chunk_size = max(1, self.baud // 100) if self.baud else 4096
        last_print_data = time.monotonic()
        while not stop.is_set():
            try:
                chunk = port.read(_READ_WAIT_S, chunk_size)
            except OSError as exc:
                logger.error("printer emulator: read failed, stopping: %s", exc)
                return
            now = time.monotonic()
            if chunk:
                try:
                    self.feed(chunk)
                except Exception:  # a parser bug must not kill the emulator silently
                    logger.exception("printer emulator failed to parse input")
                if self._parser.print_data_seen:
                    self._parser.print_data_seen = False
                    last_print_data = now
                if self.baud:
                    # Emulate the wire: 10 bits a byte at the configured rate.
                    stop.wait(len(chunk) * 10 / self.baud)
            elif self.idle_flush is not None and now - last_print_data >= self.idle_flush:
                last_print_data = now
                self.flush_ticket()

    # -- tickets -------------------------------------------------------------

    @property
    def tickets(self) -> list[PrintedTicket]:
        with self._lock:
            return list(self._tickets)

    def wait_for_tickets(self, count: int, timeout: float) -> list[PrintedTicket]:
        """Wait until at least `count` tickets were printed (or timeout); returns them all."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._tickets) >= count, timeout)
            return list(self._tickets)

    def flush_ticket(self) -> PrintedTicket | None:
        """End the current slip as if it had been torn off; None if nothing was printed."""
        with self._lock:
            ticket = None
            if self._parser.has_content():
                ticket = self._slip_out(*self._parser.tear_off())
        self._deliver()
        return ticket

    def status_byte(self, n: int) -> int | None:
        """The answer to DLE EOT n in the current simulated state (None: no answer)."""
        offline = self.paper_end or self.cover_open or self.cutter_error
        flags = {
            1: wire.DRAWER_PIN_BIT | (wire.OFFLINE_BIT if offline else 0),
            2: (wire.COVER_OPEN_BIT if self.cover_open else 0)
            | (wire.PAPER_END_STOP_BIT if self.paper_end else 0)
            | (wire.ERROR_BIT if self.cutter_error else 0),
            3: wire.CUTTER_ERROR_BIT if self.cutter_error else 0,
            4: (wire.PAPER_END_BITS if self.paper_end else 0)
            | (wire.PAPER_NEAR_END_BITS if self.paper_near_end else 0),
        }.get(n)
        return None if flags is None else wire.STATUS_FIXED_BITS | flags

    # -- the wire ------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Parse bytes from the wire. Never raises, whatever the input."""
        self._fed_at = time.perf_counter()
        with self._lock:
            self._parser.feed(data)
        self._deliver()

    def _answer_status(self, n: int) -> None:
        answer = self.status_byte(n)
        if answer is None or self.silent:
            return
        self.responses.append(answer)
        port = self._port
        if port is not None:
            port.write(bytes([answer]))
        elif len(self._unread_answers) < MAX_UNREAD_ANSWERS:
            self._unread_answers.append(answer)

    def take_answers(self, size: int) -> bytes:
        """Up to `size` status answers not collected yet (oldest first), for an emulator fed
        in-process with `feed` (the USB one); a pty or TCP link gets them at once instead."""
        with self._lock:
            answers = bytes(self._unread_answers[:size])
            del self._unread_answers[:size]
            return answers

    # -- slips out ---------------------------------------------------------------

    def _slip_out(self, raw: bytes, items: list[Item]) -> PrintedTicket | None:
        """A slip came out; one printed without paper or with the cover open is lost."""
        if self.paper_end or self.cover_open:
            self.dropped_tickets += 1
            logger.info("printer emulator: slip lost (paper end or cover open)")
            return None
        self._cuts += 1
        if self.paper_out_after is not None and self._cuts >= self.paper_out_after:
            self.paper_end = True
        ticket = PrintedTicket(
            index=self._cuts,
            raw=raw,
            png_path=None,
            raw_path=None,
            text="\n".join(item.text for item in items if isinstance(item, TextLine)),
            qr_data=tuple(
                item.data.decode("utf-8", errors="replace")
                for item in items
                if isinstance(item, QrItem)
            ),
            received_at=self._fed_at,
        )
        if self._archive is None:
            self._publish(ticket)
        elif threading.get_ident() == self._reader_ident:
            self._archive.keep_later(ticket, items)
        else:  # fed directly (tests, the flush command): draw now
            self._archive.keep(ticket, items)
            self._publish(ticket)
        return ticket

    def _publish(self, ticket: PrintedTicket) -> None:
        """The slip is out (and drawn, where slips are drawn): waiters see it now."""
        with self._lock:
            self._tickets.append(ticket)
            self._finished.append(ticket)
            self._changed.notify_all()

    def _drawn(self, ticket: PrintedTicket) -> None:
        self._publish(ticket)
        self._deliver()

    def _deliver(self) -> None:
        """Run the on_ticket callback outside the lock for slips finished meanwhile."""
        with self._lock:
            finished, self._finished = self._finished, []
        if self.on_ticket is not None:
            for ticket in finished:
                self.on_ticket(ticket)


# -- command line ----------------------------------------------------------------

_COMMANDS = {
    "paper-end": ("paper_end", True),
    "paper-ok": ("paper_end", False),
    "paper-near-end": ("paper_near_end", True),
    "paper-full": ("paper_near_end", False),
    "cover-open": ("cover_open", True),
    "cover-closed": ("cover_open", False),
    "cutter-error": ("cutter_error", True),
    "cutter-ok": ("cutter_error", False),
    "silent": ("silent", True),
    "answer": ("silent", False),
}


def _stdin_lines() -> Iterator[str]:
    for line in sys.stdin:
        yield line.strip()


def _read_commands(emulator: PrinterEmulator) -> None:
    """Change the simulated state from stdin, one command a line (see --help)."""
    for command in _stdin_lines():
        if command == "flush":
            emulator.flush_ticket()
        elif command in _COMMANDS:
            attribute, value = _COMMANDS[command]
            setattr(emulator, attribute, value)
        elif command:
            print(f"unknown command {command!r}; known: flush, {', '.join(_COMMANDS)}", flush=True)
            continue
        else:
            continue
        print(f"ok: {command}", flush=True)


def _tcp_port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0 to 65535)")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m drivers.sim.printer",
        description="Emulate an ESC/POS ticket printer on a pseudo-terminal (or a TCP port). "
        "Prints the device path (or socket://127.0.0.1:PORT), then one line per slip. "
        f"Commands on stdin: flush, {', '.join(_COMMANDS)}.",
    )
    parser.add_argument("--out", type=Path, help="write ticket-NNN.escpos and .png here")
    parser.add_argument("--baud", type=int, help="pace input like a serial line at this rate")
    parser.add_argument("--profile", default="generic80", choices=sorted(PROFILES))
    parser.add_argument(
        "--paper-out-after", type=int, metavar="N", help="run out of paper after N slips"
    )
    parser.add_argument("--paper-near-end", action="store_true")
    parser.add_argument("--cover-open", action="store_true")
    parser.add_argument("--silent", action="store_true", help="never answer status queries")
    parser.add_argument(
        "--tcp",
        type=_tcp_port,
        metavar="PORT",
        help="listen on 127.0.0.1:PORT like a network printer instead of a pty (0: any free port)",
    )
    args = parser.parse_args(argv)

    def report(ticket: PrintedTicket) -> None:
        where = f" -> {ticket.png_path}" if ticket.png_path else ""
        print(f"ticket {ticket.index}: {len(ticket.raw)} bytes{where}", flush=True)

    emulator = PrinterEmulator(
        out_dir=args.out, baud=args.baud, profile=PROFILES[args.profile], on_ticket=report
    )
    emulator.paper_out_after = args.paper_out_after
    emulator.paper_near_end = args.paper_near_end
    emulator.cover_open = args.cover_open
    emulator.silent = args.silent

    stop = stop_on_signals()

    if args.tcp is None:
        print(emulator.start(), flush=True)
    else:
        try:
            host, port = emulator.start_tcp(args.tcp)
        except OSError as exc:
            print(f"cannot listen on 127.0.0.1:{args.tcp}: {exc}", file=sys.stderr)
            return 1
        print(f"socket://{host}:{port}", flush=True)
    BackgroundThread("printer-emulator-commands", lambda stop: _read_commands(emulator)).start()
    return serve_until(stop, emulator.stop)


if __name__ == "__main__":
    raise SystemExit(main())
