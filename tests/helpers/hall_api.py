"""A real hall server on 127.0.0.1 for the security tests: a fake clock the test
moves, and one authenticated httpx client per kiosk id."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from kiosk.clock import FakeClock
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.store import Location
from kiosk.hall.server.tokens import create_token
from kiosk.settings import Settings

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, a Monday


def key() -> str:
    return uuid.uuid4().hex


class ServerUnderTest:
    def __init__(self, location: Location, settings: Settings, clock: FakeClock) -> None:
        self.location = location
        self.settings = settings
        self.clock = clock
        self.running: RunningHall = start_in_thread(
            location, settings, clock=clock, options=ServerOptions(catalog_poll_seconds=60)
        )
        self.url = self.running.url
        self._clients: dict[str, httpx.Client] = {}

    def kiosk(self, client_id: str) -> httpx.Client:
        """A client holding the kiosk's token (created on first use)."""
        if client_id not in self._clients:
            # Each test kiosk masters the keypad bus of every window (acts for them).
            token = create_token(self.location, client_id, self.settings, windows=range(1, 100))
            self._clients[client_id] = httpx.Client(
                base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
        return self._clients[client_id]

    def upload(self, client_id: str, *records: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.kiosk(client_id).post("/v1/records", json={"records": list(records)})
        assert answer.status_code == 200, answer.text
        results: list[dict[str, Any]] = answer.json()["results"]
        return results

    def issue(self, client_id: str, queue_code: str = "green") -> dict[str, Any]:
        client = self.kiosk(client_id)
        body = {"queue_code": queue_code, "idempotency_key": key()}
        ticket: dict[str, Any] = client.post("/v1/tickets/reserve", json=body).json()
        assert client.post(f"/v1/tickets/{ticket['ticket_id']}/commit", json={}).is_success
        return ticket

    def stop(self) -> None:
        for client in self._clients.values():
            client.close()
        self.running.stop()


def offline_ticket(
    number: str, at: str, day: str = "2026-11-23", queue: str = "green", **payload: Any
) -> list[dict[str, Any]]:
    """The records of a ticket a kiosk numbered offline and printed."""
    ticket_id = uuid.uuid4().hex
    reserved = {"queue": queue, "number": number, "business_day": day, **payload}
    return [
        {
            "idempotency_key": key(),
            "kind": "ticket.reserved",
            "at": at,
            "ticket_id": ticket_id,
            "payload": reserved,
        },
        {
            "idempotency_key": key(),
            "kind": "ticket.printed",
            "at": at,
            "ticket_id": ticket_id,
            "payload": {},
        },
    ]
