"""A device reached through one plain file descriptor: /dev/usb/lp0, a FIFO, a file.

USB printer-class devices (the kernel's usblp driver) are character devices
but not ttys: pyserial fails on them with a termios error. This port opens
such a path with `os.open`, writes with a timeout (non-blocking fd + poll)
and reads status answers back from the same fd where the device allows it.
A printer with no way back (usblp without a bulk-in endpoint never reports
readable; a FIFO or a plain file is write-only by nature) simply stays
silent, which the printer driver reports as UNKNOWN.

It has the pyserial-like surface `drivers.transport.Transport` drives
(`timeout`, `write_timeout`, `read`, `write`, ...), so the transport's
locking, reopening and back-off apply unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import select
import stat
import time

logger = logging.getLogger(__name__)

# Scheme prefixes that force this back end for any path (even a tty).
DEVICE_FILE_SCHEMES = ("usblp://", "file://")
_READ_CHUNK = 4096
# Reads while discarding stale input: enough for any status chatter, bounded for a babbler.
_MAX_DISCARD_READS = 64
# A read failing with these means "this device cannot answer", not "the device is gone".
_NOT_READABLE_ERRNOS = frozenset({errno.EINVAL, errno.EBADF, errno.EOPNOTSUPP, errno.ENOTSUP})


def device_file_path(url: str) -> str | None:
    """The path in a `usblp://PATH` or `file://PATH` URL, or None for any other URL.

    `usblp:///dev/usb/lp0` names /dev/usb/lp0 (scheme, then the absolute path).
    Raises ValueError for a scheme with no path.
    """
    for scheme in DEVICE_FILE_SCHEMES:
        if url.startswith(scheme):
            path = url[len(scheme) :]
            if not path:
                raise ValueError(f"no device path after {scheme!r}")
            return path
    return None


class DeviceFilePort:
    """One open file descriptor to a device, owned by this object.

    `readable` is False for a port that cannot carry answers back (opened
    write-only, or the device refused a read); `read` then returns b"" at once.
    """

    def __init__(
        self,
        fd: int,
        name: str,
        *,
        readable: bool = True,
    ) -> None:
        os.set_blocking(fd, False)
        self._fd: int | None = fd
        self.name = name
        self.readable = readable
        self.timeout: float | None = 0.2
        self.write_timeout: float | None = 5.0

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(cls, path: str) -> DeviceFilePort:
        """Open `path` whatever it is (a tty included); raises OSError.

        Never creates a file: a missing /dev/usb/lp0 must stay missing, not
        become a regular file that swallows tickets.
        """
        fd, readable = _open_fd(path, os.stat(path).st_mode)
        return cls._adopt(fd, path, readable)

    @classmethod
    def open_unless_tty(cls, path: str) -> DeviceFilePort | None:
        """Open `path` if it is a device file, FIFO or plain file that is not a tty.

        None means "a serial port, or nothing there yet": pyserial should
        open it (and report a missing path in its usual words). A character
        device has to be opened to ask whether it is a tty; a tty is closed
        again at once.
        """
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return None
        if not (stat.S_ISCHR(mode) or stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            return None
        fd, readable = _open_fd(path, mode)
        if os.isatty(fd):
            os.close(fd)
            return None
        return cls._adopt(fd, path, readable)

    @classmethod
    def _adopt(cls, fd: int, path: str, readable: bool) -> DeviceFilePort:
        try:
            _lock_exclusively(fd, path)
        except OSError:
            os.close(fd)
            raise
        return cls(fd, path, readable=readable)

    # -- state ---------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def fileno(self) -> int:
        if self._fd is None:
            raise OSError(errno.EBADF, f"{self.name} is closed")
        return self._fd

    def close(self) -> None:
        """Close the descriptor (and so the lock); calling it again does nothing."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"DeviceFilePort({self.name!r}, {state}, readable={self.readable})"

    # -- data ----------------------------------------------------------------

    def write(self, data: bytes, /) -> int:
        """Write every byte or raise TimeoutError once `write_timeout` has passed."""
        fd = self.fileno()
        view = memoryview(data)
        deadline = None if self.write_timeout is None else time.monotonic() + self.write_timeout
        while view:
            try:
                written = os.write(fd, view)
            except (BlockingIOError, InterruptedError):
                written = 0
            if written:
                view = view[written:]
                continue
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(
                    f"device is not accepting data ({len(data) - len(view)} of "
                    f"{len(data)} bytes written)"
                )
            _wait(fd, select.POLLOUT, remaining)
        return len(data)

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes, waiting at most `timeout` for them; b"" is silence."""
        if not self.readable or size <= 0:
            return b""
        fd = self.fileno()
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        received = bytearray()
        while len(received) < size:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not _wait(fd, select.POLLIN, remaining):
                break
            chunk = self._read_once(fd, size - len(received))
            if chunk is None:
                if remaining == 0:
                    break
                continue
            if not chunk:
                # End of stream (or a zero-length USB packet): stop rather than spin;
                # a vanished device shows on the next write.
                break
            received += chunk
        return bytes(received)

    def _read_once(self, fd: int, size: int) -> bytes | None:
        """One os.read; None when nothing was there after all."""
        try:
            return os.read(fd, size)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as exc:
            if exc.errno not in _NOT_READABLE_ERRNOS:
                raise
            # usblp answers EINVAL for a printer without a way back: stay silent from now on.
            logger.info("%s cannot be read (%s): no status answers", self.name, exc)
            self.readable = False
            return b""

    def flush(self) -> None:
        """Nothing to do: os.write hands the bytes to the kernel, there is no queue to poll."""

    def reset_input_buffer(self) -> None:
        """Discard answers that arrived but were not read."""
        if not self.readable:
            return
        fd = self.fileno()
        for _ in range(_MAX_DISCARD_READS):
            if not _wait(fd, select.POLLIN, 0):
                return
            if not self._read_once(fd, _READ_CHUNK):
                return

    def reset_output_buffer(self) -> None:
        """Nothing is queued on our side of the descriptor."""


def _open_fd(path: str, mode: int) -> tuple[int, bool]:
    """A non-blocking descriptor for `path` (of file type `mode`), and whether it is readable."""
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    common = os.O_NOCTTY | os.O_NONBLOCK
    if stat.S_ISREG(mode):
        # A capture file: append, and never read our own bytes back as answers.
        return os.open(path, os.O_WRONLY | os.O_APPEND | common), False
    if stat.S_ISFIFO(mode):
        # One-way by nature; fails with ENXIO while nobody reads the other end.
        return os.open(path, os.O_WRONLY | common), False
    try:
        return os.open(path, os.O_RDWR | common), True
    except PermissionError:  # a device the kiosk user may only write to
        return os.open(path, os.O_WRONLY | common), False


def _wait(fd: int, event: int, timeout: float | None) -> bool:
    """Whether `fd` is ready for `event` (or has an error to report) within `timeout` s."""
    poller = select.poll()
    poller.register(fd, event)
    millis = None if timeout is None else max(0, round(timeout * 1000))
    try:
        return bool(poller.poll(millis))
    except InterruptedError:
        return False


def _lock_exclusively(fd: int, path: str) -> None:
    """Refuse to share the device with a second program, like pyserial's `exclusive`."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OSError(errno.EBUSY, f"{path} is in use by another program") from None
    except OSError as exc:  # a file system without locks: share rather than fail
        logger.debug("cannot lock %s: %s", path, exc)
