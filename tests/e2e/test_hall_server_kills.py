"""kill -9 during a burst of ten kiosks, on SQLite and on PostgreSQL: first one worker
of `kiosk hall serve --workers 2` (it is replaced and the kiosks go on), then the
whole server; after a restart every commit that was answered is kept, no number was
issued twice, and numbering continues."""

from __future__ import annotations

import os
import signal
import threading
import uuid
from pathlib import Path

import httpx
import pytest

from kiosk.hall import api
from kiosk.hall.server.store import Location
from tests.helpers.hall_process import HallProcess, kiosk_tokens
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.e2e

KIOSKS = 10


class Burst:
    """Ten kiosks, a thread each, issuing green tickets (reserve + commit) over HTTP
    until the server is down; what the server answered is kept."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.reserved: list[api.ReservationOut] = []
        self.committed: list[tuple[str, api.TicketOut]] = []  # (kiosk, ticket)
        self.refusals: list[str] = []  # answers other than 200: none expected
        self.down = threading.Event()
        self.threads = [
            threading.Thread(target=self._kiosk, args=(client_id, token))
            for client_id, token in tokens.items()
        ]
        for thread in self.threads:
            thread.start()

    def _kiosk(self, client_id: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=10) as client:
            while not self.down.is_set():
                try:
                    body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
                    answer = client.post(api.PATH_RESERVE, json=body)
                    if answer.status_code != 200:
                        self.refusals.append(answer.text)
                        return
                    reservation = api.ReservationOut.model_validate_json(answer.content)
                    self.reserved.append(reservation)
                    path = api.PATH_COMMIT.format(ticket_id=reservation.ticket_id)
                    done = client.post(path, json={"channel": "printed"})
                    if done.status_code != 200:
                        self.refusals.append(done.text)
                        return
                    ticket = api.TicketOut.model_validate_json(done.content)
                    self.committed.append((client_id, ticket))
                except httpx.HTTPError:
                    continue  # a killed worker's connection: the next call reconnects

    def committed_at_least(self, count: int) -> bool:
        return len(self.committed) >= count

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)
            assert not thread.is_alive()


def number(ticket: api.TicketOut | api.ReservationOut) -> int:
    return int(ticket.number[1:])


def test_killed_workers_and_servers_keep_every_answered_commit_and_never_reuse_a_number(
    database_location: Location, tmp_path: Path
) -> None:
    tokens = kiosk_tokens(database_location, KIOSKS)
    with (tmp_path / "server.log").open("w") as log:
        server = HallProcess(database_location, log, "--workers", "2")
        try:
            burst = Burst(server.url, tokens)
            wait_for(lambda: burst.committed_at_least(30), 30, "the burst is under way")
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            wait_for(lambda: victim not in server.workers(), 10, "the worker is gone")
            after_kill = len(burst.committed)
            wait_for(
                lambda: burst.committed_at_least(after_kill + 30),
                30,
                "tickets issued after a worker was killed",
            )
            assert len(server.workers()) == 2  # the killed one was replaced
            burst.down.set()
            server.kill_all()
            burst.join()
        finally:
            server.stop()

        assert burst.refusals == []
        numbers = [number(reservation) for reservation in burst.reserved]
        assert len(numbers) == len(set(numbers)), "a number was issued twice"
        restarted = HallProcess(database_location, log, "--workers", "2")
        try:
            for client_id, ticket in burst.committed:
                headers = {"Authorization": f"Bearer {tokens[client_id]}"}
                path = api.PATH_TICKET.format(ticket_id=ticket.ticket_id)
                kept = httpx.get(restarted.url + path, headers=headers, timeout=10).json()
                assert kept["status"] == "waiting", ticket.number
                assert kept["number"] == ticket.number
            body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
            headers = {"Authorization": f"Bearer {tokens['K01']}"}
            fresh = httpx.post(
                restarted.url + api.PATH_RESERVE, json=body, headers=headers, timeout=10
            )
            assert number(api.ReservationOut.model_validate_json(fresh.content)) > max(numbers)
        finally:
            assert restarted.stop() == 0  # SIGTERM: both workers stopped gracefully
    text = (tmp_path / "server.log").read_text()
    assert f"worker {victim} killed by SIGKILL: starting another" in text
    assert text.count("Finished server process") == 2  # the restarted server's workers
    assert all(token not in text for token in tokens.values())
