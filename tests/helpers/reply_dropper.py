"""A TCP relay on 127.0.0.1 in front of a real server that can lose the replies: while
`dropping` is set, a request still reaches the server, but the connection is cut as
its answer comes back (as a kill -9 or a timeout would leave a client)."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


class ReplyDropper:
    def __init__(self, target_url: str) -> None:
        host, port = target_url.removeprefix("http://").rsplit(":", 1)
        self._target = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.dropping = threading.Event()
        self.dropped = 0
        self._threads: list[threading.Thread] = []
        self._start(self._accept)

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self._target)
            self._start(self._pipe, client, upstream, False)
            self._start(self._pipe, upstream, client, True)

    def _pipe(self, source: socket.socket, sink: socket.socket, replies: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                if replies and self.dropping.is_set():
                    self.dropped += 1
                    break
                sink.sendall(data)
        for end in (source, sink):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        self._listener.close()
