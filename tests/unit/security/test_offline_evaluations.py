"""A kiosk screen's evaluation delivered later from the kiosk's outbox (kind
`evaluation.terminal`): the hall server does not trust the kiosk (issue 15). Only a
kiosk's token, only a ticket of the kiosk's hall, only a served ticket; the reasons
from the hall's list; one counted evaluation per service, a repeat kept but not
counted; the same evaluation delivered twice is kept once. A real server of two halls
on 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.evaluation_state import OFFLINE_EVALUATION_KIND
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.settings import load_settings

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, a Monday
WAIT = 10.0


class Halls:
    def __init__(self, db: Path) -> None:
        settings = load_settings()
        options = ServerOptions(halls={"east": settings}, catalog_poll_seconds=60)
        self.running: RunningHall = start_in_thread(
            db, settings, clock=FakeClock(MORNING), options=options
        )
        store = self.running.hall.store
        grants: dict[str, tuple[Any, ...]] = {
            "K01": ("kiosk", "main", range(1, 14)),
            "E01": ("kiosk", "east", range(1, 14)),
            "ADMIN1": ("admin", "main", ()),
        }
        self.clients = {
            name: httpx.Client(
                base_url=self.running.url,
                headers={"Authorization": f"Bearer {store.create_token(name, *grant)}"},
                timeout=WAIT,
            )
            for name, grant in grants.items()
        }

    def served(self, name: str, finish: bool = True) -> str:
        client = self.clients[name]
        body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
        ticket = client.post("/v1/tickets/reserve", json=body).json()
        assert client.post(f"/v1/tickets/{ticket['ticket_id']}/commit", json={}).is_success
        if finish:
            assert client.post("/v1/windows/1/call-next").is_success
            assert client.post("/v1/windows/1/finish").is_success
        return str(ticket["ticket_id"])

    def upload(self, name: str, ticket_id: str, key: str | None = None, **payload: Any) -> str:
        """One offline evaluation; the server's result: accepted, duplicate, or why not."""
        record = {
            "idempotency_key": key or uuid.uuid4().hex,
            "kind": OFFLINE_EVALUATION_KIND,
            "at": MORNING.isoformat(),
            "ticket_id": ticket_id,
            "payload": {"reasons": [], "note": "", "channel": "terminal", **payload},
        }
        answer = self.clients[name].post("/v1/records", json={"records": [record]})
        assert answer.status_code == 200, answer.text
        [result] = answer.json()["results"]
        return str(result["message"] if result["status"] == "rejected" else result["status"])

    def evaluations(self, ticket_id: str) -> list[tuple[Any, ...]]:
        with self.running.hall.store.db.read() as tx:
            rows = tx.all(
                "SELECT evaluation_id, client_id, channel, level, is_repeat, hall"
                " FROM evaluations WHERE ticket_id = ? ORDER BY evaluated_at, is_repeat",
                (ticket_id,),
            )
        return [tuple(row) for row in rows]

    def stop(self) -> None:
        for client in self.clients.values():
            client.close()
        self.running.stop()


@pytest.fixture
def halls(tmp_path: Path) -> Iterator[Halls]:
    running = Halls(tmp_path / "hall.sqlite3")
    yield running
    running.stop()


def test_only_a_kiosk_of_the_tickets_hall_and_only_a_served_ticket(halls: Halls) -> None:
    ticket = halls.served("K01")
    vote = {"evaluation_id": uuid.uuid4().hex, "level": 2}
    assert halls.upload("ADMIN1", ticket, **vote).startswith("403 role:")
    assert halls.upload("E01", ticket, **vote).startswith("404 ticket_id:")  # another hall's
    waiting = halls.served("K01", finish=False)
    assert halls.upload("K01", waiting, **vote).startswith("409 ticket_id: the ticket was not")
    assert halls.evaluations(ticket) == []
    assert halls.evaluations(waiting) == []
    assert halls.upload("K01", ticket, **vote) == "accepted"
    assert halls.evaluations(ticket) == [(vote["evaluation_id"], "K01", "terminal", 2, 0, "main")]


def test_bad_levels_and_reasons_are_refused_with_the_field_named(halls: Halls) -> None:
    ticket = halls.served("K01")
    key = uuid.uuid4().hex
    for payload, problem in (
        ({"level": 7}, "422 payload.level"),
        ({"level": True}, "422 payload.level"),
        ({"level": 5, "reasons": ["rude"]}, "422 payload.reasons: unknown reason"),
        ({"level": 5}, "422 payload.reasons: pick at least one"),
        ({"level": 1, "reasons": ["other"]}, "422 payload.reasons: only a 差评"),
        ({"level": None, "reasons": ["other"]}, "409 payload.level: no 差评"),
        ({"evaluation_id": "a b", "level": 1}, "422 payload.evaluation_id"),
    ):
        sent = {"evaluation_id": key, **payload}
        assert halls.upload("K01", ticket, **sent).startswith(problem), payload
    assert halls.evaluations(ticket) == []


def test_a_service_evaluated_already_keeps_the_delivery_as_a_repeat_and_twice_is_once(
    halls: Halls,
) -> None:
    ticket = halls.served("K01")
    keypad = {"evaluation_id": "d" * 32, "window": 1, "level": 5, "channel": "keypad"}
    record = {
        "idempotency_key": uuid.uuid4().hex,
        "kind": "evaluation.recorded",
        "at": MORNING.isoformat(),
        "ticket_id": ticket,
        "payload": keypad,
    }
    assert halls.clients["K01"].post("/v1/records", json={"records": [record]}).is_success
    assert halls.upload("K01", ticket, evaluation_id="e" * 32, level=4, reasons=["other"]) == (
        "accepted"
    )
    with halls.running.hall.store.db.read() as tx:
        counted = tx.one(
            "SELECT evaluation_id FROM evaluations WHERE ticket_id = ? AND is_repeat = 0",
            (ticket,),
        )
        assert counted is not None
        reasons = tx.all("SELECT evaluation_id, reason FROM evaluation_reasons")
    # The keypad's 差评 had no reasons yet: the kiosk's go to the counted one.
    assert [tuple(row) for row in reasons] == [("d" * 32, "other")]
    assert counted[0] == "d" * 32
    key = uuid.uuid4().hex
    twice = {"evaluation_id": "f" * 32, "level": 1}
    assert halls.upload("K01", ticket, key, **twice) == "accepted"
    assert halls.upload("K01", ticket, key, **twice) == "duplicate"  # the same key
    assert halls.upload("K01", ticket, **twice) == "accepted"  # another key, the same id
    rows = halls.evaluations(ticket)
    assert [(row[2], row[3], row[4]) for row in rows] == [
        ("terminal", 5, 0),  # the keypad's vote; its content came by the terminal
        ("terminal", 4, 1),
        ("terminal", 1, 1),
    ]
    state = halls.clients["K01"].get(f"/t/{ticket}/evaluation").json()
    assert (state["level"], state["content_given"]) == (5, True)  # counted: the first
    # An id of this hall's evaluation, for another ticket: refused.
    other = halls.served("K01")
    assert halls.upload("K01", other, **twice).startswith("409 payload.evaluation_id")


def test_the_online_call_and_a_delivery_of_the_same_evaluation_keep_it_once(
    halls: Halls,
) -> None:
    ticket = halls.served("K01")
    evaluation_id = uuid.uuid4().hex
    path = f"/t/{ticket}/evaluation"
    body = {"level": 2, "evaluation_id": evaluation_id}
    assert halls.clients["K01"].post(path, json=body).is_success  # the answer was lost
    assert halls.clients["K01"].post(path, json=body).is_success  # sent again: the same
    assert halls.upload("K01", ticket, evaluation_id=evaluation_id, level=2) == "accepted"
    assert halls.evaluations(ticket) == [(evaluation_id, "K01", "terminal", 2, 0, "main")]
    phone = halls.served("K01")  # a phone's id is its own: the server makes one
    answer = httpx.post(
        f"{halls.running.url}/t/{phone}/evaluation",
        json={"level": 1, "evaluation_id": evaluation_id},
        timeout=WAIT,
    )
    assert answer.is_success
    [(made, client, channel, *_)] = halls.evaluations(phone)
    assert (client, channel) == ("qr", "qr")
    assert made != evaluation_id
