"""Issue 15, finding 1 (no authorization), on a real server on 127.0.0.1: a kiosk
reads, commits and voids only its own tickets (through the API and through outbox
records), acts only for its granted windows, reads only its own records and devices;
admin alone reloads; a display only reads; expired and revoked tokens are refused."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token, revoke_token
from kiosk.settings import Settings
from tests.helpers.fakes import make_settings
from tests.helpers.waiting import wait_for

WAIT = 10.0
MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def key() -> str:
    return uuid.uuid4().hex


class Server:
    """A running hall server with a client per token: K01 (windows 1-3), K02 (window
    4), DISPLAY1, ADMIN1, and K03 whose token expires in an hour."""

    def __init__(self, db: Path, settings: Settings, clock: FakeClock) -> None:
        self.db, self.settings, self.clock = db, settings, clock
        self.tokens = {
            "K01": create_token(db, "K01", settings, windows={1, 2, 3}),
            "K02": create_token(db, "K02", settings, windows={4}),
            "DISPLAY1": create_token(db, "DISPLAY1", settings, role="display"),
            "ADMIN1": create_token(db, "ADMIN1", settings, role="admin"),
            "K03": create_token(db, "K03", settings, expires_at=MORNING + timedelta(hours=1)),
        }
        self.running: RunningHall = start_in_thread(
            db, settings, clock=clock, options=ServerOptions(token_check_seconds=0.05)
        )
        self.clients = {
            name: httpx.Client(
                base_url=self.running.url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=WAIT,
            )
            for name, token in self.tokens.items()
        }

    def __getitem__(self, name: str) -> httpx.Client:
        return self.clients[name]

    def reserve(self, kiosk: str, queue_code: str = "green") -> dict[str, Any]:
        body = {"queue_code": queue_code, "idempotency_key": key()}
        answer = self[kiosk].post("/v1/tickets/reserve", json=body)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def status(self, ticket_id: str) -> str:
        return str(self["K01"].get(f"/v1/tickets/{ticket_id}").json()["status"])

    def upload(self, kiosk: str, *records: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self[kiosk].post("/v1/records", json={"records": list(records)})
        assert answer.status_code == 200, answer.text
        return list(answer.json()["results"])

    def stop(self) -> None:
        for client in self.clients.values():
            client.close()
        self.running.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "hall.sqlite3", make_settings(tmp_path), FakeClock(MORNING))
    yield running
    running.stop()


def record(kind: str, ticket_id: str | None = None, **payload: Any) -> dict[str, Any]:
    return {
        "idempotency_key": key(),
        "kind": kind,
        "at": MORNING.isoformat(),
        "ticket_id": ticket_id,
        "payload": payload,
    }


def test_a_kiosk_cannot_read_commit_or_void_another_kiosks_ticket(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    ticket = server.reserve("K01")
    path = f"/v1/tickets/{ticket['ticket_id']}"
    with caplog.at_level(logging.WARNING, logger="kiosk.hall.server.principal"):
        assert server["K02"].get(path).status_code == 403
        assert server["K02"].post(f"{path}/commit", json={}).status_code == 403
        refused = server["K02"].post(f"{path}/void", json={})
    assert refused.status_code == 403
    assert "another kiosk" in refused.json()["detail"]
    assert server.status(ticket["ticket_id"]) == "reserved"  # nothing changed
    assert "refused: K02 (kiosk of hall main)" in caplog.text
    assert server.tokens["K02"] not in caplog.text
    assert server["DISPLAY1"].get(path).status_code == 200  # a display reads
    assert server["DISPLAY1"].post(f"{path}/void", json={}).status_code == 403
    assert server["K01"].post(f"{path}/commit", json={}).json()["status"] == "waiting"
    assert server["ADMIN1"].post(f"{path}/void", json={}).json()["status"] == "void"


def test_outbox_records_cannot_change_another_kiosks_ticket(server: Server) -> None:
    reserved, waiting = server.reserve("K01"), server.reserve("K01")
    commit = server["K01"].post(f"/v1/tickets/{waiting['ticket_id']}/commit", json={})
    assert commit.status_code == 200
    printed = record("ticket.printed", reserved["ticket_id"])
    voided = record("ticket.voided", waiting["ticket_id"])
    results = server.upload("K02", printed, voided)
    assert [result["status"] for result in results] == ["rejected", "rejected"]
    assert results[1]["message"] == (
        f"ticket_id: ticket {waiting['number']} is not a ticket of K02"
    )
    assert server.status(reserved["ticket_id"]) == "reserved"
    assert server.status(waiting["ticket_id"]) == "waiting"
    mine = server.upload("K01", record("ticket.voided", waiting["ticket_id"]))
    assert mine[0]["status"] == "accepted"
    assert server.status(waiting["ticket_id"]) == "void"


def test_window_actions_only_for_the_windows_granted(server: Server) -> None:
    assert server["K01"].post("/v1/windows/1/call-next").status_code == 200
    assert server["K02"].post("/v1/windows/1/call-next").status_code == 403
    assert server["DISPLAY1"].post("/v1/windows/1/call-next").status_code == 403
    assert server["K01"].post("/v1/windows/4/pause").status_code == 403
    assert server["K02"].post("/v1/windows/1/finish").status_code == 403
    assert server["K02"].post("/v1/windows/4/pause").json()["paused"] is True
    assert server["DISPLAY1"].post("/v1/windows/4/resume").status_code == 403
    assert server["ADMIN1"].post("/v1/windows/4/resume").json()["paused"] is False
    assert server["K01"].post("/v1/windows/99/call-next").status_code == 404  # no such window


def test_only_an_admin_reloads_and_only_a_kiosk_issues(server: Server) -> None:
    for name in ("K01", "DISPLAY1"):
        assert server[name].post("/v1/admin/reload").status_code == 403
    assert server["ADMIN1"].post("/v1/admin/reload").json()["version"].startswith("2026.")
    body = {"queue_code": "green", "idempotency_key": key()}
    for name in ("DISPLAY1", "ADMIN1"):
        assert server[name].post("/v1/tickets/reserve", json=body).status_code == 403
        assert server[name].post("/v1/leases", json={"idempotency_key": key()}).status_code == 403
    assert server["DISPLAY1"].post("/v1/records", json={"records": []}).status_code == 403
    lookup = {"kind": "credit_code", "key_hash": "0" * 64}
    for name in ("DISPLAY1", "ADMIN1"):
        assert server[name].post("/v1/profiles/lookup", json=lookup).status_code == 403
    assert server["K01"].post("/v1/profiles/lookup", json=lookup).json()["known"] is False
    for name in ("K01", "DISPLAY1", "ADMIN1"):  # every role reads the hall's queues
        assert server[name].get("/v1/queues").status_code == 200


def test_a_kiosk_reads_only_its_own_records_and_devices(server: Server) -> None:
    for kiosk in ("K01", "K02"):
        server.upload(kiosk, record("heartbeat", printer="ok"), record("evaluation.recorded"))
    own = server["K01"].get("/v1/records").json()
    assert own["total"] == 2
    assert {r["client_id"] for r in own["records"]} == {"K01"}
    assert server["K01"].get("/v1/records", params={"client": "K02"}).status_code == 403
    devices = server["K01"].get("/v1/devices").json()["devices"]
    assert [device["client_id"] for device in devices] == ["K01"]
    assert server["DISPLAY1"].get("/v1/records").status_code == 403
    assert server["DISPLAY1"].get("/v1/devices").status_code == 403
    assert server["ADMIN1"].get("/v1/records").json()["total"] == 4
    every = server["ADMIN1"].get("/v1/devices").json()["devices"]
    assert [device["client_id"] for device in every] == ["K01", "K02"]


def test_an_expired_token_is_refused(server: Server) -> None:
    assert server["K03"].get("/v1/info").json()["client_id"] == "K03"
    server.clock.advance(3600)
    expired = server["K03"].get("/v1/info")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    assert server["K01"].get("/v1/info").status_code == 200


def test_a_revocation_by_another_process_takes_effect(server: Server) -> None:
    assert server["K02"].get("/v1/queues").status_code == 200  # cached now
    assert revoke_token(server.db, "K02", server.settings)  # as `kiosk hall token revoke`
    wait_for(lambda: server["K02"].get("/v1/queues").status_code == 401, WAIT)
    assert server.running.hall.store.revoke_token("K01")  # in this process: at once
    assert server["K01"].get("/v1/queues").status_code == 401


def test_a_revoked_tokens_event_stream_ends_before_the_next_event(server: Server) -> None:
    with server["K02"].stream("GET", "/v1/events") as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": connected"
        assert server.running.hall.store.revoke_token("K02")
        server.reserve("K01")  # an event the revoked stream must not carry
        rest = list(lines)  # ends: the server closed the stream
    assert [line for line in rest if line.startswith("data: ")] == []


def test_info_names_the_hall_and_role_and_only_a_kiosk_takes_an_offline_range(
    server: Server,
) -> None:
    for name, role in (("DISPLAY1", "display"), ("ADMIN1", "admin")):
        info = server[name].get("/v1/info").json()
        assert (info["client_id"], info["hall"], info["role"]) == (name, "main", role)
        assert info["offline_range"] is None  # none of the hall's five taken
    kiosk = server["K01"].get("/v1/info").json()
    assert (kiosk["hall"], kiosk["role"]) == ("main", "kiosk")
    assert kiosk["offline_range"] == {"first": 900, "last": 919}
    for name in ("K02", "K03"):
        assert server[name].get("/v1/info").json()["offline_range"] is not None
    with server.running.hall.store.db.read() as tx:
        holders = tx.all("SELECT client_id FROM offline_ranges ORDER BY client_id")
    assert holders == [("K01",), ("K02",), ("K03",)]


def test_an_admin_reads_only_its_halls_records_on_a_shared_database(server: Server) -> None:
    # Hall east is served by another server process on the same database.
    east = server.running.hall.store.for_hall("east", server.settings)
    results, _ = east.add_records("E01", [record("heartbeat", printer="ok")])
    assert results[0][1] == "accepted"
    server.upload("K01", record("heartbeat", printer="ok"))
    listed = server["ADMIN1"].get("/v1/records").json()
    assert [r["client_id"] for r in listed["records"]] == ["K01"]
    assert listed["total"] == 1
