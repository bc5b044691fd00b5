"""A byte pipe to one device: a serial port, a pty, any pyserial URL, a device file or a
USB printer driven through libusb.

Back ends, chosen from the URL:
- `usb://VID:PID[?serial=S][&interface=N]`: a USB printer the kernel has no
  driver for, claimed with pyusb (`drivers.usb_port`);
- `usblp://PATH` or `file://PATH`: the path as a plain device file
  (`drivers.device_file`), whatever it is;
- a path that is not a tty (a USB printer-class /dev/usb/lp0, a FIFO, a
  plain file): the same device-file back end, found by looking;
- anything else (a serial port, a pty, `socket://host:port`, `loop://`):
  pyserial's `serial_for_url`.

The transport knows nothing about the protocol spoken over it. It opens the
port lazily, turns every pyserial/OS failure into a `TransportError` that
names the port, closes the port after a failure so the next call starts
clean, and spaces out reopen attempts with an exponential back-off so a
missing device is not hammered while the kiosk keeps running.
"""

from __future__ import annotations

import contextlib
import logging
import termios
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, cast

import serial

from drivers.device_file import DeviceFilePort, device_file_path
from drivers.usb_port import UsbPort, usb_address

logger = logging.getLogger(__name__)

BACKOFF_INITIAL_S = 0.5
BACKOFF_MAX_S = 30.0
# What pyserial lets through from a failing device: termios.error is not an OSError.
_PORT_ERRORS = (serial.SerialException, OSError, termios.error)
# Poll interval while waiting for the kernel's output queue to empty.
_DRAIN_POLL_S = 0.01


class _Port(Protocol):
    """What every pyserial port class (device, loop://, socket://, spy://) provides."""

    @property
    def is_open(self) -> bool: ...
    @property
    def timeout(self) -> float | None: ...
    @timeout.setter
    def timeout(self, value: float | None) -> None: ...
    @property
    def write_timeout(self) -> float | None: ...
    @write_timeout.setter
    def write_timeout(self, value: float | None) -> None: ...
    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes, /) -> int | None: ...
    def flush(self) -> None: ...
    def reset_input_buffer(self) -> None: ...
    def reset_output_buffer(self) -> None: ...
    def close(self) -> None: ...


class TransportError(Exception):
    """The port could not be opened, written or read. The message names the port."""


class Transport:
    """One device connection, safe to use from two threads (one lock).

    `write_timeout` is how long a device may stall: each write is also given
    the time its bytes need on the wire at `baudrate` (10 bits a byte), so a
    6 KB raster image at 9600 baud is not cut off after 5 s.
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        timeout: float = 0.2,
        write_timeout: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        usb_backend: Any = None,
    ) -> None:
        self._url = url
        self._baudrate = baudrate
        self._timeout = timeout
        self._write_timeout = write_timeout
        self._monotonic = monotonic
        # pyusb back end for usb:// URLs (None: libusb); tests give an emulated one.
        self._usb_backend = usb_backend
        self._lock = threading.RLock()
        self._port: _Port | None = None
        self._backoff_s = BACKOFF_INITIAL_S
        self._next_attempt: float | None = None

    @property
    def url(self) -> str:
        return self._url

    @property
    def baudrate(self) -> int:
        return self._baudrate

    def wire_time(self, size: int) -> float:
        """Seconds `size` bytes take on a serial line at `baudrate` (8N1: 10 bits a byte)."""
        return size * 10 / self._baudrate if self._baudrate > 0 else 0.0

    @property
    def is_open(self) -> bool:
        port = self._port
        return port is not None and bool(port.is_open)

    @property
    def readable(self) -> bool:
        """False when the open device cannot send anything back (a write-only device file,
        a USB printer without bulk IN).

        True for every serial and socket port, and while nothing is open.
        """
        port = self._port
        return not isinstance(port, DeviceFilePort | UsbPort) or port.readable

    def __repr__(self) -> str:
        return f"Transport({self._url!r}, baudrate={self._baudrate})"

    # -- opening and closing -------------------------------------------------

    def open(self) -> None:
        """Open the port now (no back-off); raises `TransportError`."""
        with self._lock:
            if self.is_open:
                return
            try:
                port = self._open_port()
            except (*_PORT_ERRORS, ValueError) as exc:
                raise TransportError(f"cannot open port {self._url}: {exc}") from exc
            self._port = port
            self._backoff_s = BACKOFF_INITIAL_S
            self._next_attempt = None
            if isinstance(port, UsbPort):
                direction = "read-write" if port.readable else "write-only"
                logger.info("opened USB printer %s (%s)", self._url, direction)
            elif isinstance(port, DeviceFilePort):
                direction = "read-write" if port.readable else "write-only"
                logger.info("opened device file %s (%s)", self._url, direction)
            else:
                logger.info("opened port %s at %d baud", self._url, self._baudrate)

    def _open_port(self) -> _Port:
        usb_printer = usb_address(self._url)
        if usb_printer is not None:
            usb_port = UsbPort.open(usb_printer, name=self._url, backend=self._usb_backend)
            usb_port.timeout = self._timeout
            usb_port.write_timeout = self._write_timeout
            return usb_port
        path = device_file_path(self._url)
        device_file: DeviceFilePort | None = None
        if path is not None:
            device_file = DeviceFilePort.open(path)
        elif "://" not in self._url:
            device_file = DeviceFilePort.open_unless_tty(self._url)
        if device_file is not None:
            device_file.timeout = self._timeout
            device_file.write_timeout = self._write_timeout
            return device_file
        port = serial.serial_for_url(self._url, do_not_open=True)
        port.baudrate = self._baudrate
        port.timeout = self._timeout
        port.write_timeout = self._write_timeout
        if "://" not in self._url:
            # A device path: refuse to share it with a second program.
            port.exclusive = True
        port.open()
        return cast(_Port, port)

    def close(self) -> None:
        """Close the port; calling it again does nothing."""
        with self._lock:
            port, self._port = self._port, None
            if port is None:
                return
            try:
                port.close()
            except _PORT_ERRORS as exc:
                logger.debug("closing port %s failed: %s", self._url, exc)

    def ensure_open(self) -> bool:
        """Open the port if needed, trying at most once per back-off window.

        Returns True when the port is open. After a failed attempt the next
        one is allowed 0.5 s later, then 1 s, 2 s, ... up to 30 s apart;
        inside that window this returns False without touching the device.
        """
        with self._lock:
            if self.is_open:
                return True
            now = self._monotonic()
            if self._next_attempt is not None and now < self._next_attempt:
                return False
            try:
                self.open()
            except TransportError as exc:
                self._next_attempt = now + self._backoff_s
                # Warn once per outage; a device missing for days must not flood the log.
                level = logging.WARNING if self._backoff_s == BACKOFF_INITIAL_S else logging.DEBUG
                logger.log(level, "%s; next attempt in %.1f s", exc, self._backoff_s)
                self._backoff_s = min(self._backoff_s * 2, BACKOFF_MAX_S)
                return False
            return True

    def _require_open(self) -> _Port:
        if not self.ensure_open():
            raise TransportError(f"port {self._url} is not available (waiting to retry)")
        assert self._port is not None
        return self._port

    def _fail(self, action: str, exc: BaseException) -> TransportError:
        """Close after an I/O failure so the next call reopens, and build the error."""
        port = self._port
        if port is not None:
            # Dropping unsent output keeps close() from waiting for a stuck device.
            with contextlib.suppress(*_PORT_ERRORS, AttributeError):
                port.reset_output_buffer()
        self.close()
        return TransportError(f"{action} on port {self._url} failed: {exc}")

    # -- data ----------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Write every byte and wait until the device has taken them."""
        if not data:
            return
        with self._lock:
            port = self._require_open()
            allowed = self._write_timeout + self.wire_time(len(data))
            deadline = time.monotonic() + allowed
            try:
                if port.write_timeout != allowed:
                    port.write_timeout = allowed
                written = port.write(data)
                if written is not None and written != len(data):
                    raise serial.SerialTimeoutException(
                        f"only {written} of {len(data)} bytes written"
                    )
                self._drain(port, deadline)
            except _PORT_ERRORS as exc:
                raise self._fail("write", exc) from exc

    def _drain(self, port: _Port, deadline: float) -> None:
        if not isinstance(port, serial.Serial):
            port.flush()
            return
        # tcdrain() has no timeout and hangs for good when a device stops
        # reading (paper out on a USB-CDC printer): poll the queue instead.
        while True:
            try:
                pending = int(port.out_waiting)
            except _PORT_ERRORS:  # driver without TIOCOUTQ
                port.flush()
                return
            if pending == 0:
                return
            if time.monotonic() >= deadline:
                raise serial.SerialTimeoutException(
                    f"device is not accepting data ({pending} bytes still queued)"
                )
            time.sleep(_DRAIN_POLL_S)

    def read(self, size: int, timeout: float | None = None) -> bytes:
        """Read up to `size` bytes; returns what came (maybe b"") when the timeout ends."""
        if size <= 0:
            return b""
        with self._lock:
            port = self._require_open()
            wanted = self._timeout if timeout is None else timeout
            try:
                if port.timeout != wanted:
                    port.timeout = wanted
                return bytes(port.read(size))
            except _PORT_ERRORS as exc:
                raise self._fail("read", exc) from exc

    def reset_input(self) -> None:
        """Discard bytes received but not read yet (late or stray answers)."""
        with self._lock:
            port = self._require_open()
            try:
                port.reset_input_buffer()
            except _PORT_ERRORS as exc:
                raise self._fail("discarding input", exc) from exc

    # -- context manager -----------------------------------------------------

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def port_url_problem(url: str) -> str | None:
    """Why the transport could not use `url` as a port, or None when it could: a
    malformed usb:// or usblp:// URL, or a scheme pyserial has no handler for
    (gopher://). Nothing is opened: pyserial is only asked to parse the URL."""
    try:
        if usb_address(url) is not None or device_file_path(url) is not None:
            return None
        if "://" in url:
            serial.serial_for_url(url, do_not_open=True)
    except ValueError as error:
        return str(error)
    return None
