"""A serial QR / barcode scanner: one code per line, ended by a suffix (CR or CR LF).

The scanner speaks only when a code is scanned: ASCII (or UTF-8) text, then
the suffix. Nothing it sends is trusted: a line longer than `MAX_CODE_BYTES`
or not decodable as text raises `ScannerError` (the message never quotes the
line: it may hold personal data), and reading resynchronises at the next
suffix, so the following scan is read whole. A partial line is kept across
`read_code` calls (a code may arrive in several pieces), but dropped when no
byte of it came for `stale_after` seconds (noise followed, much later, by a
real scan) or when the port was lost.

An unplugged scanner is not an error for the caller: `read_code` waits out
its timeout, reopening the port through the transport's back-off, and
returns None; `online` tells whether the port is open.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from drivers.transport import TransportError

logger = logging.getLogger(__name__)

CR = b"\r"
CRLF = b"\r\n"
DEFAULT_SUFFIX = CR
MAX_CODE_BYTES = 512
DEFAULT_STALE_AFTER_S = 2.0
_READ_CHUNK = 256
# How often a missing port is looked at again (the transport's back-off decides
# whether the device itself is touched).
_OFFLINE_POLL_S = 0.1
# Control characters a scanner may legitimately send inside a code: TAB, and
# GS (0x1D), the GS1 field separator.
_ALLOWED_CONTROLS = frozenset("\t\x1d")


class ScannerError(Exception):
    """A scanned line was not a usable code (too long, not text), or the port failed to
    open. The message never contains the scanned data."""


class ScannerTransport(Protocol):
    """What the scanner needs from `drivers.transport.Transport`."""

    @property
    def url(self) -> str: ...
    @property
    def is_open(self) -> bool: ...
    def open(self) -> None: ...
    def ensure_open(self) -> bool: ...
    def read(self, size: int, timeout: float | None = None) -> bytes: ...
    def close(self) -> None: ...


def _check_suffix(suffix: bytes) -> bytes:
    if suffix not in (CR, CRLF):
        raise ValueError(f"scanner suffix must be CR or CR LF, not {suffix!r}")
    return suffix


def decode_code(line: bytes) -> str:
    """One line without its suffix as text; raises ScannerError for anything else."""
    if len(line) > MAX_CODE_BYTES:
        raise ScannerError(
            f"scanned line too long ({len(line)} bytes, at most {MAX_CODE_BYTES}); discarded"
        )
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScannerError(
            f"scanned line is not UTF-8 text (bad byte at offset {exc.start} "
            f"of {len(line)}); discarded"
        ) from None
    for index, char in enumerate(text):
        if (char < " " or char == "\x7f") and char not in _ALLOWED_CONTROLS:
            raise ScannerError(
                f"scanned line holds control character 0x{ord(char):02X} at position "
                f"{index}; discarded"
            )
    return text


class ScanLineDecoder:
    """Splits the scanner's byte stream into codes; no I/O, no clock.

    `feed(data)` stores bytes; `next_code()` returns the next complete code,
    None when no complete line is buffered, or raises ScannerError for a bad
    line (which is then gone: the next call goes on with the following line).
    Empty lines are skipped. With suffix CR, the LF of a scanner that sends CR LF
    is dropped; with suffix CR LF, a line is ended by CR LF only.
    """

    def __init__(self, suffix: bytes = DEFAULT_SUFFIX, max_bytes: int = MAX_CODE_BYTES) -> None:
        self._suffix = _check_suffix(suffix)
        self._max_bytes = max_bytes
        self._buffer = bytearray()
        # Inside an over-long line: bytes are dropped until the next suffix.
        self._skipping = False
        # The last line ended in CR: a LF right after it is the rest of a CR LF suffix.
        self._after_cr = False
        self.errors = 0

    @property
    def suffix(self) -> bytes:
        return self._suffix

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line held."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget any partial line (the port was reopened, or the line went stale)."""
        self._buffer.clear()
        self._skipping = False
        self._after_cr = False

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_code(self) -> str | None:
        while True:
            if self._after_cr and self._buffer[:1] == b"\n":
                del self._buffer[:1]
            if self._buffer:
                self._after_cr = False
            end = self._buffer.find(self._suffix)
            if end < 0:
                self._check_unfinished_line()
                return None
            line = bytes(self._buffer[:end])
            del self._buffer[: end + len(self._suffix)]
            self._after_cr = self._suffix == CR
            if self._skipping:
                self._skipping = False
                continue
            if not line:
                continue
            try:
                return decode_code(line)
            except ScannerError:
                self.errors += 1
                raise

    def _check_unfinished_line(self) -> None:
        if len(self._buffer) <= self._max_bytes:
            return
        size = len(self._buffer)
        # Keep a trailing CR: it may be the first half of a CR LF suffix.
        keep = 1 if self._suffix == CRLF and self._buffer.endswith(CR) else 0
        del self._buffer[: size - keep]
        if self._skipping:
            return
        self._skipping = True
        self.errors += 1
        raise ScannerError(
            f"scanned line too long (more than {self._max_bytes} bytes without a suffix); "
            "discarded up to the next suffix"
        )


class Scanner:
    """One serial scanner. `read_code` is meant for one reading thread; `close` may be
    called from another."""

    def __init__(
        self,
        transport: ScannerTransport,
        suffix: bytes = DEFAULT_SUFFIX,
        *,
        stale_after: float = DEFAULT_STALE_AFTER_S,
        monotonic: Callable[[], float] = time.monotonic,
        pause: Callable[[float], object] | None = None,
    ) -> None:
        self._transport = transport
        self._decoder = ScanLineDecoder(suffix)
        self._stale_after = stale_after
        self._monotonic = monotonic
        self._last_byte_at = 0.0
        self._closed = threading.Event()
        # How a missing port is waited on (tests give one that moves their clock).
        self._pause = self._closed.wait if pause is None else pause
        self._was_online = False

    @property
    def transport(self) -> ScannerTransport:
        return self._transport

    @property
    def suffix(self) -> bytes:
        return self._decoder.suffix

    @property
    def online(self) -> bool:
        """True while the scanner's port is open."""
        return self._transport.is_open

    @property
    def errors(self) -> int:
        """Bad lines seen so far (diagnostics)."""
        return self._decoder.errors

    def open(self) -> None:
        """Open the port now; raises ScannerError naming the port when it cannot."""
        self._closed.clear()
        try:
            self._transport.open()
        except TransportError as exc:
            raise ScannerError(str(exc)) from exc
        self._went_online()

    def close(self) -> None:
        """Close the port (a `read_code` waiting for it returns); a later `read_code`
        opens it again, like the transport does."""
        self._closed.set()
        self._transport.close()
        self._decoder.reset()
        self._was_online = False

    def read_code(self, timeout: float) -> str | None:
        """The next scanned code without its suffix, None when none came within `timeout`.

        Raises ScannerError for a line that is not a usable code; the next call
        reads on from the following line.
        """
        self._closed.clear()
        deadline = self._monotonic() + max(timeout, 0.0)
        looked = False  # read_code(0) still looks at the port once
        while True:
            code = self._decoder.next_code()
            if code is not None:
                return code
            remaining = deadline - self._monotonic()
            if remaining <= 0 and looked:
                return None
            self._read_more(max(remaining, 0.0))
            looked = True

    def _read_more(self, timeout: float) -> bool:
        """Read what comes within `timeout`; True when bytes came."""
        if not self._transport.ensure_open():
            self._went_offline()
            if timeout > 0:
                self._pause(min(timeout, _OFFLINE_POLL_S))
            return False
        self._went_online()
        try:
            # A serial read waits for all the bytes asked for: wait for one, then
            # take what else has come without waiting.
            chunk = self._transport.read(1, timeout=timeout)
            if chunk:
                chunk += self._transport.read(_READ_CHUNK, timeout=0.0)
        except TransportError as exc:
            # The transport closed the port: it is reopened on a later look, not at once.
            logger.log(logging.WARNING if self._was_online else logging.DEBUG, "scanner: %s", exc)
            self._went_offline()
            if timeout > 0:
                self._pause(min(timeout, _OFFLINE_POLL_S))
            return False
        now = self._monotonic()
        if not chunk:
            if self._decoder.pending and now - self._last_byte_at > self._stale_after:
                logger.info(
                    "scanner: dropped %d bytes of an unfinished line (no suffix within %.1f s)",
                    self._decoder.pending,
                    self._stale_after,
                )
                self._decoder.reset()
            return False
        self._last_byte_at = now
        self._decoder.feed(chunk)
        return True

    def _went_online(self) -> None:
        if not self._was_online:
            self._was_online = True
            self._decoder.reset()
            logger.info("scanner on %s is online", self._transport.url)

    def _went_offline(self) -> None:
        if self._was_online:
            self._was_online = False
            self._decoder.reset()
            logger.warning("scanner on %s went offline", self._transport.url)
