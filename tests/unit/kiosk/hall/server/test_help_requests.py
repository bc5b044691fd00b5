"""One-tap help (一键求助) at the hall server, on a SQLite file and on PostgreSQL: a kiosk's
`help.requested` record opens a help request that the calling display and the manager's
dashboard show, with the kiosk's id and nothing about the visitor, until it is answered
or old; the queue's own help table behaves the same under the embedded hall."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.clock import Clock, FakeClock, SystemClock
from kiosk.hall.local import LocalHall
from kiosk.hall.server.dashboard.views import live
from kiosk.hall.server.events import EventBroker
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.screens.calls import display_state
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.store import Location
from kiosk.queue.help import OPEN_MINUTES, answer_help
from tests.helpers.fakes import make_settings
from tests.helpers.hall_morning import MORNING
from tests.helpers.served_hall import WAIT, served_hall


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def server(database_location: Location, tmp_path: Path, clock: FakeClock) -> Iterator[HallServer]:
    made = HallServer(database_location, make_settings(tmp_path), clock)
    yield made
    made.close()


def help_record(key: str, clock: Clock) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "kind": "help.requested",
        "at": clock.now().isoformat(),
        "payload": {"kiosk": "K01", "step": "route"},
    }


def shown_help(server: HallServer) -> list[dict[str, Any]]:
    store = server.store
    source = ScreenSource(store.settings, store.engine, store.db, EventBroker())
    help_lines: list[dict[str, Any]] = display_state(source, None)["help"]
    return help_lines


def test_a_kiosks_help_request_shows_on_the_display_and_the_dashboard(
    server: HallServer, clock: FakeClock
) -> None:
    results, _ = server.store.add_records("K01", [help_record("h1", clock)])
    assert results == [("h1", "accepted", "")]
    lines = shown_help(server)
    assert [line["kiosk"] for line in lines] == ["K01"]
    assert lines[0]["zh"] == "自助机 K01 请求导税帮助"
    assert lines[0]["en"] == "Kiosk K01 asks for a guide"
    dashboard = live(server)
    assert [request["kiosk"] for request in dashboard["help_requests"]] == ["K01"]
    shown = json.dumps(lines, ensure_ascii=False) + json.dumps(dashboard, default=str)
    assert "route" not in shown  # where the visitor was stays in the kiosk's journal

    clock.advance(60)
    server.store.add_records("K01", [help_record("h2", clock)])  # asked again: one line
    assert len(shown_help(server)) == 1
    duplicate, _ = server.store.add_records("K01", [help_record("h2", clock)])
    assert duplicate == [("h2", "duplicate", "")]


def test_an_answered_or_old_request_is_no_longer_shown(
    server: HallServer, clock: FakeClock
) -> None:
    store = server.store
    store.add_records("K01", [help_record("h1", clock)])
    store.add_records("K02", [help_record("h2", clock)])
    with store.db.transaction() as tx:
        assert answer_help(tx, store.engine.hall, "K01", clock.now()) == 1
    assert [line["kiosk"] for line in shown_help(server)] == ["K02"]
    clock.advance(timedelta(minutes=OPEN_MINUTES, seconds=1).total_seconds())
    assert shown_help(server) == []
    assert live(server)["help_requests"] == []


def test_the_embedded_hall_keeps_and_tells_a_help_request(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    hall = LocalHall(tmp_path / "hall.sqlite3", make_settings(tmp_path), clock)
    heard: list[str | None] = []
    hall.subscribe(lambda event: heard.append(event.kiosk_id))
    try:
        hall.request_help("K01")
        assert [request.kiosk_id for request in hall.open_help()] == ["K01"]
        assert heard == ["K01"]
        hall.answer_help("K01")
        assert hall.open_help() == []
    finally:
        hall.close()


def test_a_help_record_uploaded_over_http_reaches_the_displays_event_stream(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    with served_hall(tmp_path / "hall.sqlite3", settings) as (running, client):
        with httpx.stream("GET", f"{running.url}/display/events", timeout=WAIT) as events:
            lines = events.iter_lines()
            assert next(lines) == "event: state"
            first = json.loads(next(lines).removeprefix("data: "))
            assert first["help"] == []
            record = help_record("help-request-0001", SystemClock())  # asked now
            answer = client.post("/v1/records", json={"records": [record]})
            assert answer.status_code == 200
            assert answer.json()["results"][0]["status"] == "accepted"
            data = next(line for line in lines if line.startswith("data: "))
        state = json.loads(data.removeprefix("data: "))
        assert [line["zh"] for line in state["help"]] == ["自助机 K01 请求导税帮助"]


def test_a_request_delivered_late_from_an_offline_kiosk_keeps_the_time_it_was_asked(
    server: HallServer, clock: FakeClock
) -> None:
    asked = help_record("late", clock)  # asked now, delivered after the outage
    clock.advance((OPEN_MINUTES + 5) * 60)
    results, _ = server.store.add_records("K01", [asked])
    assert results == [("late", "accepted", "")]
    assert shown_help(server) == []  # the visitor asked long ago: not shown as new
    ahead = {**help_record("future", clock), "at": (clock.now() + timedelta(hours=2)).isoformat()}
    server.store.add_records("K01", [ahead])  # a kiosk clock ahead: as received
    assert [line["kiosk"] for line in shown_help(server)] == ["K01"]
