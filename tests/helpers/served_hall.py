"""A real hall server on loopback with a kiosk's token, for the web pages' tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import Settings

WAIT = 20.0


@contextmanager
def served_hall(database: Path, settings: Settings) -> Iterator[tuple[RunningHall, httpx.Client]]:
    """The server, and an HTTP client holding kiosk K01's token."""
    token = create_token(database, "K01", settings, windows=range(1, 100))
    running = start_in_thread(database, settings)
    try:
        with httpx.Client(
            base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=WAIT
        ) as client:
            yield running, client
    finally:
        running.stop()


def take(client: httpx.Client, queue: str) -> dict[str, Any]:
    """A ticket reserved and committed (in the queue), as the server answered it."""
    body = {"queue_code": queue, "idempotency_key": uuid.uuid4().hex}
    ticket: dict[str, Any] = client.post("/v1/tickets/reserve", json=body).json()
    assert client.post(f"/v1/tickets/{ticket['ticket_id']}/commit", json={}).status_code == 200
    return ticket
