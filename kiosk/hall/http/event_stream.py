"""The hall server's event stream (SSE), read on a thread of its own.

The reader reconnects with back-off and sends Last-Event-ID, so the server
replays what was missed; each event reaches `publish` as a HallEvent.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
from pydantic import ValidationError

from drivers.background import BackgroundThread
from kiosk.hall import api
from kiosk.hall.base import HallEvent, HallEventKind
from kiosk.hall.link import HallLink, LinkDown

log = logging.getLogger(__name__)

EVENT_KINDS = {kind.value: kind for kind in HallEventKind}


class EventStreamReader:
    def __init__(
        self, client: httpx.Client, link: HallLink, publish: Callable[[HallEvent], None]
    ) -> None:
        self._client = client
        self._link = link
        self._publish = publish
        self._last_event_id: str | None = None
        self._stream: httpx.Response | None = None
        self.connected = threading.Event()
        self._thread = BackgroundThread("hall-events", self._read)

    def start(self) -> None:
        self._thread.start()

    def _read(self, stop: threading.Event) -> None:
        delay = 0.5
        while not stop.is_set():
            try:
                headers = {"Accept": "text/event-stream"}
                if self._last_event_id is not None:
                    headers["Last-Event-ID"] = self._last_event_id
                with self._client.stream("GET", api.PATH_EVENTS, headers=headers) as reply:
                    if reply.status_code != 200:
                        raise LinkDown(f"event stream answered {reply.status_code}")
                    self._stream = reply
                    self.connected.set()
                    self._link.mark_online()
                    delay = 0.5
                    for kind, event_id, data in sse_events(reply.iter_lines()):
                        if stop.is_set():
                            return
                        self.on_event(kind, event_id, data)
            except (httpx.HTTPError, LinkDown) as error:
                log.debug("hall event stream interrupted: %s", error)
            except Exception:
                log.exception("hall event stream failed")
            self._stream = None
            self.connected.clear()
            if stop.wait(delay):
                return
            delay = min(delay * 2, 5.0)

    def on_event(self, kind: str, event_id: str | None, data: str) -> None:
        """One event of the stream, as read."""
        if event_id is not None:
            self._last_event_id = event_id
        if kind not in EVENT_KINDS:
            return
        try:
            event = api.EventOut.model_validate_json(data)
        except ValidationError:
            log.warning("the hall server sent an unreadable %s event", kind)
            return
        self._publish(hall_event(event))

    def stop(self) -> None:
        self._thread.stop_event.set()
        self._interrupt_stream()
        self._thread.stop()

    def _interrupt_stream(self) -> None:
        """Wake the thread blocked on reading the stream: shut its socket down."""
        reply = self._stream
        stream = None if reply is None else reply.extensions.get("network_stream")
        sock = None if stream is None else stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def hall_event(event: api.EventOut) -> HallEvent:
    return HallEvent(
        kind=EVENT_KINDS[event.kind],
        at=event.at,
        window=event.window,
        ticket_id=event.ticket_id,
        number=event.number,
        queue_code=event.queue_code,
        recall=event.recall,
        staff_id=event.staff_id,
        kiosk_id=event.kiosk_id,
    )


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str | None, str]]:
    """(event, id, data) of a text/event-stream, per the WHATWG rules that matter here."""
    kind: str = "message"
    event_id: str | None = None
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield kind, event_id, "\n".join(data)
            kind, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            kind = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
