"""ESC/POS on the wire: opcodes, parameter lengths and status bits (DEVICES.md §1).

The one home of these facts: the driver builds its commands from them
(`drivers.printer.commands`, `drivers.printer.status`) and the emulator parses
with them (`drivers.sim.escpos_parser`). Commands python-escpos names come from
its constants (`drivers.printer.python_escpos`); Chinese mode, the QR function
codes and the parameter lengths are ours.

A command is named by its prefix: the introducer byte (ESC, GS, FS, DLE) and
the opcode byte after it.
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.printer import python_escpos as lib

ESC, GS, FS, DLE = lib.ESC, lib.GS, lib.FS, lib.DLE
LF, HT = lib.LF, lib.HT

# -- commands the driver sends ---------------------------------------------------------

INIT = lib.INIT  # ESC @: styles back to default; may leave Chinese mode
CHINESE_ON = FS + b"&"  # after every INIT (DEVICES.md §1)
CHINESE_OFF = FS + b"."
SELECT_ALIGN = lib.ALIGN_LEFT[:2]  # ESC a n
ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT = (
    command[2] for command in (lib.ALIGN_LEFT, lib.ALIGN_CENTER, lib.ALIGN_RIGHT)
)
CHARACTER_SIZE = lib.CHARACTER_SIZE  # GS ! n: high nibble width - 1, low nibble height - 1
BOLD = lib.BOLD_ON[:2]  # ESC E n: bit 0
BOLD_ON, BOLD_OFF = lib.BOLD_ON, lib.BOLD_OFF
PRINT_AND_FEED = ESC + b"d"  # ESC d n: print the buffer, feed n lines
CUT = lib.FULL_CUT[:2]  # GS V m [n]
PARTIAL_CUT = lib.PARTIAL_CUT  # GS V 1
RASTER_IMAGE = lib.RASTER_IMAGE[:3]  # GS v 0 m xL xH yL yH d1...dk
RASTER_NORMAL = lib.RASTER_IMAGE[3]  # m = 0: no scaling
STATUS_REQUEST = lib.STATUS_REQUEST  # DLE EOT n: answered at once with one byte
STATUS_KINDS = (1, 2, 3, 4)  # n: printer, offline cause, error cause, paper sensor

# GS ( k cn fn ...: two-dimensional codes; cn 0x31 is QR, fn the function.
SYMBOL = GS + b"(k"
QR = 0x31
QR_SELECT_MODEL = 0x41
QR_MODULE_SIZE = 0x43
QR_ERROR_LEVEL = 0x45
QR_STORE = 0x50
QR_PRINT = 0x51
QR_STORE_M = 0x30  # m of store and print
QR_MAX_MODULE = 16
# Parameters are ASCII digits: level L, M, Q, H are "0".."3", model 2 is "2".
QR_MODEL_2 = ord("0") + lib.QR_MODEL_2
QR_LEVEL_L, QR_LEVEL_M, QR_LEVEL_Q, QR_LEVEL_H = (
    ord("0") + level for level in (lib.QR_LEVEL_L, lib.QR_LEVEL_M, lib.QR_LEVEL_Q, lib.QR_LEVEL_H)
)

# -- more commands the emulator understands --------------------------------------------

PRINT_MODE = ESC + b"!"  # ESC ! n: Latin double width, double height, bold
PRINT_MODE_DOUBLE_WIDTH = 0x20
PRINT_MODE_DOUBLE_HEIGHT = 0x10
PRINT_MODE_BOLD = 0x08
DOUBLE_STRIKE = ESC + b"G"  # ESC G n: prints as bold
CHINESE_SIZE = FS + b"!"  # FS ! n: Chinese only
CHINESE_DOUBLE_WIDTH = 0x04
CHINESE_DOUBLE_HEIGHT = 0x08
OLD_FULL_CUT = ESC + b"i"
OLD_PARTIAL_CUT = ESC + b"m"
# GS V m n: these m take a fourth byte n; with 65 and 66 the printer first feeds n dots.
CUT_WITH_FEED = frozenset({65, 66, 97, 98, 103, 104})
CUT_FEED_FIRST = frozenset({65, 66})
DOTS_PER_LINE = 30  # the default line pitch
BIT_IMAGE = ESC + b"*"  # ESC * m nL nH d...: nL + 256 nH columns, 3 bytes each in m 32, 33
BIT_IMAGE_24_DOT_MODES = frozenset({32, 33})
SET_TABS = lib.SET_TABS  # ESC D n1 ... NUL
BARCODE = GS + b"k"  # GS k m d... NUL (m <= 6), GS k m n d1...dn (m >= 65)
BARCODE_NUL_TERMINATED_MAX = 6
GRAPHICS = GS + b"8L"  # GS 8 L p1 p2 p3 p4 ...: 32-bit length
DEFINE_BIT_IMAGE = GS + b"*"  # GS * x y d...: x * y * 8 bytes
REAL_TIME_LENGTHS = {
    STATUS_REQUEST: 3,
    DLE + lib.ENQ: 3,  # DLE ENQ n
    DLE + lib.DC4: 5,  # DLE DC4 fn a b
}

# Total length of every fixed-size command, by prefix; any other ESC, GS or FS
# command is taken as two bytes.
COMMAND_LENGTHS: dict[bytes, int] = (
    {ESC + bytes([opcode]): 3 for opcode in b"a!EG-3tMRd JKe{V r=%?UT"}
    | {ESC + opcode: 2 for opcode in (b"@", b"2", b"i", b"m")}
    | {ESC + opcode: 4 for opcode in (b"$", b"\\", b"c")}
    | {ESC + b"p": 5, ESC + b"W": 10}
    | {GS + bytes([opcode]): 3 for opcode in b"!BHhwfaIrbT/E"}
    | {GS + opcode: 4 for opcode in (b"L", b"W", b"$", b"\\", b"P")}
    | {GS + b"^": 5, GS + b":": 2}
    | {FS + bytes([opcode]): 3 for opcode in b"!-CW"}
    | {FS + opcode: 4 for opcode in (b"S", b"p", b"?")}
    | {CHINESE_ON: 2, CHINESE_OFF: 2, FS + b"2": 76}
)

# Commands with a payload the emulator does not draw, and how long each is: a
# function of the bytes from the command on, giving (command bytes, payload bytes
# after them), or (0, 0) while the command is incomplete.
Buffer = bytes | bytearray
Length = Callable[[Buffer, int], tuple[int, int]]
INCOMPLETE = (0, 0)


def have(buf: Buffer, pos: int, length: int) -> bool:
    return len(buf) - pos >= length


def sized_length(buf: Buffer, pos: int) -> tuple[int, int]:
    """ESC ( / GS ( / FS ( fn pL pH d1...dk: k = pL + 256 pH bytes after five."""
    return (5, buf[pos + 3] | buf[pos + 4] << 8) if have(buf, pos, 5) else INCOMPLETE


def _bit_image_length(buf: Buffer, pos: int) -> tuple[int, int]:
    if not have(buf, pos, 5):
        return INCOMPLETE
    columns = buf[pos + 3] | buf[pos + 4] << 8
    return 5, columns * (3 if buf[pos + 2] in BIT_IMAGE_24_DOT_MODES else 1)


def _nul_terminated(buf: Buffer, pos: int, start: int) -> tuple[int, int]:
    end = buf.find(0, pos + start)
    return INCOMPLETE if end < 0 else (end - pos + 1, 0)


def _barcode_length(buf: Buffer, pos: int) -> tuple[int, int]:
    if not have(buf, pos, 3):
        return INCOMPLETE
    if buf[pos + 2] <= BARCODE_NUL_TERMINATED_MAX:
        return _nul_terminated(buf, pos, 3)
    return (4, buf[pos + 3]) if have(buf, pos, 4) else INCOMPLETE


def _graphics_length(buf: Buffer, pos: int) -> tuple[int, int]:
    if not have(buf, pos, 3):
        return INCOMPLETE
    if buf[pos + 2] != GRAPHICS[2]:
        return 2, 0
    if not have(buf, pos, 7):
        return INCOMPLETE
    return 7, int.from_bytes(buf[pos + 3 : pos + 7], "little")


def _define_bit_image_length(buf: Buffer, pos: int) -> tuple[int, int]:
    return (4, buf[pos + 2] * buf[pos + 3] * 8) if have(buf, pos, 4) else INCOMPLETE


UNDRAWN_PAYLOADS: dict[bytes, Length] = {
    BIT_IMAGE: _bit_image_length,
    SET_TABS: lambda buf, pos: _nul_terminated(buf, pos, 2),
    BARCODE: _barcode_length,
    GRAPHICS[:2]: _graphics_length,
    DEFINE_BIT_IMAGE: _define_bit_image_length,
    ESC + b"(": sized_length,
    FS + b"(": sized_length,
}

# -- status answers (DLE EOT n) ----------------------------------------------------

# Bits 1 and 4 are set in every real status byte; anything else is noise or a stale byte.
STATUS_FIXED_BITS = lib.STATUS_PAPER_PRESENT
OFFLINE_BIT = lib.STATUS_OFFLINE_MASK  # n=1
DRAWER_PIN_BIT = 0x04  # n=1: drawer connector pin 3 (high on most printers)
COVER_OPEN_BIT = 0x04  # n=2
FEED_BUTTON_BIT = 0x08  # n=2
PAPER_END_STOP_BIT = 0x20  # n=2
ERROR_BIT = 0x40  # n=2
CUTTER_ERROR_BIT = 0x08  # n=3
UNRECOVERABLE_BIT = 0x20  # n=3
AUTO_RECOVERABLE_BIT = 0x40  # n=3
PAPER_NEAR_END_BITS = lib.STATUS_PAPER_LOW & ~STATUS_FIXED_BITS  # n=4: 0x0C
PAPER_END_BITS = lib.STATUS_PAPER_OUT & ~STATUS_FIXED_BITS  # n=4: 0x60
