"""Running the hall server: on a thread (tests, benchmarks) or as `kiosk hall serve`."""

from __future__ import annotations

import dataclasses
import logging
import signal
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
from kiosk.hall.server.one_write import OneWriteProtocol
from kiosk.hall.server.store import Location
from kiosk.hall.server.workers import run_workers
from kiosk.logs import CHECKED, scrub
from kiosk.settings import Settings, load_texts
from kiosk.text import install_texts

log = logging.getLogger(__name__)

STARTUP_SECONDS = 20.0
# uvicorn's access line: client, method, path with query, HTTP version, status.
ACCESS_FIELDS = 5
ID_DIGITS = 15  # the fewest digits of an ID number (the old 15-digit one)


class _Server(uvicorn.Server):
    """Ends the event streams first, so that stopping never waits for them."""

    def __init__(self, config: uvicorn.Config, hall: HallServer) -> None:
        super().__init__(config)
        self.hall = hall

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.hall.broker.close()
        super().handle_exit(sig, frame)


class _AccessLine(logging.Filter):
    """uvicorn's access line, checked for personal data once, cheaply: without its
    query string, and with the ID-number regex run on the path only when it holds
    enough digits to contain one. The formatters then skip their regex over every
    line (kiosk.logs.CHECKED)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == ACCESS_FIELDS:
            path = str(args[2]).partition("?")[0]
            if sum(map(str.isdigit, path)) >= ID_DIGITS:
                path = scrub(path)
            record.args = (args[0], args[1], path, args[3], args[4])
            setattr(record, CHECKED, True)
        return True


def _cheap_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _AccessLine) for f in access.filters):
        access.addFilter(_AccessLine())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # asyncio sets TCP_NODELAY on an accepted connection only when the listening
    # socket says IPPROTO_TCP (base_events._set_nodelay); with proto 0 a write after an
    # unacknowledged one (a stream's next event) would wait ~40 ms for the delayed ACK.
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
        http=OneWriteProtocol,
        ws="none",  # no WebSocket routes: not loading a WebSocket library saves ~30 ms a start
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


def _run_worker(
    location: Location,
    settings: Settings,
    sock: socket.socket,
    tls: tuple[Path | None, Path | None],
    options: ServerOptions | None,
    stops: list[Callable[[], None]],
    opened: Callable[[], None] = lambda: None,
) -> None:
    """One server process on `sock` until it is told to stop; `opened` once its
    database is open."""
    hall = HallServer(location, settings, None, options)
    hall.listen_url = _url(sock, tls[0] is not None)
    try:
        server = _Server(_config(hall, *tls, access_log=True), hall)
        stops.append(lambda: server.handle_exit(signal.SIGTERM, None))
        opened()
        server.run(sockets=[sock])
    finally:
        hall.close()


def serve(
    location: Location,
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8470,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    options: ServerOptions | None = None,
    workers: int = 1,
    announce: Callable[[str], None] = print,
) -> int:
    """Runs until SIGTERM or SIGINT; announces `listening on URL` once it accepts.
    With several `workers`, each is a process of its own on the one socket
    (kiosk/hall/server/workers.py); 1 when a worker failed on its own."""
    install_texts(load_texts(settings))  # the hall's wording of the ticket-status page
    _cheap_access_log()
    try:
        sock = _bind(host, port)
    except OSError as error:
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    try:
        url = _url(sock, tls_cert is not None)
        if workers == 1:  # in this process, which says it listens once its database is open
            _run_worker(
                location,
                settings,
                sock,
                (tls_cert, tls_key),
                options,
                [],
                lambda: announce(f"listening on {url}"),
            )
            return 0
        announce(f"listening on {url}")
        # Each worker's streams must hear the others' changes: through the database.
        options = dataclasses.replace(options or ServerOptions(), shared_events=True)
        return run_workers(
            sock,
            workers,
            lambda stops: _run_worker(
                location, settings, sock, (tls_cert, tls_key), options, stops
            ),
        )
    finally:
        sock.close()
