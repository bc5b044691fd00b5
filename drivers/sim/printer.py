"""An ESC/POS ticket printer emulator on a pseudo-terminal or a TCP port.

The driver under test opens `device_path` like a real serial printer, or
`socket://127.0.0.1:PORT` like a network printer (`start_tcp`). The
emulator parses the byte stream with a state machine (bytes may arrive split
anywhere), answers DLE EOT status queries from its simulated state, and
turns every cut into a `PrintedTicket`: the decoded text, the QR payloads,
and optionally the raw bytes and a PNG picture of the slip.

It is deliberately strict where real printers differ: after `ESC @` it is
out of Chinese mode until `FS &` arrives, so a driver that forgets `FS &`
prints mojibake here too.

Run it by hand: `python -m drivers.sim.printer --out /tmp/tickets` (add
`--tcp 9100` for a network printer).
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont
from qrcode.exceptions import DataOverflowError

from drivers.printer.profiles import PROFILES, PrinterProfile
from drivers.sim.fonts import find_cjk_font
from drivers.sim.pty import PtyPort
from drivers.sim.serving import serve_until, stop_on_signals
from drivers.sim.tcp import TcpServerPort

logger = logging.getLogger(__name__)

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, HT = 0x0A, 0x09

LEFT, CENTER, RIGHT = 0, 1, 2
LATIN_DOTS = 12
CJK_DOTS = 24
GLYPH_HEIGHT = 24
LINE_SPACING = 6  # dots between lines (default pitch 30 dots)
MARGIN = 8
# Limits that keep a garbage stream from eating the machine.
MAX_ITEMS_PER_TICKET = 5000
MAX_PNG_HEIGHT = 30000
MAX_RASTER_BYTES = 1 << 21
MAX_RAW_BYTES = 1 << 22
# Status answers kept for an in-process reader (USB bulk IN); a real printer's buffer is small.
MAX_UNREAD_ANSWERS = 256
IDLE_FLUSH_S = 1.5

_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

_ALIGNMENTS = {0: LEFT, 1: CENTER, 2: RIGHT, 48: LEFT, 49: CENTER, 50: RIGHT}

_QR_LEVELS = {
    0x30: qrcode.constants.ERROR_CORRECT_L,
    0x31: qrcode.constants.ERROR_CORRECT_M,
    0x32: qrcode.constants.ERROR_CORRECT_Q,
    0x33: qrcode.constants.ERROR_CORRECT_H,
}

# Total length of fixed-size commands, by second byte.
_ESC_LENGTHS = {b: 3 for b in b"a!EG-3tMRd JKe{V r=%?UT"} | {
    ord("@"): 2,
    ord("2"): 2,
    ord("$"): 4,
    ord("\\"): 4,
    ord("c"): 4,
    ord("p"): 5,
    ord("W"): 10,
    ord("i"): 2,
    ord("m"): 2,
}
_GS_LENGTHS = {b: 3 for b in b"!BHhwfaIrbT/E"} | {
    ord("L"): 4,
    ord("W"): 4,
    ord("$"): 4,
    ord("\\"): 4,
    ord("P"): 4,
    ord("^"): 5,
    ord(":"): 2,
}
_FS_LENGTHS = {b: 3 for b in b"!-CW"} | {
    ord("&"): 2,
    ord("."): 2,
    ord("S"): 4,
    ord("p"): 4,
    ord("?"): 4,
    ord("2"): 76,
}


@dataclass
class PrintedTicket:
    index: int
    raw: bytes
    png_path: Path | None
    raw_path: Path | None
    text: str  # decoded text lines joined by "\n"
    qr_data: tuple[str, ...]
    # time.perf_counter() when the bytes that ended the slip were read (benchmarks).
    received_at: float = 0.0


@dataclass(frozen=True)
class _Glyph:
    char: str
    cell: int  # dots at normal size: 12 Latin, 24 double-byte
    width: int
    height: int
    bold: bool


@dataclass
class _TextLine:
    glyphs: list[_Glyph] = field(default_factory=list)
    align: int = LEFT

    @property
    def dots(self) -> int:
        return sum(glyph.cell * glyph.width for glyph in self.glyphs)

    @property
    def height(self) -> int:
        return max((GLYPH_HEIGHT * glyph.height for glyph in self.glyphs), default=GLYPH_HEIGHT)

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)


@dataclass(frozen=True)
class _QrItem:
    data: bytes
    module: int
    level: int
    align: int


@dataclass(frozen=True)
class _ImageItem:
    image: Image.Image
    align: int


_Item = _TextLine | _QrItem | _ImageItem
# Where the driver's bytes come from: a pty (serial, USB-CDC) or a TCP client (port 9100).
_Link = PtyPort | TcpServerPort


@dataclass
class _Stream:
    """A payload consumed as it arrives: `remaining` bytes into `sink` (None = discard)."""

    remaining: int
    sink: bytearray | None = None
    done: Callable[[bytes], None] | None = None


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
        self._font_path = font_path
        self._fonts: tuple[_Font, _Font] | None = None

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
        # Slips waiting for their PNG. Rendering takes tens of ms; a real printer answers
        # DLE EOT at once, so the reader thread must never wait for a drawing.
        self._renders: queue.Queue[tuple[PrintedTicket, list[_Item]] | None] = queue.Queue()
        self._render_thread: threading.Thread | None = None
        self.dropped_tickets = 0  # slips that arrived while out of paper or with the cover open
        self.responses: deque[int] = deque(maxlen=256)  # status bytes sent, newest last
        # Answers given while no pty or TCP link is attached (fed in-process, as the USB
        # emulator does), waiting for `take_answers`.
        self._unread_answers = bytearray()
        self._port: _Link | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

        self._pending = bytearray()
        self._stream: _Stream | None = None
        self._print_data_seen = False
        self._cut_pending = False
        self._fed_at = 0.0
        # Page state, set for real by _power_on().
        self._align = LEFT
        self._latin_width = self._latin_height = 1
        self._cjk_width = self._cjk_height = 1
        self._bold = False
        self._chinese = False
        self._qr_module = 3
        self._qr_level = 0x30
        self._qr_data = b""
        self._raw = bytearray()
        self._items: list[_Item] = []
        self._line = _TextLine()
        self._power_on()

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
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="printer-emulator", daemon=True)
        self._thread.start()
        logger.info("printer emulator (%s) on %s", self.profile.name, link.device_path)

    def stop(self) -> None:
        """Stop the reader thread and close the pty; calling it again does nothing.

        Slips still being drawn are finished first, so none is lost."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
        renderer, self._render_thread = self._render_thread, None
        if renderer is not None:
            self._renders.put(None)
            renderer.join(timeout=30)
        with self._lock:
            port, self._port = self._port, None
        if port is not None:
            port.close()

    @property
    def device_path(self) -> str:
        """What the driver opens: the pty path, or `socket://127.0.0.1:PORT` over TCP."""
        port = self._port
        if port is None:
            raise RuntimeError("printer emulator is not started")
        return port.device_path

    def __enter__(self) -> PrinterEmulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        port = self._port
        assert port is not None
        chunk_size = max(1, self.baud // 100) if self.baud else 4096
        last_print_data = time.monotonic()
        while not self._stop.is_set():
            try:
                chunk = port.read(0.05, chunk_size)
            except OSError as exc:
                logger.error("printer emulator: read failed, stopping: %s", exc)
                return
            now = time.monotonic()
            if chunk:
                try:
                    self.feed(chunk)
                except Exception:  # a parser bug must not kill the emulator silently
                    logger.exception("printer emulator failed to parse input")
                if self._print_data_seen:
                    self._print_data_seen = False
                    last_print_data = now
                if self.baud:
                    # Emulate the wire: 10 bits a byte at the configured rate.
                    time.sleep(len(chunk) * 10 / self.baud)
            elif self.idle_flush is not None and now - last_print_data >= self.idle_flush:
                last_print_data = now
                with self._lock:
                    if self._has_content():
                        self._end_ticket()
                self._deliver()

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
            ticket = self._end_ticket() if self._has_content() else None
        self._deliver()
        return ticket

    def status_byte(self, n: int) -> int | None:
        """The answer to DLE EOT n in the current simulated state (None: no answer)."""
        offline = self.paper_end or self.cover_open or self.cutter_error
        if n == 1:
            return 0x16 | (0x08 if offline else 0)
        if n == 2:
            return (
                0x12
                | (0x04 if self.cover_open else 0)
                | (0x20 if self.paper_end else 0)
                | (0x40 if self.cutter_error else 0)
            )
        if n == 3:
            return 0x12 | (0x08 if self.cutter_error else 0)
        if n == 4:
            return 0x12 | (0x60 if self.paper_end else 0) | (0x0C if self.paper_near_end else 0)
        return None

    # -- parsing -------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Parse bytes from the wire. Never raises, whatever the input."""
        self._fed_at = time.perf_counter()
        with self._lock:
            self._pending += data
            self._process()
        self._deliver()

    def _process(self) -> None:
        buf = self._pending
        pos = 0
        while pos < len(buf):
            if self._stream is not None:
                pos += self._continue_stream(buf, pos)
                continue
            used, realtime = self._command(buf, pos)
            if used == 0:
                break  # incomplete: wait for more bytes
            if not realtime:
                self._keep_raw(buf[pos : pos + used])
                self._print_data_seen = True
            if self._cut_pending:  # only now: the cut command belongs to this slip's bytes
                self._cut_pending = False
                self._end_ticket()
            pos += used
        del buf[:pos]

    def _continue_stream(self, buf: bytearray, pos: int) -> int:
        stream = self._stream
        assert stream is not None
        taken = min(stream.remaining, len(buf) - pos)
        piece = buf[pos : pos + taken]
        self._keep_raw(piece)
        self._print_data_seen = True
        if stream.sink is not None:
            stream.sink += piece
        stream.remaining -= taken
        if stream.remaining == 0:
            self._stream = None
            if stream.done is not None and stream.sink is not None:
                stream.done(bytes(stream.sink))
        return taken

    def _keep_raw(self, data: bytes | bytearray) -> None:
        if len(self._raw) < MAX_RAW_BYTES:
            self._raw += data

    def _command(self, buf: bytearray, pos: int) -> tuple[int, bool]:
        """Handle the command at `pos`: (bytes used, 0 if incomplete; is real-time)."""
        byte = buf[pos]
        if byte == DLE:
            return self._dle(buf, pos), True
        if byte == ESC:
            return self._esc(buf, pos), False
        if byte == GS:
            return self._gs(buf, pos), False
        if byte == FS:
            return self._fs(buf, pos), False
        if byte == LF:
            self._line_feed()
        elif byte == HT:
            self._tab()
        elif byte >= 0x20 and byte != 0x7F:
            return self._text(buf, pos), False
        return 1, False  # CR and other control bytes do nothing

    @staticmethod
    def _have(buf: bytearray, pos: int, length: int) -> bool:
        return len(buf) - pos >= length

    def _dle(self, buf: bytearray, pos: int) -> int:
        if not self._have(buf, pos, 2):
            return 0
        kind = buf[pos + 1]
        if kind == 0x04:  # DLE EOT n: real-time status
            if not self._have(buf, pos, 3):
                return 0
            self._answer_status(buf[pos + 2])
            return 3
        if kind == 0x05:  # DLE ENQ n
            return 3 if self._have(buf, pos, 3) else 0
        if kind == 0x14:  # DLE DC4 fn a b
            return 5 if self._have(buf, pos, 5) else 0
        return 1  # a lone DLE is just a control byte

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

    def _esc(self, buf: bytearray, pos: int) -> int:
        if not self._have(buf, pos, 2):
            return 0
        code = buf[pos + 1]
        if code == ord("*"):  # ESC * m nL nH: column bit image (not drawn)
            if not self._have(buf, pos, 5):
                return 0
            columns = buf[pos + 3] | buf[pos + 4] << 8
            self._stream = _Stream(columns * (3 if buf[pos + 2] in (32, 33) else 1))
            return 5
        if code == ord("("):  # ESC ( fn pL pH ...
            return self._skip_sized(buf, pos)
        if code == ord("D"):  # ESC D n1 ... NUL: tab stops
            end = buf.find(0, pos + 2)
            return 0 if end < 0 else end - pos + 1
        length = _ESC_LENGTHS.get(code, 2)
        if not self._have(buf, pos, length):
            return 0
        self._esc_effect(code, buf[pos + 2] if length > 2 else 0)
        return length

    def _esc_effect(self, code: int, arg: int) -> None:
        if code == ord("@"):
            self._initialize()
        elif code == ord("a"):
            self._align = _ALIGNMENTS.get(arg, self._align)
        elif code == ord("!"):
            self._latin_width = 2 if arg & 0x20 else 1
            self._latin_height = 2 if arg & 0x10 else 1
            self._bold = bool(arg & 0x08)
        elif code in (ord("E"), ord("G")):
            self._bold = bool(arg & 1)
        elif code == ord("d"):
            for _ in range(arg):
                self._line_feed()
        elif code in (ord("i"), ord("m")):  # old full/partial cut
            self._cut()

    def _skip_sized(self, buf: bytearray, pos: int) -> int:
        """ESC ( / GS ( / FS ( fn pL pH d1...dk: skip the k = pL + 256 pH bytes."""
        if not self._have(buf, pos, 5):
            return 0
        self._stream = _Stream(buf[pos + 3] | buf[pos + 4] << 8)
        return 5

    def _gs(self, buf: bytearray, pos: int) -> int:
        if not self._have(buf, pos, 2):
            return 0
        code = buf[pos + 1]
        handler = {
            ord("V"): self._gs_cut,
            ord("("): self._gs_paren,
            ord("v"): self._gs_raster,
            ord("k"): self._gs_barcode,
            ord("8"): self._gs_eight,
            ord("*"): self._gs_star,
        }.get(code)
        if handler is not None:
            return handler(buf, pos)
        length = _GS_LENGTHS.get(code, 2)
        if not self._have(buf, pos, length):
            return 0
        if code == ord("!"):
            arg = buf[pos + 2]
            width, height = (arg >> 4 & 0x07) + 1, (arg & 0x07) + 1
            self._latin_width = self._cjk_width = width
            self._latin_height = self._cjk_height = height
        return length

    def _gs_cut(self, buf: bytearray, pos: int) -> int:
        if not self._have(buf, pos, 3):
            return 0
        length = 4 if buf[pos + 2] in (65, 66, 97, 98, 103, 104) else 3
        if not self._have(buf, pos, length):
            return 0
        if length == 4 and buf[pos + 2] in (65, 66):
            for _ in range(buf[pos + 3] // 30):  # feed n dots (about n/30 lines) first
                self._line_feed()
        self._cut()
        return length

    def _gs_paren(self, buf: bytearray, pos: int) -> int:
        """GS ( fn pL pH ...: QR (fn k) is interpreted, the other functions skipped."""
        if not self._have(buf, pos, 5):
            return 0
        size = buf[pos + 3] | buf[pos + 4] << 8
        if buf[pos + 2] != ord("k"):
            return self._skip_sized(buf, pos)
        if not self._have(buf, pos, 5 + size):
            return 0
        self._symbol(bytes(buf[pos + 5 : pos + 5 + size]))
        return 5 + size

    def _symbol(self, params: bytes) -> None:
        if len(params) < 2 or params[0] != 0x31:  # cn 0x31: QR code
            return
        function, args = params[1], params[2:]
        if function == 0x43 and args and 1 <= args[0] <= 16:
            self._qr_module = args[0]
        elif function == 0x45 and args and args[0] in _QR_LEVELS:
            self._qr_level = args[0]
        elif function == 0x50 and args:
            self._qr_data = args[1:]
        elif function == 0x51 and self._qr_data:
            self._flush_line()
            self._add_item(_QrItem(self._qr_data, self._qr_module, self._qr_level, self._align))

    def _gs_raster(self, buf: bytearray, pos: int) -> int:
        """GS v 0 m xL xH yL yH d1...dk: a bitmap, x bytes across, y rows."""
        if not self._have(buf, pos, 8):
            return 0
        if buf[pos + 2] != 0x30:
            return 2
        mode = buf[pos + 3] & 0x03
        width_bytes = buf[pos + 4] | buf[pos + 5] << 8
        rows = buf[pos + 6] | buf[pos + 7] << 8
        size = width_bytes * rows
        if size == 0:
            return 8
        align = self._align

        def done(bits: bytes) -> None:
            self._flush_line()
            self._add_item(_ImageItem(_raster_image(bits, width_bytes, rows, mode), align))

        keep = size <= MAX_RASTER_BYTES
        self._stream = _Stream(size, bytearray() if keep else None, done if keep else None)
        return 8

    def _gs_barcode(self, buf: bytearray, pos: int) -> int:
        """GS k m ...: a barcode (skipped; not drawn)."""
        if not self._have(buf, pos, 3):
            return 0
        kind = buf[pos + 2]
        if kind <= 6:
            end = buf.find(0, pos + 3)
            return 0 if end < 0 else end - pos + 1
        if not self._have(buf, pos, 4):
            return 0
        self._stream = _Stream(buf[pos + 3])
        return 4

    def _gs_eight(self, buf: bytearray, pos: int) -> int:
        """GS 8 L p1 p2 p3 p4 ...: graphics data with a 32-bit length (skipped)."""
        if not self._have(buf, pos, 3):
            return 0
        if buf[pos + 2] != ord("L"):
            return 2
        if not self._have(buf, pos, 7):
            return 0
        self._stream = _Stream(int.from_bytes(buf[pos + 3 : pos + 7], "little"))
        return 7

    def _gs_star(self, buf: bytearray, pos: int) -> int:
        """GS * x y d...: define a downloaded bit image, x * y * 8 bytes (skipped)."""
        if not self._have(buf, pos, 4):
            return 0
        self._stream = _Stream(buf[pos + 2] * buf[pos + 3] * 8)
        return 4

    def _fs(self, buf: bytearray, pos: int) -> int:
        if not self._have(buf, pos, 2):
            return 0
        code = buf[pos + 1]
        if code == ord("("):  # FS ( fn pL pH ...
            return self._skip_sized(buf, pos)
        length = _FS_LENGTHS.get(code, 2)
        if not self._have(buf, pos, length):
            return 0
        if code == ord("&"):
            self._chinese = True
        elif code == ord("."):
            self._chinese = False
        elif code == ord("!"):
            arg = buf[pos + 2]
            self._cjk_width = 2 if arg & 0x04 else 1
            self._cjk_height = 2 if arg & 0x08 else 1
        return length

    def _text(self, buf: bytearray, pos: int) -> int:
        byte = buf[pos]
        if byte < 0x80:
            self._put(chr(byte), LATIN_DOTS, self._latin_width, self._latin_height)
            return 1
        if not self._chinese:
            self._put(
                bytes([byte]).decode("cp437"), LATIN_DOTS, self._latin_width, self._latin_height
            )
            return 1
        if byte == 0x80 or byte == 0xFF:
            self._put("?", LATIN_DOTS, self._latin_width, self._latin_height)
            return 1
        if not self._have(buf, pos, 2):
            return 0
        trail = buf[pos + 1]
        if trail < 0x40 or trail == 0x7F or trail == 0xFF:
            # Not a two-byte character: the lead byte prints as a box, the next is re-read.
            self._put("?", CJK_DOTS, self._cjk_width, self._cjk_height)
            return 1
        char = bytes([byte, trail]).decode("gb18030", errors="replace")
        self._put(char, CJK_DOTS, self._cjk_width, self._cjk_height)
        return 2

    # -- the page ------------------------------------------------------------

    def _power_on(self) -> None:
        self._initialize()
        self._chinese = self.profile.chinese_mode  # Chinese printers start in Chinese mode

    def _initialize(self) -> None:
        """ESC @: styles back to default, line buffer cleared, Chinese mode off (strict)."""
        if self._has_content():
            self._end_ticket()  # a new document on a printer without cutter: tear off
        self._align = LEFT
        self._latin_width = self._latin_height = 1
        self._cjk_width = self._cjk_height = 1
        self._bold = False
        self._chinese = False
        self._line = _TextLine()
        self._qr_module = 3
        self._qr_level = 0x30
        self._qr_data = b""

    def _reset_ticket(self) -> None:
        self._raw = bytearray()
        self._items = []
        self._line = _TextLine()

    def _put(self, char: str, cell: int, width: int, height: int) -> None:
        glyph = _Glyph(char, cell, width, height, self._bold)
        if self._line.dots + cell * width > self.profile.dots and self._line.glyphs:
            self._flush_line()  # the printer wraps a line that is too long
        if not self._line.glyphs:
            self._line.align = self._align
        self._line.glyphs.append(glyph)

    def _tab(self) -> None:
        columns = self._line.dots // LATIN_DOTS
        for _ in range(8 - columns % 8):
            self._put(" ", LATIN_DOTS, 1, 1)

    def _flush_line(self) -> None:
        """Print a pending partial line (before an image), without feeding an empty one."""
        if self._line.glyphs:
            self._line_feed()

    def _line_feed(self) -> None:
        self._add_item(self._line)
        self._line = _TextLine(align=self._align)

    def _add_item(self, item: _Item) -> None:
        if len(self._items) < MAX_ITEMS_PER_TICKET:
            self._items.append(item)

    def _has_content(self) -> bool:
        return bool(self._line.glyphs) or any(
            not isinstance(item, _TextLine) or item.glyphs for item in self._items
        )

    def _cut(self) -> None:
        self._flush_line()
        self._cut_pending = True

    def _end_ticket(self) -> PrintedTicket | None:
        """Close the current slip; a slip printed without paper or with the cover open is lost."""
        self._flush_line()
        raw, items = bytes(self._raw), self._items
        self._reset_ticket()
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
            text="\n".join(item.text for item in items if isinstance(item, _TextLine)),
            qr_data=tuple(
                item.data.decode("utf-8", errors="replace")
                for item in items
                if isinstance(item, _QrItem)
            ),
            received_at=self._fed_at,
        )
        if self.out_dir is None:
            self._publish(ticket)
        elif threading.current_thread() is self._thread:
            self._render_later(ticket, items)
        else:  # fed directly (tests, the flush command): draw now
            ticket.raw_path, ticket.png_path = self._save(ticket.index, raw, items)
            self._publish(ticket)
        return ticket

    def _publish(self, ticket: PrintedTicket) -> None:
        """The slip is out (and drawn, where slips are drawn): waiters see it now."""
        with self._lock:
            self._tickets.append(ticket)
            self._finished.append(ticket)
            self._changed.notify_all()

    def _render_later(self, ticket: PrintedTicket, items: list[_Item]) -> None:
        if self._render_thread is None:
            self._render_thread = threading.Thread(
                target=self._render_slips, name="printer-emulator-render", daemon=True
            )
            self._render_thread.start()
        self._renders.put((ticket, items))

    def _render_slips(self) -> None:
        while (job := self._renders.get()) is not None:
            ticket, items = job
            try:
                ticket.raw_path, ticket.png_path = self._save(ticket.index, ticket.raw, items)
            except Exception:  # a drawing bug must not lose the slip
                logger.exception("printer emulator could not draw slip %d", ticket.index)
            self._publish(ticket)
            self._deliver()

    def _deliver(self) -> None:
        """Run the on_ticket callback outside the lock for slips finished meanwhile."""
        with self._lock:
            finished, self._finished = self._finished, []
        if self.on_ticket is not None:
            for ticket in finished:
                self.on_ticket(ticket)

    def _save(self, index: int, raw: bytes, items: list[_Item]) -> tuple[Path | None, Path | None]:
        assert self.out_dir is not None
        raw_path = self.out_dir / f"ticket-{index:03d}.escpos"
        png_path = self.out_dir / f"ticket-{index:03d}.png"
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            raw_path.write_bytes(raw)
            self._draw(items).save(png_path)
        except OSError as exc:
            logger.error("printer emulator cannot save slip %d: %s", index, exc)
            return None, None
        return raw_path, png_path

    # -- drawing -------------------------------------------------------------

    def _load_fonts(self) -> tuple[_Font, _Font]:
        if self._fonts is None:
            path = self._font_path or find_cjk_font()
            self._fonts = _load_fonts(path)
        return self._fonts

    def _draw(self, items: list[_Item]) -> Image.Image:
        pictures = [self._picture(item) for item in items]
        height = min(MAX_PNG_HEIGHT, 2 * MARGIN + sum(p.height for p, _ in pictures))
        page = Image.new("L", (self.profile.dots, height), 255)
        y = MARGIN
        for picture, align in pictures:
            if y >= height:
                break
            page.paste(picture, (_x_for(align, picture.width, self.profile.dots), y))
            y += picture.height
        return page

    def _picture(self, item: _Item) -> tuple[Image.Image, int]:
        if isinstance(item, _TextLine):
            return self._text_picture(item), item.align
        if isinstance(item, _QrItem):
            return _qr_picture(item), item.align
        return item.image.convert("L"), item.align

    def _text_picture(self, line: _TextLine) -> Image.Image:
        latin_font, cjk_font = self._load_fonts()
        height = line.height
        picture = Image.new("L", (max(1, line.dots), height + LINE_SPACING), 255)
        x = 0
        for glyph in line.glyphs:
            cell = Image.new("L", (glyph.cell, GLYPH_HEIGHT), 255)
            font = latin_font if glyph.cell == LATIN_DOTS else cjk_font
            ImageDraw.Draw(cell).text(
                (glyph.cell / 2, GLYPH_HEIGHT - 4),
                glyph.char,
                fill=0,
                font=font,
                anchor="ms",
                stroke_width=1 if glyph.bold else 0,
                stroke_fill=0,
            )
            size = (glyph.cell * glyph.width, GLYPH_HEIGHT * glyph.height)
            if size != cell.size:
                cell = cell.resize(size, Image.Resampling.NEAREST)
            picture.paste(cell, (x, height - size[1]))  # glyphs share a baseline
            x += size[0]
        return picture


def _load_fonts(path: Path | None) -> tuple[_Font, _Font]:
    """(Latin font sized for 12-dot cells, Chinese font for 24-dot cells)."""
    if path is None:
        logger.warning("no Chinese font found: emulated slips show boxes for Chinese text")
        return ImageFont.load_default(20), ImageFont.load_default(24)
    try:
        cjk = ImageFont.truetype(str(path), GLYPH_HEIGHT)
        try:
            latin = ImageFont.truetype(str(path), 20, index=1)  # the Mono face of a TTC
        except OSError:
            latin = ImageFont.truetype(str(path), 20)
    except OSError as exc:
        logger.warning("cannot load font %s: %s", path, exc)
        return ImageFont.load_default(20), ImageFont.load_default(24)
    return latin, cjk


def _x_for(align: int, width: int, dots: int) -> int:
    if align == CENTER:
        return max(0, (dots - width) // 2)
    if align == RIGHT:
        return max(0, dots - width)
    return 0


def _raster_image(bits: bytes, width_bytes: int, rows: int, mode: int) -> Image.Image:
    """A GS v 0 bitmap (1 = black) as a Pillow image, scaled by the command's mode."""
    # Pillow's mode "1" stores 1 as white: invert the bits.
    image = Image.frombytes("1", (width_bytes * 8, rows), bytes(b ^ 0xFF for b in bits))
    scale_x = 2 if mode & 0x01 else 1
    scale_y = 2 if mode & 0x02 else 1
    if scale_x != 1 or scale_y != 1:
        image = image.resize((image.width * scale_x, image.height * scale_y))
    return image


def _qr_picture(item: _QrItem) -> Image.Image:
    code = qrcode.QRCode(error_correction=_QR_LEVELS[item.level], box_size=1, border=4)
    try:
        code.add_data(item.data, optimize=0)
        code.make(fit=True)
    except (DataOverflowError, ValueError):
        logger.warning("printer emulator: QR data does not fit a symbol; nothing printed")
        return Image.new("L", (1, 1), 255)
    matrix = code.get_matrix()
    size = len(matrix)
    pixels = bytes(0 if cell else 255 for row in matrix for cell in row)
    image = Image.frombytes("L", (size, size), pixels)
    return image.resize((size * item.module, size * item.module), Image.Resampling.NEAREST)


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
    threading.Thread(target=_read_commands, args=(emulator,), daemon=True).start()
    return serve_until(stop, emulator.stop)


if __name__ == "__main__":
    raise SystemExit(main())
