"""Running the hall server: on a thread (tests, benchmarks) or as `kiosk hall serve`."""

from __future__ import annotations

import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn

from drivers.background import BackgroundThread
from kiosk.clock import Clock
from kiosk.hall.server.app import build_asgi
from kiosk.hall.server.hall import HallServer, ServerOptions
from kiosk.hall.server.store import Location
from kiosk.settings import Settings, load_texts
from kiosk.text import install_texts

log = logging.getLogger(__name__)

STARTUP_SECONDS = 20.0


class _Server(uvicorn.Server):
    """Ends the event streams first, so that stopping never waits for them."""

    def __init__(self, config: uvicorn.Config, hall: HallServer) -> None:
        super().__init__(config)
        self.hall = hall

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.hall.broker.close()
        super().handle_exit(sig, frame)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # asyncio sets TCP_NODELAY on an accepted connection only when the listening
    # socket says IPPROTO_TCP (base_events._set_nodelay); with proto 0 uvicorn's two
    # sends (head, body) would wait ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _config(
    hall: HallServer, tls_cert: Path | None, tls_key: Path | None, access_log: bool
) -> uvicorn.Config:
    return uvicorn.Config(
        build_asgi(hall),
        log_config=None,
        access_log=access_log,
        lifespan="off",
        timeout_graceful_shutdown=2,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        ssl_version=ssl.PROTOCOL_TLS_SERVER,
    )


def _url(sock: socket.socket, tls: bool) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


@dataclass
class RunningHall:
    url: str
    hall: HallServer
    stop: Callable[[], None]


def start_in_thread(
    location: Location,
    settings: Settings,
    *,
    clock: Clock | None = None,
    options: ServerOptions | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> RunningHall:
    """The server on its own thread, accepting requests when this returns."""
    hall = HallServer(location, settings, clock, options)
    sock = _bind(host, port)
    hall.listen_url = _url(sock, tls_cert is not None)
    server = _Server(_config(hall, tls_cert, tls_key, access_log=False), hall)
    # uvicorn stops on its own flag (should_exit), not on the thread's stop event.
    thread = BackgroundThread(
        "hall-server", lambda _stop: server.run(sockets=[sock]), join_seconds=10.0
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.running or time.monotonic() > deadline:
            hall.close()
            sock.close()
            raise RuntimeError("the hall server did not start")
        time.sleep(0.005)  # uvicorn says it started only through this flag
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        hall.broker.close()
        server.should_exit = True
        thread.stop()
        hall.close()
        sock.close()

    return RunningHall(_url(sock, tls_cert is not None), hall, stop)


def run_in_thread(
    location: Location,
    settings: Settings,
    *,
    clock: Clock | None = None,
    options: ServerOptions | None = None,
) -> tuple[str, Callable[[], None]]:
    """(url, stop) of a server on 127.0.0.1 and a free port."""
    running = start_in_thread(location, settings, clock=clock, options=options)
    return running.url, running.stop


def serve(
    location: Location,
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8470,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    options: ServerOptions | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Runs until SIGTERM or SIGINT; announces `listening on URL` once it accepts."""
    install_texts(load_texts(settings))  # the hall's wording of the ticket-status page
    hall = HallServer(location, settings, None, options)
    try:
        sock = _bind(host, port)
    except OSError as error:
        hall.close()
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    try:
        server = _Server(_config(hall, tls_cert, tls_key, access_log=True), hall)
        hall.listen_url = _url(sock, tls_cert is not None)
        announce(f"listening on {hall.listen_url}")
        server.run(sockets=[sock])
    finally:
        hall.close()
        sock.close()
