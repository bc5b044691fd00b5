"""The emulated printer's command interpreter: ESC/POS bytes to a slip, as a printer reads them.

A state machine over the byte stream (bytes may arrive split anywhere), using
the same opcodes and parameter lengths as the driver (`drivers.printer.protocol`).
It never raises, whatever it is sent. A status request (DLE EOT n) is handed to
`on_status`; every finished slip (a cut, or `ESC @` after printed matter) to
`on_slip` with the raw bytes that made it.

It is deliberately strict where real printers differ: after `ESC @` it is out
of Chinese mode until `FS &` arrives, so a driver that forgets `FS &` prints
mojibake here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drivers.printer import protocol as wire
from drivers.printer.profiles import PrinterProfile
from drivers.sim.slip import (
    CENTER,
    CJK_DOTS,
    LATIN_DOTS,
    LEFT,
    QR_LEVELS,
    RIGHT,
    Glyph,
    ImageItem,
    Item,
    QrItem,
    TextLine,
    raster_picture,
)

# Limits that keep a garbage stream from eating the machine.
MAX_ITEMS_PER_TICKET = 5000
MAX_RASTER_BYTES = 1 << 21
MAX_RAW_BYTES = 1 << 22

# ESC a n takes 0..2 or the ASCII digits "0".."2".
_ALIGNMENTS = {code: n for n in (LEFT, CENTER, RIGHT) for code in (n, ord("0") + n)}
_INTRODUCERS = frozenset({wire.ESC[0], wire.GS[0], wire.FS[0]})
_DLE, _LF, _HT = wire.DLE[0], wire.LF[0], wire.HT[0]
_QR_DEFAULT_MODULE = 3


@dataclass
class _Stream:
    """A payload consumed as it arrives: `remaining` bytes into `sink` (None = discard)."""

    remaining: int
    sink: bytearray | None = None
    done: Callable[[bytes], None] | None = None


class EscPosParser:
    def __init__(
        self,
        profile: PrinterProfile,
        *,
        on_status: Callable[[int], None],
        on_slip: Callable[[bytes, list[Item]], object],
    ) -> None:
        self.profile = profile
        self._on_status = on_status
        self._on_slip = on_slip
        # Set when bytes that print (not real-time queries) arrived; the reader clears it.
        self.print_data_seen = False
        self._pending = bytearray()
        self._stream: _Stream | None = None
        self._cut_pending = False
        self._raw = bytearray()
        self._items: list[Item] = []
        self._line = TextLine()
        # Commands whose length depends on their parameters.
        self._variable: dict[bytes, Callable[[bytearray, int], int]] = {
            wire.CUT: self._cut_command,
            wire.SYMBOL[:2]: self._symbol_command,
            wire.RASTER_IMAGE[:2]: self._raster,
        }
        self._effects: dict[bytes, Callable[[int], None]] = {
            wire.INIT: lambda arg: self._initialize(),
            wire.SELECT_ALIGN: self._select_align,
            wire.PRINT_MODE: self._print_mode,
            wire.BOLD: self._select_bold,
            wire.DOUBLE_STRIKE: self._select_bold,
            wire.PRINT_AND_FEED: self._feed,
            wire.OLD_FULL_CUT: lambda arg: self._cut(),
            wire.OLD_PARTIAL_CUT: lambda arg: self._cut(),
            wire.CHARACTER_SIZE: self._character_size,
            wire.CHINESE_ON: lambda arg: self._set_chinese(True),
            wire.CHINESE_OFF: lambda arg: self._set_chinese(False),
            wire.CHINESE_SIZE: self._chinese_size,
        }
        self._initialize()
        self._chinese = profile.chinese_mode  # Chinese printers start in Chinese mode

    # -- the stream ----------------------------------------------------------

    def feed(self, data: bytes) -> None:
        self._pending += data
        buf = self._pending
        pos = 0
        while pos < len(buf):
            if self._stream is not None:
                pos += self._continue_stream(buf, pos)
                continue
            used, real_time = self._command(buf, pos)
            if used == 0:
                break  # incomplete: wait for more bytes
            if not real_time:
                self._keep_raw(buf[pos : pos + used])
                self.print_data_seen = True
            if self._cut_pending:  # only now: the cut command belongs to this slip's bytes
                self._cut_pending = False
                self._end_slip()
            pos += used
        del buf[:pos]

    def _continue_stream(self, buf: bytearray, pos: int) -> int:
        stream = self._stream
        assert stream is not None
        taken = min(stream.remaining, len(buf) - pos)
        piece = buf[pos : pos + taken]
        self._keep_raw(piece)
        self.print_data_seen = True
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
        if byte == _DLE:
            return self._real_time(buf, pos), True
        if byte in _INTRODUCERS:
            return self._escape(buf, pos), False
        if byte == _LF:
            self._line_feed()
        elif byte == _HT:
            self._tab()
        elif byte >= 0x20 and byte != 0x7F:
            return self._text(buf, pos), False
        return 1, False  # CR and other control bytes do nothing

    def _real_time(self, buf: bytearray, pos: int) -> int:
        if not wire.have(buf, pos, 2):
            return 0
        prefix = bytes(buf[pos : pos + 2])
        length = wire.REAL_TIME_LENGTHS.get(prefix)
        if length is None:
            return 1  # a lone DLE is just a control byte
        if not wire.have(buf, pos, length):
            return 0
        if prefix == wire.STATUS_REQUEST:
            self._on_status(buf[pos + 2])
        return length

    def _escape(self, buf: bytearray, pos: int) -> int:
        if not wire.have(buf, pos, 2):
            return 0
        prefix = bytes(buf[pos : pos + 2])
        variable = self._variable.get(prefix)
        if variable is not None:
            return variable(buf, pos)
        undrawn = wire.UNDRAWN_PAYLOADS.get(prefix)
        if undrawn is not None:
            return self._skip(*undrawn(buf, pos))
        length = wire.COMMAND_LENGTHS.get(prefix, 2)
        if not wire.have(buf, pos, length):
            return 0
        effect = self._effects.get(prefix)
        if effect is not None:
            effect(buf[pos + 2] if length > 2 else 0)
        return length

    # -- commands of variable length -----------------------------------------

    def _skip(self, used: int, payload: int) -> int:
        """Take a command of `used` bytes whose `payload` bytes after it are passed over."""
        if payload:
            self._stream = _Stream(payload)
        return used

    def _cut_command(self, buf: bytearray, pos: int) -> int:
        if not wire.have(buf, pos, 3):
            return 0
        mode = buf[pos + 2]
        length = 4 if mode in wire.CUT_WITH_FEED else 3
        if not wire.have(buf, pos, length):
            return 0
        if mode in wire.CUT_FEED_FIRST:
            self._feed(buf[pos + 3] // wire.DOTS_PER_LINE)  # feed n dots first
        self._cut()
        return length

    def _symbol_command(self, buf: bytearray, pos: int) -> int:
        """GS ( fn pL pH ...: QR (fn k) is interpreted, the other functions skipped."""
        if not wire.have(buf, pos, 5):
            return 0
        size = buf[pos + 3] | buf[pos + 4] << 8
        if buf[pos + 2] != wire.SYMBOL[2]:
            return self._skip(*wire.sized_length(buf, pos))
        if not wire.have(buf, pos, 5 + size):
            return 0
        self._qr(bytes(buf[pos + 5 : pos + 5 + size]))
        return 5 + size

    def _qr(self, params: bytes) -> None:
        if len(params) < 2 or params[0] != wire.QR:
            return
        function, args = params[1], params[2:]
        if function == wire.QR_MODULE_SIZE and args and 1 <= args[0] <= wire.QR_MAX_MODULE:
            self._qr_module = args[0]
        elif function == wire.QR_ERROR_LEVEL and args and args[0] in QR_LEVELS:
            self._qr_level = args[0]
        elif function == wire.QR_STORE and args:
            self._qr_data = args[1:]
        elif function == wire.QR_PRINT and self._qr_data:
            self._flush_line()
            self._add_item(QrItem(self._qr_data, self._qr_module, self._qr_level, self._align))

    def _raster(self, buf: bytearray, pos: int) -> int:
        """GS v 0 m xL xH yL yH d1...dk: a bitmap, x bytes across, y rows."""
        if not wire.have(buf, pos, 8):
            return 0
        if buf[pos + 2] != wire.RASTER_IMAGE[2]:
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
            self._add_item(ImageItem(raster_picture(bits, width_bytes, rows, mode), align))

        keep = size <= MAX_RASTER_BYTES
        self._stream = _Stream(size, bytearray() if keep else None, done if keep else None)
        return 8

    # -- settings --------------------------------------------------------------

    def _initialize(self) -> None:
        """ESC @: styles back to default, line buffer cleared, Chinese mode off (strict)."""
        if self.has_content():
            self._end_slip()  # a new document on a printer without cutter: tear off
        self._align = LEFT
        self._latin_width = self._latin_height = 1
        self._cjk_width = self._cjk_height = 1
        self._bold = False
        self._chinese = False
        self._line = TextLine()
        self._qr_module = _QR_DEFAULT_MODULE
        self._qr_level = wire.QR_LEVEL_L
        self._qr_data = b""

    def _select_align(self, arg: int) -> None:
        self._align = _ALIGNMENTS.get(arg, self._align)

    def _print_mode(self, arg: int) -> None:
        self._latin_width = 2 if arg & wire.PRINT_MODE_DOUBLE_WIDTH else 1
        self._latin_height = 2 if arg & wire.PRINT_MODE_DOUBLE_HEIGHT else 1
        self._bold = bool(arg & wire.PRINT_MODE_BOLD)

    def _select_bold(self, arg: int) -> None:
        self._bold = bool(arg & 1)

    def _character_size(self, arg: int) -> None:
        width, height = (arg >> 4 & 0x07) + 1, (arg & 0x07) + 1
        self._latin_width = self._cjk_width = width
        self._latin_height = self._cjk_height = height

    def _set_chinese(self, on: bool) -> None:
        self._chinese = on

    def _chinese_size(self, arg: int) -> None:
        self._cjk_width = 2 if arg & wire.CHINESE_DOUBLE_WIDTH else 1
        self._cjk_height = 2 if arg & wire.CHINESE_DOUBLE_HEIGHT else 1

    # -- the page ------------------------------------------------------------

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
        if not wire.have(buf, pos, 2):
            return 0
        trail = buf[pos + 1]
        if trail < 0x40 or trail == 0x7F or trail == 0xFF:
            # Not a two-byte character: the lead byte prints as a box, the next is re-read.
            self._put("?", CJK_DOTS, self._cjk_width, self._cjk_height)
            return 1
        char = bytes([byte, trail]).decode("gb18030", errors="replace")
        self._put(char, CJK_DOTS, self._cjk_width, self._cjk_height)
        return 2

    def _put(self, char: str, cell: int, width: int, height: int) -> None:
        glyph = Glyph(char, cell, width, height, self._bold)
        if self._line.dots + cell * width > self.profile.dots and self._line.glyphs:
            self._flush_line()  # the printer wraps a line that is too long
        if not self._line.glyphs:
            self._line.align = self._align
        self._line.glyphs.append(glyph)

    def _tab(self) -> None:
        columns = self._line.dots // LATIN_DOTS
        for _ in range(8 - columns % 8):
            self._put(" ", LATIN_DOTS, 1, 1)

    def _feed(self, lines: int) -> None:
        for _ in range(lines):
            self._line_feed()

    def _flush_line(self) -> None:
        """Print a pending partial line (before an image), without feeding an empty one."""
        if self._line.glyphs:
            self._line_feed()

    def _line_feed(self) -> None:
        self._add_item(self._line)
        self._line = TextLine(align=self._align)

    def _add_item(self, item: Item) -> None:
        if len(self._items) < MAX_ITEMS_PER_TICKET:
            self._items.append(item)

    def has_content(self) -> bool:
        return bool(self._line.glyphs) or any(
            not isinstance(item, TextLine) or item.glyphs for item in self._items
        )

    def _cut(self) -> None:
        self._flush_line()
        self._cut_pending = True

    def tear_off(self) -> tuple[bytes, list[Item]]:
        """End the current slip: its raw bytes and what is on it; the next slip starts empty."""
        self._flush_line()
        raw, items = bytes(self._raw), self._items
        self._raw = bytearray()
        self._items = []
        self._line = TextLine()
        return raw, items

    def _end_slip(self) -> None:
        self._on_slip(*self.tear_off())
