"""ESC/POS: the printer emulator's command parser (and its slip drawing) and the printer
driver's status answers, on arbitrary bytes.

The emulator must never raise, whatever it is sent; every slip it cuts is
numbered in order. The driver's status must be a PrinterStatus for any
answer. Long run: `python -m fuzz escpos -max_total_time=60`.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from drivers.printer.device import Printer
from drivers.printer.document import Align, FeedBlock, PrintDocument, QrBlock, TextBlock
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterStatus
from drivers.sim.printer import PrinterEmulator
from fuzz._harness import chunks, main_for

PROFILE_NAMES = sorted(PROFILES)
QR = b"\x1d(k\x03\x001C\x06\x1d(k\x03\x001E1\x1d(k\x08\x001P0A0042\x1d(k\x03\x001Q0"
RASTER = b"\x1dv0\x00\x02\x00\x03\x00" + bytes([0xF0, 0x0F] * 3)
# A first byte of 0xFF also draws the slips (PNG files in a temporary directory).
DRAW = 0xFF
SLIP = PrintDocument(
    (
        TextBlock("A012", align=Align.CENTER, width=2, height=2),
        TextBlock("请到 3 号窗口办理 Window 3"),
        QrBlock("https://hall.example.cn/t/A012"),
        FeedBlock(1),
    )
)
SEEDS = [
    b"\x00" + render(SLIP, PROFILES["generic80"]).data,
    b"\x00\x1b@\x1ca\x01\x1b!\x30A012\n\x1c&\xc4\xfa\xba\xc3\n" + QR + b"\n\x1dVA\x10",
    b"\xff\x1b@" + RASTER + b"\x10\x04\x01\x10\x04\x04\x1dV\x00",
    b"\x02\x1b*\x21\x02\x00" + bytes(6) + b"\x1d(L\x02\x0000\x1dk\x04123\x00\x1dV\x01",
]


@cache
def _out_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="fuzz-escpos-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


class _StatusLink:
    """A printer port whose status answers are the fuzz, one byte a query."""

    def __init__(self, answers: bytes) -> None:
        self.answers = answers
        self.url = "fuzz://printer"
        self.readable = True

    def ensure_open(self) -> bool:
        return True

    def reset_input(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        pass

    def read(self, size: int, timeout: float | None = None) -> bytes:
        answer, self.answers = self.answers[:size], self.answers[size:]
        return answer


def fuzz_one_input(data: bytes) -> None:
    if not data:
        return
    draw = data[0] == DRAW  # drawing is slow: the fuzzer picks it now and then
    profile = PROFILES[PROFILE_NAMES[data[0] & 1]]
    size, payload = (data[0] >> 1) % 32 + 1, data[1:]
    emulator = PrinterEmulator(out_dir=_out_dir() if draw else None, profile=profile)
    for piece in chunks(payload, size):
        emulator.feed(piece)
    emulator.flush_ticket()
    tickets = emulator.tickets
    assert [ticket.index for ticket in tickets] == list(range(1, len(tickets) + 1))
    printer = Printer(_StatusLink(payload[:8]), profile)  # type: ignore[arg-type]
    for _ in range(3):
        assert isinstance(printer.status(), PrinterStatus)


def main() -> None:
    main_for("escpos")


if __name__ == "__main__":
    main()
