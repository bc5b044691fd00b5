"""uvicorn's HTTP protocol (httptools) with an answer's head and body in one write.

uvicorn writes the status line and headers when the app starts its answer and the
body when it sends it: two send() calls, and with TCP_NODELAY two segments and two
wake-ups of the kiosk, about a quarter of the server's CPU per ticket. The library
offers no option for it, hence this wrapper: the head waits for the body (or for the
end of the loop's turn, when a stream's first event comes later) and leaves with it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_STATUS_LINE = b"HTTP/1.1 "
_END_OF_HEAD = b"\r\n\r\n"


class _HeadWithBody:
    """The connection's transport, holding a head until the next write."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._head is not None:
            data, self._head = self._head + bytes(data), None
        elif data[: len(_STATUS_LINE)] == _STATUS_LINE and data[-4:] == _END_OF_HEAD:
            self._head = bytes(data)
            self._loop.call_soon(self.flush)  # a stream's body may come much later
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            if not self._transport.is_closing():
                self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        held = 0 if self._head is None else len(self._head)
        return self._transport.get_write_buffer_size() + held

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class OneWriteProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        held: Any = _HeadWithBody(transport, self.loop)
        super().connection_made(held)
