"""The kiosk serves the hall's screens itself when it is the hall (embedded hall,
`screens.serve = "HOST:PORT"`): the same app and pages as the hall server, on a read
connection to the kiosk's queue file, with an event broker fed by the embedded hall's
events. A small hall with one kiosk and a TV gets the display and the phone page."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from drivers.background import BackgroundThread
from kiosk.clock import Clock
from kiosk.hall import api
from kiosk.hall.base import HallBackend, HallEvent
from kiosk.hall.local import LocalHall
from kiosk.hall.server.app import invalid, store_error
from kiosk.hall.server.events import EventBroker
from kiosk.hall.server.routes import status_page
from kiosk.hall.server.runner import _bind
from kiosk.hall.server.screens.evaluation import install_qr_evaluations
from kiosk.hall.server.screens.routes import STAFF_CHANGED, install_screens
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.store import StoreError
from kiosk.journal import Journal
from kiosk.qr_evaluation import QrEvaluations
from kiosk.queue import QueueEngine
from kiosk.settings import Settings
from kiosk.sqlite import SqliteDatabase

log = logging.getLogger(__name__)

STARTUP_SECONDS = 20.0
# The embedded hall tells of calls and pauses, not of tickets issued: SQLite's
# data_version (it changes when another connection commits) is checked this often
# so that the display's waiting figures follow new tickets too; so is who is signed in
# at each window (the window screens show the staff number).
QUEUE_CHECK_SECONDS = 0.5


class ScreensError(Exception):
    """The pages cannot be served; the message names the setting and the reason."""


def event_data(event: HallEvent) -> dict[str, object]:
    """An embedded hall's event as the hall server's stream carries it."""
    return {
        "kind": event.kind.value,
        "at": event.at.isoformat(),
        "window": event.window,
        "ticket_id": event.ticket_id,
        "number": event.number,
        "queue_code": event.queue_code,
        "recall": event.recall,
        "kiosk_id": event.kiosk_id,
    }


def screens_app(source: ScreenSource, evaluations: QrEvaluations | None = None) -> FastAPI:
    app = FastAPI(title="Hall screens", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(status_page.router)
    if evaluations is not None:
        install_qr_evaluations(app, evaluations)
    install_screens(app, source)
    app.exception_handler(StoreError)(store_error)
    app.exception_handler(RequestValidationError)(invalid)
    return app


class EmbeddedScreens:
    """Started by Kiosk.start_background, stopped by Kiosk.close."""

    def __init__(
        self,
        settings: Settings,
        hall: HallBackend,
        queue_file: Path,
        clock: Clock,
        staff: Callable[[], dict[int, str]] | None = None,
        evaluations: QrEvaluations | None = None,
    ):
        self._settings = settings
        self._evaluations = evaluations
        self._staff = staff or dict
        self._staff_shown: dict[int, str] = self._staff()
        self._hall = hall
        self._queue_file = queue_file
        self._clock = clock
        self._broker = EventBroker()
        self._database: SqliteDatabase | None = None
        self._server: uvicorn.Server | None = None
        self._thread: BackgroundThread | None = None
        self._socket: socket.socket | None = None
        self._queue_check: BackgroundThread | None = None
        self._data_version: object = None
        self.url = ""

    def _publish(self, event: HallEvent) -> None:
        self._broker.publish(event_data(event))

    def _check_queue(self) -> None:
        database = self._database
        if database is None:
            return
        staff = self._staff()
        if staff != self._staff_shown:  # signed in or out on a window's keypad
            self._staff_shown = staff
            self._broker.publish({"kind": STAFF_CHANGED, "at": self._clock.now().isoformat()})
        with database.read() as tx:
            version = tx.one("PRAGMA data_version")
        if self._data_version is not None and version != self._data_version:
            self._broker.publish({"kind": "queue_changed", "at": self._clock.now().isoformat()})
        self._data_version = version

    def start(self) -> str:
        """Listens on screens.serve; returns the base URL phones reach. ScreensError."""
        address = self._settings.screens.serve
        host, port = address.rsplit(":", 1)
        host = host.strip("[]")
        try:
            self._socket = _bind(host, int(port))
        except OSError as error:
            raise ScreensError(
                f"screens.serve: cannot listen on {address}: {error.strerror or error}"
            ) from None
        self._database = SqliteDatabase(self._queue_file)
        source = ScreenSource(
            self._settings,
            QueueEngine(self._settings, self._clock),
            self._database,
            self._broker,
            staff=lambda _tx: self._staff(),
        )
        config = uvicorn.Config(
            screens_app(source, self._evaluations),
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        # The kiosk's log is about the kiosk: uvicorn's start and stop lines stay out.
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        server = self._server = uvicorn.Server(config)
        listening = self._socket
        self._thread = BackgroundThread(
            "hall-screens", lambda _stop: server.run(sockets=[listening]), join_seconds=10.0
        )
        self._hall.subscribe(self._publish)
        self._thread.start()
        self._queue_check = BackgroundThread.every(
            "hall-screens-queue", QUEUE_CHECK_SECONDS, self._check_queue
        )
        self._queue_check.start()
        started = threading.Event()  # never set: its timeout paces the wait for uvicorn
        for _ in range(int(STARTUP_SECONDS / 0.01)):
            if server.started or not self._thread.running:
                break
            started.wait(0.01)
        if not server.started:
            self.stop()
            raise ScreensError(f"screens.serve: the pages did not start on {address}")
        bound_host, bound_port = listening.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.url = self._settings.screens.public_url or f"http://{shown}:{bound_port}"
        log.info("the hall's screens at %s/display", self.url)
        return self.url

    def serve(self, journal: Journal) -> None:
        """Start (Kiosk.start_background); the embedded hall's tickets then lead to their
        live page. A failure is logged and journalled: the kiosk issues tickets on, their
        QR leading to the matter's guide."""
        try:
            url = self.start()
        except ScreensError as error:
            log.error("%s", error)
            journal.record("screens.failed", {"reason": str(error)})
            return
        if isinstance(self._hall, LocalHall):
            self._hall.status_pages = self.status_url
        journal.record("screens.started", {"url": url})

    def status_url(self, ticket_id: str) -> str:
        return self.url + api.PATH_STATUS_PAGE.format(ticket_id=ticket_id)

    def stop(self) -> None:
        if isinstance(self._hall, LocalHall):
            self._hall.status_pages = None
        self._hall.unsubscribe(self._publish)
        if self._queue_check is not None:
            self._queue_check.stop()
        self._broker.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.stop()
        if self._socket is not None:
            self._socket.close()
        if self._database is not None:
            self._database.close()
        self.url = ""
