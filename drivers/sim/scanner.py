"""A serial QR / barcode scanner (DEVICES.md §5) on a pseudo-terminal.

The driver opens `device_path` like the scanner's USB-CDC port. The emulator
only talks: each scan is the code's UTF-8 bytes and the suffix (CR by
default, or CR LF), paced like a serial line at `baud` when it is given
(a pty moves bytes at once whatever its baud rate).

Faults for tests: `send_junk` (line noise ended by the suffix), `send_split`
(one code in two writes with a pause between), `send_overlong` (a line far
longer than any code) and `send_raw` (any bytes).

Run it by hand: `kiosk sim scanner CODE...` or `python -m drivers.sim.scanner`,
then type `code TEXT` (or just the text), `junk`, `split TEXT`, `long` or
`help` on stdin. Scripted codes (arguments or `--file`) are sent `--delay`
seconds after start, `--interval` apart, over and over with `--repeat`.
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from drivers.sim.pty import PtyEmulator, PtyPort
from drivers.sim.serving import serve_until, stop_on_signals

logger = logging.getLogger(__name__)

CR = b"\r"
CRLF = b"\r\n"
SUFFIXES = {"CR": CR, "CRLF": CRLF}
# Bytes a scanner sends when it misreads: not UTF-8, with control characters.
JUNK = b"\x00\xff\xfe\x1b[\x92\x80garbage\x07"
OVERLONG_SIZE = 2000
# Bytes written at once when pacing at a baud rate.
_PACE_CHUNK = 16


@dataclass(frozen=True)
class _Write:
    data: bytes
    pause_after: float = 0.0


class ScannerEmulator(PtyEmulator):
    thread_name = "scanner-emulator"
    title = "scanner emulator"

    def __init__(self, *, suffix: bytes = CR, baud: int | None = None) -> None:
        super().__init__()
        if suffix not in (CR, CRLF):
            raise ValueError(f"scanner suffix must be CR or CR LF, not {suffix!r}")
        self.suffix = suffix
        self.baud = baud
        self._outbox: queue.Queue[_Write] = queue.Queue()
        self._idle = threading.Condition()
        self._queued = 0
        self._sent = 0

    # -- scripting -----------------------------------------------------------

    def send_code(self, text: str) -> None:
        """One scan of `text`, then the suffix."""
        self._enqueue(_Write(text.encode("utf-8") + self.suffix))

    def send_codes(self, texts: Iterable[str], interval: float = 0.0) -> None:
        for text in texts:
            self._enqueue(_Write(text.encode("utf-8") + self.suffix, pause_after=interval))

    def send_junk(self, junk: bytes = JUNK) -> None:
        """Line noise ended by the suffix, as a scanner sends after a misread."""
        self._enqueue(_Write(junk + self.suffix))

    def send_split(self, text: str, pause: float = 0.05, at: int | None = None) -> None:
        """One code in two writes, `pause` seconds apart, cut at byte `at` (default: half)."""
        data = text.encode("utf-8") + self.suffix
        cut = len(data) // 2 if at is None else at
        self._enqueue(_Write(data[:cut], pause_after=pause))
        self._enqueue(_Write(data[cut:]))

    def send_overlong(self, size: int = OVERLONG_SIZE) -> None:
        """A line of `size` bytes (far more than any code), then the suffix."""
        pattern = b"0123456789ABCDEF"
        self._enqueue(_Write((pattern * (size // len(pattern) + 1))[:size] + self.suffix))

    def send_raw(self, data: bytes) -> None:
        self._enqueue(_Write(data))

    def wait_sent(self, timeout: float) -> bool:
        """Wait until everything queued has been written to the pty; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._sent >= self._queued, timeout)

    def _enqueue(self, write: _Write) -> None:
        with self._idle:
            self._queued += 1
        self._outbox.put(write)

    # -- the emulator thread -------------------------------------------------

    def _serve(self, port: PtyPort) -> None:
        while not self._stop.is_set():
            try:
                write = self._outbox.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._write(port, write.data)
            except OSError as exc:
                logger.error("scanner emulator: write failed, stopping: %s", exc)
                return
            finally:
                with self._idle:
                    self._sent += 1
                    self._idle.notify_all()
            if write.pause_after > 0:
                self._stop.wait(write.pause_after)

    def _write(self, port: PtyPort, data: bytes) -> None:
        if not self.baud:
            port.write(data)
            return
        for start in range(0, len(data), _PACE_CHUNK):
            if self._stop.is_set():
                return
            chunk = data[start : start + _PACE_CHUNK]
            port.write(chunk)
            time.sleep(len(chunk) * 10 / self.baud)


# -- command line ----------------------------------------------------------------

COMMANDS_HELP = "code TEXT (or just TEXT), split TEXT, junk, long, help"


def run_command(emulator: ScannerEmulator, line: str) -> str:
    """Carry out one stdin command; returns the line to print."""
    command, _, rest = line.strip().partition(" ")
    if not command:
        return COMMANDS_HELP
    if command == "help":
        return COMMANDS_HELP
    if command == "junk":
        emulator.send_junk()
        return "ok: junk sent"
    if command == "long":
        emulator.send_overlong()
        return f"ok: {OVERLONG_SIZE}-byte line sent"
    if command == "split":
        if not rest:
            return f"split needs a code; {COMMANDS_HELP}"
        emulator.send_split(rest)
        return "ok: split code sent"
    text = rest if command == "code" else line.strip()
    if not text:
        return f"code needs a text; {COMMANDS_HELP}"
    emulator.send_code(text)
    return "ok: code sent"


def read_codes_file(path: Path) -> list[str]:
    """One code a line; blank lines and lines starting with # are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kiosk sim scanner",
        description="Emulate a serial QR / barcode scanner on a pseudo-terminal. Prints the "
        f"device path. Commands on stdin: {COMMANDS_HELP}.",
    )
    parser.add_argument("codes", nargs="*", help="codes to scan, in order")
    parser.add_argument("--file", type=Path, help="more codes to scan, one a line")
    parser.add_argument("--suffix", choices=sorted(SUFFIXES), default="CR")
    parser.add_argument("--baud", type=int, help="pace bytes like a serial line at this rate")
    parser.add_argument(
        "--delay", type=float, default=1.0, help="seconds before the first scripted code"
    )
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between scripted codes"
    )
    parser.add_argument("--repeat", action="store_true", help="scan the codes over and over")
    args = parser.parse_args(argv)
    codes = list(args.codes)
    if args.file is not None:
        try:
            codes += read_codes_file(args.file)
        except (OSError, UnicodeDecodeError) as exc:
            parser.error(f"cannot read codes from {args.file}: {exc}")
    emulator = ScannerEmulator(suffix=SUFFIXES[args.suffix], baud=args.baud)
    stop = stop_on_signals()

    def read_commands() -> None:
        for line in sys.stdin:
            print(run_command(emulator, line), flush=True)

    def play_script() -> None:
        if stop.wait(args.delay):
            return
        while True:
            emulator.send_codes(codes, args.interval)
            emulator.wait_sent(timeout=len(codes) * (args.interval + 5))
            if not args.repeat or stop.is_set():
                return

    print(emulator.start(), flush=True)
    threading.Thread(target=read_commands, daemon=True).start()
    if codes:
        threading.Thread(target=play_script, daemon=True).start()
    return serve_until(stop, emulator.stop)


if __name__ == "__main__":
    raise SystemExit(main())
