"""The QR / barcode scanner's line decoder and `Scanner.read_code` on arbitrary bytes.

Only ScannerError may come out; every code returned is text without the
suffix, at most MAX_CODE_BYTES long, without control characters other than
TAB and GS. Long run: `python -m fuzz scanner -max_total_time=60`.
"""

from __future__ import annotations

from drivers.scanner import MAX_CODE_BYTES, ScanLineDecoder, Scanner, ScannerError
from fuzz._harness import chunks, main_for

SUFFIXES = (b"\r", b"\r\n")
ALLOWED_CONTROLS = "\t\x1d"

SEEDS = [
    b"\x00YY20261123\r",
    b"\x01HALLTP:91350100M000100Y43\r\n",
    b"\x02\x00\xff\x1b[\r" + b"9" * 600 + b"\rafter\r",
    b"\x05" + "预约码-42".encode() + b"\r\nnext\r\n",
]


def check_code(code: str) -> None:
    assert "\r" not in code, "a suffix character inside a code"
    assert "\n" not in code, "a suffix character inside a code"
    assert code, "an empty code"
    assert len(code.encode("utf-8")) <= MAX_CODE_BYTES, "an over-long code"
    assert all(char >= " " or char in ALLOWED_CONTROLS for char in code), "a control character"


class _Link:
    """A port that delivers the fuzz in pieces, one piece a read, then silence."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.url = "fuzz://scanner"
        self.is_open = False
        self.now = 0.0

    def open(self) -> None:
        self.is_open = True

    def ensure_open(self) -> bool:
        self.is_open = True
        return True

    def read(self, size: int, timeout: float | None = None) -> bytes:
        if not self.pieces:
            self.now += timeout or 0.0
            return b""
        piece = self.pieces[0][:size]
        self.pieces[0] = self.pieces[0][size:]
        if not self.pieces[0]:
            self.pieces.pop(0)
        return piece

    def close(self) -> None:
        self.is_open = False


def fuzz_one_input(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIXES[data[0] & 1]
    size, payload = (data[0] >> 1) % 64 + 1, data[1:]
    decoder = ScanLineDecoder(suffix)
    for piece in chunks(payload, size):
        decoder.feed(piece)
        while True:
            try:
                code = decoder.next_code()
            except ScannerError:
                continue
            if code is None:
                break
            check_code(code)
        assert decoder.pending <= MAX_CODE_BYTES + len(suffix), "decoder holds too much"
    link = _Link(chunks(payload, size))
    scanner = Scanner(link, suffix, monotonic=lambda: link.now, pause=lambda seconds: None)
    for _ in range(len(payload) + 2):
        try:
            code = scanner.read_code(0.1)
        except ScannerError:
            continue
        if code is None:
            break
        check_code(code)


def main() -> None:
    main_for("scanner")


if __name__ == "__main__":
    main()
