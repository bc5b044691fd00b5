"""A pseudo-terminal pair: the driver opens `device_path`, the emulator uses the master.

Both ends are set raw so CR, ^C and the like pass through untouched
(DEVICES.md §6). The emulator also keeps the slave end open itself: when the
driver closes or reopens the port, reads on the master then just wait for
data instead of failing with EIO.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import select
import threading
import tty
from types import TracebackType
from typing import Self

from drivers.background import BackgroundThread

logger = logging.getLogger(__name__)

_READ_CHUNK = 4096


class PtyPort:
    def __init__(self) -> None:
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        # Writes from the emulator must never block it: an answer nobody reads is dropped.
        flags = fcntl.fcntl(master, fcntl.F_GETFL)
        fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self._master: int | None = master
        self._slave: int | None = slave
        self._write_lock = threading.Lock()
        self.device_path: str = os.ttyname(slave)

    @property
    def closed(self) -> bool:
        return self._master is None

    def read(self, timeout: float | None, size: int = _READ_CHUNK) -> bytes:
        """Bytes the driver wrote, up to `size`; b"" when nothing came within `timeout`."""
        master = self._master
        if master is None:
            return b""
        try:
            poller = select.poll()
            poller.register(master, select.POLLIN)
            if not poller.poll(None if timeout is None else max(0, int(timeout * 1000))):
                return b""
            return os.read(master, size)
        except OSError as exc:
            # EIO: no slave open (cannot happen while we hold one, but harmless);
            # EBADF: closed under us by close().
            if exc.errno in (errno.EIO, errno.EAGAIN, errno.EBADF, errno.EINTR):
                return b""
            raise

    def write(self, data: bytes) -> None:
        """Send bytes to the driver; what does not fit in the tty buffer is dropped."""
        with self._write_lock:
            master = self._master
            view = memoryview(data)
            while master is not None and view:
                try:
                    written = os.write(master, view)
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EIO, errno.EBADF):
                        raise
                    logger.debug("pty %s: dropped %d bytes", self.device_path, len(view))
                    return
                view = view[written:]

    def close(self) -> None:
        """Close both ends; calling it again does nothing."""
        with self._write_lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._master = self._slave = None

    def __enter__(self) -> PtyPort:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PtyEmulator:
    """A device emulated on a pty: one thread answers in `_serve()` until `stop()`.

    Subclasses set `thread_name` and `title` and implement `_serve(port)`, which
    reads `port` until `self._stop` is set.
    """

    thread_name = "emulator"
    title = "device emulator"

    def __init__(self) -> None:
        self._life = threading.Lock()
        self._port: PtyPort | None = None
        self._loop = BackgroundThread(self.thread_name, self._run)

    def start(self) -> str:
        """Open the pty and start answering; returns the device path for the driver."""
        with self._life:
            if self._port is None:
                self._port = PtyPort()
                self._loop.start()
                logger.info("%s on %s", self.title, self._port.device_path)
            return self._port.device_path

    def stop(self) -> None:
        """Stop answering and close the pty; calling it again does nothing."""
        self._loop.stop()
        with self._life:
            port, self._port = self._port, None
        if port is not None:
            port.close()

    @property
    def device_path(self) -> str:
        port = self._port
        if port is None:
            raise RuntimeError(f"{self.title} is not started")
        return port.device_path

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def _stop(self) -> threading.Event:
        """Set by `stop()`: the serving loop ends, and its waits wake at once."""
        return self._loop.stop_event

    def _run(self, stop: threading.Event) -> None:
        port = self._port
        if port is not None:
            self._serve(port)

    def _serve(self, port: PtyPort) -> None:
        raise NotImplementedError
