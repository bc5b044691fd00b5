"""A TCP listener standing in for a network printer's raw port (9100).

One client at a time, like a real printer: while one is connected, the next
waits in the listen backlog and is accepted when the first goes away. The
emulator uses it exactly like `PtyPort` (`read`, `write`, `close`), so the
same parser and status answers serve both.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
from types import TracebackType

logger = logging.getLogger(__name__)

_READ_CHUNK = 4096


class TcpServerPort:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._listener: socket.socket | None = socket.create_server((host, port), backlog=1)
        self._listener.setblocking(False)
        bound = self._listener.getsockname()
        self.host: str = bound[0]
        self.port: int = bound[1]
        self._client: socket.socket | None = None
        self._lock = threading.Lock()
        self._connected = threading.Condition(self._lock)
        self.connections = 0  # clients accepted so far

    @property
    def url(self) -> str:
        """What a driver opens: `socket://host:port` (pyserial's TCP URL)."""
        return f"socket://{self.host}:{self.port}"

    @property
    def device_path(self) -> str:
        return self.url

    @property
    def closed(self) -> bool:
        return self._listener is None

    def wait_for_connections(self, count: int, timeout: float) -> bool:
        """Whether `count` clients have been accepted (in all) within `timeout`."""
        with self._connected:
            return self._connected.wait_for(lambda: self.connections >= count, timeout)

    def read(self, timeout: float | None, size: int = _READ_CHUNK) -> bytes:
        """Bytes from the current client; b"" on silence, on a new client or a client leaving."""
        client = self._client
        if client is None:
            self._accept(timeout)
            return b""
        try:
            if not _readable(client, timeout):
                return b""
            data = client.recv(size)
        except (OSError, ValueError) as exc:  # reset by the peer, or closed under us
            self._drop(client, f"failed: {exc}")
            return b""
        if not data:
            self._drop(client, "disconnected")
        return data

    def _accept(self, timeout: float | None) -> None:
        listener = self._listener
        if listener is None:
            return
        try:
            if not _readable(listener, timeout):
                return
            client, address = listener.accept()
        except (BlockingIOError, InterruptedError):
            return  # the client gave up between poll and accept
        except (OSError, ValueError):
            if self._listener is None:  # closed under us by close()
                return
            raise
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self._listener is None:
                client.close()
                return
            self._client = client
            self.connections += 1
            self._connected.notify_all()
        logger.info("printer emulator: client %s:%d connected", *address[:2])

    def _drop(self, client: socket.socket, why: str) -> None:
        with self._lock:
            if self._client is client:
                self._client = None
        client.close()
        logger.info("printer emulator: client %s", why)

    def write(self, data: bytes) -> None:
        """Send bytes to the current client; dropped when there is none or it is not reading."""
        with self._lock:
            client = self._client
            if client is None:
                logger.debug("tcp %s: no client, dropped %d bytes", self.url, len(data))
                return
            try:
                sent = client.send(data)
            except OSError as exc:  # not reading (buffer full), reset, or gone
                logger.debug("tcp %s: dropped %d bytes: %s", self.url, len(data), exc)
                return
            if sent < len(data):
                logger.debug("tcp %s: dropped %d bytes", self.url, len(data) - sent)

    def close(self) -> None:
        """Close the client and the listener; calling it again does nothing."""
        with self._lock:
            sockets = (self._client, self._listener)
            self._client = self._listener = None
        for sock in sockets:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def __enter__(self) -> TcpServerPort:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _readable(sock: socket.socket, timeout: float | None) -> bool:
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(None if timeout is None else max(0, round(timeout * 1000))))
