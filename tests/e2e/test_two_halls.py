"""Two halls on one `kiosk hall serve` (issue 14, many halls), on SQLite and on
PostgreSQL: the same queue names with separate numbering, each hall's own settings
file, and a kiosk of one hall cannot read or change the other's tickets."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.hall.server.store import Location
from tests.helpers.commands import ENV, kiosk

pytestmark = pytest.mark.e2e

WAIT = 10.0

# Hall H2 over the server's settings: its own name and opening hours, the same queues.
EAST_HALL = """
[hall]
name_zh = "东区办税服务厅"
name_en = "East Hall"

[routing]
cutoff = "16:00"
"""


def token(db: str, client_id: str, *grants: str) -> str:
    created = kiosk("hall", "token", "create", client_id, "--db", db, "--json", *grants)
    assert created.returncode == 0, created.stderr
    return str(json.loads(created.stdout)["token"])


class Halls:
    """`kiosk hall serve --halls DIR` with H1 (the server's settings) and H2 (East)."""

    def __init__(self, db: str, tmp_path: Path) -> None:
        halls = tmp_path / "halls"
        halls.mkdir()
        (halls / "H1.toml").write_text("# hall H1: the server's settings as they are\n")
        (halls / "H2.toml").write_text(EAST_HALL, encoding="utf-8")
        tokens = {
            "K01": token(db, "K01", "--hall", "H1"),
            "E01": token(db, "E01", "--hall", "H2"),
            "ADMIN1": token(db, "ADMIN1", "--hall", "H1", "--role", "admin"),
            "LOST": token(db, "LOST", "--hall", "H9"),
        }
        command = ["hall", "serve", "--db", db, "--port", "0", "--halls", str(halls)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=ENV,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        url = line.removeprefix("listening on ")
        self.clients = {
            name: httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=WAIT
            )
            for name, secret in tokens.items()
        }

    def __getitem__(self, name: str) -> httpx.Client:
        return self.clients[name]

    def reserve(self, kiosk_id: str) -> dict[str, Any]:
        body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
        answer = self[kiosk_id].post("/v1/tickets/reserve", json=body)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def stop(self) -> None:
        for client in self.clients.values():
            client.close()
        self.process.terminate()
        self.process.wait(timeout=20)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def halls(database_location: Location, tmp_path: Path) -> Iterator[Halls]:
    running = Halls(str(database_location), tmp_path)
    yield running
    running.stop()


def test_two_halls_number_the_same_queue_apart_and_see_only_their_own(halls: Halls) -> None:
    west, east = halls.reserve("K01"), halls.reserve("E01")
    assert (west["number"], east["number"]) == ("G001", "G001")
    assert (halls.reserve("K01")["number"], halls.reserve("E01")["number"]) == ("G002", "G002")
    east_path = f"/v1/tickets/{east['ticket_id']}"
    assert halls["K01"].get(east_path).status_code == 404  # another hall's: not there
    assert halls["K01"].post(f"{east_path}/void", json={}).status_code == 404
    assert halls["ADMIN1"].get(east_path).status_code == 404
    assert halls["E01"].get(f"/v1/tickets/{west['ticket_id']}").status_code == 404
    voiding = {
        "idempotency_key": uuid.uuid4().hex,
        "kind": "ticket.voided",
        "at": "2026-11-23T02:00:00+00:00",
        "ticket_id": east["ticket_id"],
    }
    assert halls["K01"].post("/v1/records", json={"records": [voiding]}).status_code == 200
    assert halls["E01"].get(east_path).json()["status"] == "reserved"  # untouched
    assert halls["E01"].get("/v1/info").json()["hall_name_en"] == "East Hall"
    assert halls["K01"].get("/v1/info").json()["hall_name_en"] != "East Hall"
    for kiosk_id in ("K01", "E01"):
        queues = halls[kiosk_id].get("/v1/queues").json()["queues"]
        green = next(queue for queue in queues if queue["code"] == "green")
        assert (green["waiting"], green["issued_today"]) == (2, 2), kiosk_id
    admin_records = halls["ADMIN1"].get("/v1/records").json()["records"]
    assert {r["client_id"] for r in admin_records} == {"K01"}  # not E01's
    lost = halls["LOST"].get("/v1/queues")
    assert lost.status_code == 403
    assert "not served here" in lost.json()["detail"]


def test_a_hall_streams_only_its_own_events_and_its_tickets_have_a_public_page(
    halls: Halls,
) -> None:
    west = halls.reserve("K01")  # an event of H1, kept for replay
    seen: list[dict[str, Any]] = []
    with halls["E01"].stream("GET", "/v1/events", headers={"Last-Event-ID": "0"}) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": connected"
        east = halls.reserve("E01")  # then one of H2
        for line in lines:
            if line.startswith("data: "):
                seen.append(json.loads(line.removeprefix("data: ")))
                if seen[-1]["kind"] == "queue_changed":
                    break
    assert [(event["kind"], event["hall"]) for event in seen] == [("queue_changed", "H2")]
    base = str(halls["E01"].base_url).rstrip("/")
    for ticket in (west, east):
        state = httpx.get(f"{base}/t/{ticket['ticket_id']}/state", timeout=WAIT)
        assert state.status_code == 200, ticket
        assert (state.json()["number"], state.json()["people_ahead"]) == ("G001", 0)
