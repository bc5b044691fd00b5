"""Event streams (issue 15, finding 7 and the revoked token of 9; issue 14's workers):
one reading per change however many pages watch a ticket, a cap per client address,
streams that end with their ticket or their token, and changes made in one worker
reaching the streams another worker holds. Real servers on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.hall import api
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.store import Location
from kiosk.hall.server.ticket_watch import existing_watch
from kiosk.hall.server.tokens import create_token
from kiosk.settings import load_settings
from tests.helpers.waiting import wait_for

WAIT = 10.0


class Stream:
    """One server-sent event stream read on a thread: its events, and whether it ended."""

    def __init__(self, url: str, token: str = "") -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.status = 0
        self.body = ""
        self.opened = threading.Event()
        self.ended = threading.Event()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(WAIT, read=None))
        threading.Thread(target=self._read, args=(url,), daemon=True).start()
        assert self.opened.wait(WAIT)

    def _read(self, url: str) -> None:
        try:
            with self._client.stream("GET", url) as response:
                self.status = response.status_code
                if response.status_code != 200:
                    self.body = response.read().decode()
                    self.opened.set()
                    return
                name = ""
                for line in response.iter_lines():
                    self.opened.set()
                    if line.startswith("event: "):
                        name = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        self.events.append((name, json.loads(line.removeprefix("data: "))))
        except httpx.HTTPError:
            pass
        finally:
            self.opened.set()
            self.ended.set()

    def has(self, kind: str, **fields: Any) -> bool:
        return any(
            name == kind and all(data.get(k) == v for k, v in fields.items())
            for name, data in list(self.events)
        )

    def close(self) -> None:
        self._client.close()


class Kiosk:
    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=WAIT
        )

    def issue(self) -> dict[str, Any]:
        body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
        ticket = dict(self.client.post(api.PATH_RESERVE, json=body).json())
        path = api.PATH_COMMIT.format(ticket_id=ticket["ticket_id"])
        assert self.client.post(path, json={}).status_code == 200
        return ticket

    def void(self, ticket: dict[str, Any]) -> None:
        path = api.PATH_VOID.format(ticket_id=ticket["ticket_id"])
        answer = self.client.post(path, json={"reason": "test"})
        assert answer.status_code == 200, answer.text


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningHall]:
    options = ServerOptions(max_streams_per_address=25, stream_token_check_seconds=0.2)
    running = start_in_thread(tmp_path / "hall.sqlite3", load_settings(), options=options)
    yield running
    running.stop()


@pytest.fixture
def token(server: RunningHall) -> str:
    return server.hall.store.create_token("K01")


def status_events(server: RunningHall, ticket: dict[str, Any]) -> str:
    return server.url + api.PATH_STATUS_EVENTS.format(ticket_id=ticket["ticket_id"])


def test_twenty_pages_on_one_ticket_cost_one_reading_a_change_and_end_when_it_is_void(
    server: RunningHall, token: str
) -> None:
    kiosk = Kiosk(server.url, token)
    first, second = kiosk.issue(), kiosk.issue()
    pages = [Stream(status_events(server, second)) for _ in range(20)]
    assert all(page.has("state", people_ahead=1) for page in pages)
    watch = existing_watch(server.hall.screens)
    assert watch is not None
    before = watch.readings
    kiosk.void(first)  # the page's ticket moves up
    wait_for(lambda: all(page.has("state", people_ahead=0) for page in pages), WAIT, "all pages")
    assert watch.readings - before <= 2  # the events of one change, not one per page
    assert not any(page.ended.is_set() for page in pages)
    kiosk.void(second)
    wait_for(lambda: all(page.ended.is_set() for page in pages), WAIT, "every page closed")
    assert all(page.has("state", status="void") for page in pages)
    late = Stream(status_events(server, second))  # a finished ticket's stream: one state
    assert late.ended.wait(WAIT)
    assert [name for name, _ in late.events] == ["state"]
    for page in [*pages, late]:
        page.close()


def test_a_page_stream_ends_when_its_ticket_is_finished_at_a_window(server: RunningHall) -> None:
    caller = server.hall.store.create_token("K09", windows=range(1, 14))
    kiosk = Kiosk(server.url, caller)
    ticket = kiosk.issue()
    page = Stream(status_events(server, ticket))
    assert (
        kiosk.client.post("/v1/windows/1/call-next").json()["event"]["number"] == (ticket["number"])
    )
    wait_for(lambda: page.has("state", status="called"), WAIT, "the call on the page")
    assert not page.ended.is_set()
    assert kiosk.client.post("/v1/windows/1/finish").status_code == 200
    assert page.ended.wait(WAIT)  # nothing more will change: the server closed it
    assert page.has("state", status="finished")
    page.close()


def test_one_address_holds_at_most_its_cap_of_streams_and_is_told_why(
    server: RunningHall, token: str
) -> None:
    ticket = Kiosk(server.url, token).issue()
    held = [Stream(status_events(server, ticket)) for _ in range(20)]
    held += [Stream(server.url + api.PATH_EVENTS, token) for _ in range(5)]
    assert all(stream.status == 200 for stream in held)
    for refused in (
        Stream(status_events(server, ticket)),
        Stream(server.url + api.PATH_EVENTS, token),
    ):
        assert refused.status == 429
        assert "too many open event streams from this address" in refused.body
    held[0].close()
    held[-1].close()
    wait_for(lambda: server.hall.broker.streams < 5 + 1, WAIT, "a stream let go")
    again = Stream(server.url + api.PATH_EVENTS, token)
    assert again.status == 200
    for stream in [*held, again]:
        stream.close()


def test_a_revoked_tokens_streams_end(server: RunningHall, token: str) -> None:
    at_once = Stream(server.url + api.PATH_EVENTS, token)
    assert server.hall.broker.close_streams_of("K01") == 1  # the hook a revocation calls
    assert at_once.ended.wait(WAIT)
    checked = Stream(server.url + api.PATH_EVENTS, token)
    assert server.hall.store.revoke_token("K01")  # as another process would, unannounced
    assert checked.ended.wait(WAIT)  # at its next check of the token
    at_once.close()
    checked.close()


def test_a_change_made_in_one_worker_reaches_the_streams_another_worker_holds(
    database_location: Location,
) -> None:
    settings = load_settings()
    token = create_token(database_location, "K01", settings)
    shared = ServerOptions(shared_events=True)
    one = start_in_thread(database_location, settings, options=shared)
    other = start_in_thread(database_location, settings, options=shared)
    try:
        watching = Stream(other.url + api.PATH_EVENTS, token)
        ticket = Kiosk(one.url, token).issue()
        page = Stream(status_events(other, ticket))
        Kiosk(one.url, token).void(ticket)
        wait_for(lambda: watching.has("queue_changed", queue_code="green"), WAIT, "the event")
        assert page.ended.wait(WAIT)
        assert page.has("state", status="void")
        watching.close()
        page.close()
    finally:
        one.stop()
        other.stop()
