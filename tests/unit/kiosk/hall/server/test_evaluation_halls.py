"""好差评 per hall (issue 14, many halls: no hall sees another's data), on a real
server of two halls on 127.0.0.1: window 1 of one hall is not window 1 of the other,
each hall's admin reads its own staff figures and follow-ups only, and the phone page
evaluates a ticket of any hall."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.settings import load_settings

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, a Monday
WAIT = 10.0


class TwoHalls:
    def __init__(self, db: Path, clock: FakeClock) -> None:
        settings = load_settings()
        options = ServerOptions(halls={"east": settings}, catalog_poll_seconds=60)
        self.running: RunningHall = start_in_thread(db, settings, clock=clock, options=options)
        store = self.running.hall.store
        grants: dict[str, tuple[Any, ...]] = {
            "K01": ("kiosk", "main", range(1, 14)),
            "E01": ("kiosk", "east", range(1, 14)),
            "ADMIN1": ("admin", "main", ()),
            "ADMIN2": ("admin", "east", ()),
        }
        self.clients = {
            name: httpx.Client(
                base_url=self.running.url,
                headers={"Authorization": f"Bearer {store.create_token(name, *grant)}"},
                timeout=WAIT,
            )
            for name, grant in grants.items()
        }

    def __getitem__(self, name: str) -> httpx.Client:
        return self.clients[name]

    def upload(self, name: str, kind: str, ticket_id: str | None = None, **payload: Any) -> None:
        record = {
            "idempotency_key": uuid.uuid4().hex,
            "kind": kind,
            "at": MORNING.isoformat(),
            "ticket_id": ticket_id,
            "payload": payload,
        }
        answer = self[name].post("/v1/records", json={"records": [record]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["status"] == "accepted", answer.text

    def served(self, name: str) -> dict[str, Any]:
        """A ticket of the kiosk's hall, called and finished at window 1."""
        body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
        ticket = dict(self[name].post("/v1/tickets/reserve", json=body).json())
        assert self[name].post(f"/v1/tickets/{ticket['ticket_id']}/commit", json={}).is_success
        called = self[name].post("/v1/windows/1/call-next").json()["event"]
        assert called["number"] == ticket["number"]
        assert self[name].post("/v1/windows/1/finish").is_success
        return ticket

    def stop(self) -> None:
        for client in self.clients.values():
            client.close()
        self.running.stop()


@pytest.fixture
def halls(tmp_path: Path) -> Iterator[TwoHalls]:
    running = TwoHalls(tmp_path / "hall.sqlite3", FakeClock(MORNING))
    yield running
    running.stop()


def test_window_1_of_one_hall_is_not_window_1_of_the_other(halls: TwoHalls) -> None:
    halls.upload("K01", "staff.signed_in", window=1, staff_id="1001")
    halls.upload("E01", "staff.signed_in", window=1, staff_id="2001")  # signs out no one
    for name in ("K01", "E01"):
        ticket = halls.served(name)
        halls.upload(name, "service.called", ticket["ticket_id"], window=1, number=ticket["number"])
        halls.upload(
            name, "service.finished", ticket["ticket_id"], window=1, number=ticket["number"]
        )
    main = halls["ADMIN1"].get("/v1/staff-figures").json()["staff"]
    east = halls["ADMIN2"].get("/v1/staff-figures").json()["staff"]
    assert [(f["staff_id"], f["calls"], f["services"]) for f in main] == [("1001", 1, 1)]
    assert [(f["staff_id"], f["calls"], f["services"]) for f in east] == [("2001", 1, 1)]


def test_each_halls_admin_sees_and_follows_up_its_own_evaluations_only(
    halls: TwoHalls,
) -> None:
    ticket = halls.served("E01")
    evaluation = uuid.uuid4().hex
    halls.upload(
        "E01", "evaluation.recorded", ticket["ticket_id"], evaluation_id=evaluation, window=1,
        level=5, channel="keypad",
    )  # fmt: skip
    halls.running.hall.store.clock.advance(30 * 24 * 3600)  # past the follow-up's deadline
    east = halls["ADMIN2"].get("/v1/follow-ups/overdue").json()["follow_ups"]
    assert [f["evaluation_id"] for f in east] == [evaluation]
    assert halls["ADMIN1"].get("/v1/follow-ups/overdue").json()["follow_ups"] == []
    path = f"/v1/follow-ups/{evaluation}"
    assert halls["ADMIN1"].post(path, json={"assignee": "x"}).status_code == 404
    assert halls["ADMIN2"].post(path, json={"assignee": "x"}).json()["assignee"] == "x"


def test_the_phone_page_evaluates_a_ticket_of_any_hall(halls: TwoHalls) -> None:
    ticket = halls.served("E01")
    path = f"/t/{ticket['ticket_id']}/evaluation"
    state = httpx.get(halls.running.url + path, timeout=WAIT)
    assert state.status_code == 200, state.text
    assert (state.json()["number"], state.json()["served"]) == (ticket["number"], True)
    voted = httpx.post(halls.running.url + path, json={"level": 1}, timeout=WAIT)
    assert voted.status_code == 200, voted.text
    assert voted.json()["level"] == 1
    figures = halls["ADMIN2"].get("/v1/staff-figures").json()["staff"]
    assert figures == []  # no staff signed in at east's window 1: counted, no staff
    with halls.running.hall.store.db.read() as tx:
        assert tx.all("SELECT hall, level FROM evaluations") == [("east", 1)]
