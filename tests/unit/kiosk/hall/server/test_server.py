"""The reference hall server on a real uvicorn on 127.0.0.1: numbering, idempotency,
tokens, leases, records, window actions, events, catalog versions, profiles."""

from __future__ import annotations

import json
import queue
import shutil
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.hall.api import identity_key_hash
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.profile_lookup import HashedProfiles
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.store import Location
from kiosk.hall.server.tokens import create_token
from kiosk.settings import CONFIG_DIR, Settings, load_settings
from kiosk.taxpayer import Appointment, CreditLevel, TaxpayerProfile
from tests.helpers.tls import self_signed
from tests.helpers.waiting import wait_for

WAIT = 10.0


def key() -> str:
    return uuid.uuid4().hex


def wait_until(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    wait_for(condition, timeout)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    catalog, rules = tmp_path / "config" / "catalog.toml", tmp_path / "config" / "rules.toml"
    catalog.parent.mkdir()
    shutil.copy(CONFIG_DIR / "catalog.toml", catalog)
    shutil.copy(CONFIG_DIR / "rules.toml", rules)
    return load_settings(
        overrides={"hall": {"catalog": str(catalog)}, "routing": {"rules": str(rules)}}
    )


class Hall:
    """A running server and a client with a kiosk token."""

    def __init__(
        self, db: Location, settings: Settings, clock: FakeClock | None, **options: Any
    ) -> None:
        self.db = db
        self.settings = settings
        every_window = {window for queue in settings.queues for window in queue.windows}
        self.token = create_token(db, "K01", settings, windows=every_window)
        self.running: RunningHall = start_in_thread(
            db,
            settings,
            clock=clock,
            options=ServerOptions(catalog_poll_seconds=0.05, **options),
        )
        self.url = self.running.url
        self.client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=WAIT
        )
        admin_token = create_token(db, "ADMIN1", settings, role="admin")
        self.admin = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=WAIT
        )

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(path, json=body if body is not None else {})

    def reserve(self, queue_code: str = "green", idem: str | None = None) -> dict[str, Any]:
        answer = self.post(
            "/v1/tickets/reserve", {"queue_code": queue_code, "idempotency_key": idem or key()}
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def issue(self, queue_code: str = "green") -> dict[str, Any]:
        ticket = self.reserve(queue_code)
        assert self.post(f"/v1/tickets/{ticket['ticket_id']}/commit").status_code == 200
        return ticket

    def stop(self) -> None:
        self.client.close()
        self.admin.close()
        self.running.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))  # 09:30 in Shanghai


@pytest.fixture
def location(database_location: Location) -> Location:
    return database_location


@pytest.fixture
def hall(location: Location, settings: Settings, clock: FakeClock) -> Iterator[Hall]:
    running = Hall(location, settings, clock)
    yield running
    running.stop()


class EventReader:
    """Reads /v1/events on a thread; `wait_for` finds an event by its fields."""

    def __init__(self, url: str, token: str, path: str = "/v1/events") -> None:
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.seen: list[tuple[str, dict[str, Any]]] = []
        self.connected = threading.Event()
        self._client = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(WAIT, read=None),
        )
        self._path = path
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.connected.wait(WAIT)

    def _read(self) -> None:
        try:
            with self._client.stream("GET", self._path) as response:
                name = ""
                for line in response.iter_lines():
                    if line.startswith(":"):
                        self.connected.set()
                    if line.startswith("event: "):
                        name = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        self.events.put((name, json.loads(line.removeprefix("data: "))))
                        self.connected.set()
        except httpx.HTTPError:
            pass

    def wait_for(self, kind: str, **fields: Any) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        for name, data in self.seen:
            if name == kind and all(data.get(k) == v for k, v in fields.items()):
                return data
        while time.monotonic() < deadline:
            try:
                name, data = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append((name, data))
            if name == kind and all(data.get(k) == v for k, v in fields.items()):
                return data
        raise AssertionError(f"no {kind} event with {fields}; saw {self.seen}")

    def close(self) -> None:
        self._client.close()


# ---- tokens and validation ------------------------------------------------------------------


def test_requests_without_a_valid_token_get_401(hall: Hall) -> None:
    assert httpx.get(f"{hall.url}/v1/queues").status_code == 401
    wrong = httpx.get(f"{hall.url}/v1/queues", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    assert "token" in wrong.json()["detail"]
    assert hall.client.get("/v1/queues").status_code == 200


def test_a_revoked_token_no_longer_opens_the_api(hall: Hall) -> None:
    assert hall.client.get("/v1/info").json()["client_id"] == "K01"
    assert hall.running.hall.store.revoke_token("K01")
    assert hall.client.get("/v1/info").status_code == 401


def test_a_malformed_request_is_422_naming_the_field(hall: Hall) -> None:
    answer = hall.post("/v1/tickets/reserve", {"queue_cod": "green", "idempotency_key": key()})
    assert answer.status_code == 422
    assert "body.queue_code" in answer.json()["message"]
    assert "body.queue_cod: Extra inputs" in answer.json()["message"]
    broken = hall.client.post(
        "/v1/tickets/reserve", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    unknown = hall.post("/v1/tickets/reserve", {"queue_code": "nowhere", "idempotency_key": key()})
    assert unknown.status_code == 422
    assert "queue_code: no queue has the code" in unknown.json()["message"]


def test_bodies_over_the_limit_are_refused_with_413(hall: Hall) -> None:
    big = {"records": [], "padding": "x" * (1024 * 1024 + 10)}
    answer = hall.post("/v1/records", big)
    assert answer.status_code == 413
    streamed = hall.client.post(
        "/v1/records",
        content=iter([b"x" * 600_000, b"x" * 600_000]),
        headers={"content-type": "application/json"},
    )
    assert streamed.status_code == 413


# ---- numbering ---------------------------------------------------------------------------------


def test_numbers_run_per_queue_and_carry_the_server_time(hall: Hall, clock: FakeClock) -> None:
    first, second = hall.reserve("green"), hall.reserve("green")
    other = hall.reserve("comprehensive")
    assert (first["number"], second["number"], other["number"]) == ("G001", "G002", "A001")
    assert second["people_ahead"] == 1
    assert datetime.fromisoformat(first["server_time"]) == clock.now()
    assert first["business_day"] == "2026-11-23"
    assert first["status_url"] == f"{hall.url}/t/{first['ticket_id']}"


def test_a_repeated_reserve_with_the_same_key_returns_the_same_number(hall: Hall) -> None:
    idem = key()
    first, again = hall.reserve("green", idem), hall.reserve("green", idem)
    assert again["ticket_id"] == first["ticket_id"]
    assert again["number"] == "G001"
    assert hall.reserve("green")["number"] == "G002"


def test_commit_and_void_are_idempotent_and_change_the_queue(hall: Hall) -> None:
    ticket = hall.reserve("green")
    path = f"/v1/tickets/{ticket['ticket_id']}"
    assert hall.post(path + "/commit", {"channel": "e_ticket"}).json()["status"] == "waiting"
    assert hall.post(path + "/commit", {"channel": "e_ticket"}).json()["channel"] == "e_ticket"
    assert hall.client.get("/v1/queues").json()["queues"][0]["waiting"] == 1
    assert hall.post(path + "/void", {"reason": "test"}).json()["status"] == "void"
    assert hall.post(path + "/void").status_code == 200
    assert hall.post(path + "/commit").status_code == 409
    assert hall.client.get("/v1/queues").json()["queues"][0]["waiting"] == 0
    assert hall.client.get("/v1/tickets/" + "f" * 32).status_code == 404


def test_numbering_restarts_on_the_next_business_day(hall: Hall, clock: FakeClock) -> None:
    assert hall.reserve("green")["number"] == "G001"
    clock.advance(timedelta(hours=16).total_seconds())  # 01:30 the next day in Shanghai
    answer = hall.reserve("green")
    assert answer["number"] == "G001"
    assert answer["business_day"] == "2026-11-24"


def test_a_restarted_server_keeps_its_numbering_and_commits(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    first = Hall(tmp_path / "hall.sqlite3", settings, clock)
    committed = first.issue("green")
    first.reserve("green")
    first.stop()
    again = Hall(tmp_path / "hall.sqlite3", settings, clock)
    try:
        token = create_token(tmp_path / "hall.sqlite3", "K01", settings)
        again.client.headers["Authorization"] = f"Bearer {token}"
        assert again.reserve("green")["number"] == "G003"
        status = again.client.get(f"/v1/tickets/{committed['ticket_id']}").json()["status"]
        assert status == "waiting"
    finally:
        again.stop()


def test_the_server_never_issues_numbers_of_the_offline_range(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    hall = Hall(tmp_path / "hall.sqlite3", settings, clock, offline_floor=4)
    try:
        assert [hall.reserve("green")["number"] for _ in range(3)] == ["G001", "G002", "G003"]
        full = hall.post("/v1/tickets/reserve", {"queue_code": "green", "idempotency_key": key()})
        assert full.status_code == 409
        assert "all its numbers" in full.json()["detail"]
    finally:
        hall.stop()


# ---- leases and offline tickets ---------------------------------------------------------------


def offline_record(
    ticket_id: str, number: str, queue_code: str = "green", kind: str = "ticket.reserved"
) -> dict[str, Any]:
    payload = {"number": number, "queue": queue_code, "business_day": "2026-11-23"}
    return {
        "idempotency_key": key(),
        "kind": kind,
        "at": "2026-11-23T01:40:00+00:00",
        "ticket_id": ticket_id,
        "payload": payload if kind == "ticket.reserved" else {"number": number},
    }


def test_a_lease_is_a_block_the_server_skips(hall: Hall) -> None:
    assert hall.reserve("green")["number"] == "G001"
    idem = key()
    lease = hall.post("/v1/leases", {"idempotency_key": idem, "size": 10, "queues": ["green"]})
    assert lease.status_code == 200
    assert lease.json()["blocks"] == [
        {"queue_code": "green", "prefix": "G", "first": 2, "last": 11}
    ]
    again = hall.post("/v1/leases", {"idempotency_key": idem, "size": 10, "queues": ["green"]})
    assert again.json()["blocks"] == lease.json()["blocks"]
    assert hall.reserve("green")["number"] == "G012"
    every = hall.post("/v1/leases", {"idempotency_key": key(), "size": 5}).json()["blocks"]
    assert {block["queue_code"] for block in every} == {q.code for q in hall.settings.queues}


def test_offline_tickets_join_the_queue_once_and_only_from_leased_numbers(hall: Hall) -> None:
    hall.post("/v1/leases", {"idempotency_key": key(), "size": 5, "queues": ["green"]})
    ticket_id = uuid.uuid4().hex
    reserved = offline_record(ticket_id, "G003")
    printed = offline_record(ticket_id, "G003", kind="ticket.printed")
    stolen = offline_record(uuid.uuid4().hex, "G009")
    fixed_range = offline_record(uuid.uuid4().hex, "G905")
    answer = hall.post("/v1/records", {"records": [reserved, printed, stolen, fixed_range]})
    assert answer.status_code == 200
    statuses = [result["status"] for result in answer.json()["results"]]
    assert statuses == ["accepted", "accepted", "rejected", "accepted"]
    assert "G009 was not leased to K01" in answer.json()["results"][2]["message"]
    ticket = hall.client.get(f"/v1/tickets/{ticket_id}").json()
    assert (ticket["number"], ticket["status"], ticket["kiosk_id"]) == ("G003", "waiting", "K01")
    replay = hall.post("/v1/records", {"records": [reserved, printed]})
    assert [r["status"] for r in replay.json()["results"]] == ["duplicate", "duplicate"]
    assert hall.client.get("/v1/queues").json()["queues"][0]["waiting"] == 2
    twin = offline_record(uuid.uuid4().hex, "G905")
    clash = hall.post("/v1/records", {"records": [twin]}).json()["results"][0]
    assert clash["status"] == "rejected"
    assert "already issued" in clash["message"]


def test_records_are_stored_once_and_heartbeats_give_device_health(hall: Hall) -> None:
    evaluation = {
        "idempotency_key": key(),
        "kind": "evaluation.recorded",
        "at": "2026-11-23T02:00:00+00:00",
        "payload": {"evaluation_id": "e1", "window": 3, "level": 1},
    }
    heartbeat = {
        "idempotency_key": key(),
        "kind": "heartbeat",
        "at": "2026-11-23T02:00:00+00:00",
        "payload": {"printer": "paper_low", "reader": "ok"},
    }
    first = hall.post("/v1/records", {"records": [evaluation, heartbeat]}).json()
    assert [r["status"] for r in first["results"]] == ["accepted", "accepted"]
    assert hall.post("/v1/records", {"records": [evaluation]}).json()["results"][0]["status"] == (
        "duplicate"
    )
    stored = hall.client.get("/v1/records", params={"kind": "evaluation.recorded"}).json()
    assert stored["total"] == 1
    assert stored["records"][0]["payload"]["evaluation_id"] == "e1"
    devices = hall.client.get("/v1/devices").json()["devices"]
    assert devices[0]["client_id"] == "K01"
    assert devices[0]["payload"]["printer"] == "paper_low"


# ---- window actions and events ---------------------------------------------------------------


def test_window_actions_call_in_arrival_order_and_stream_events(hall: Hall) -> None:
    events = EventReader(hall.url, hall.token)
    try:
        first, second = hall.issue("comprehensive"), hall.issue("comprehensive")
        events.wait_for("queue_changed", queue_code="comprehensive")
        called = hall.post("/v1/windows/3/call-next").json()
        assert called["event"]["number"] == first["number"]
        assert called["event"]["kind"] == "called"
        seen = events.wait_for("called", window=3, number=first["number"])
        assert seen["ticket_id"] == first["ticket_id"]
        recalled = hall.post("/v1/windows/3/recall").json()["event"]
        assert recalled["recall"] is True
        events.wait_for("called", window=3, recall=True)
        next_call = hall.post("/v1/windows/3/call-next").json()["event"]
        assert next_call["number"] == second["number"]
        events.wait_for("finished", window=3, number=first["number"])
        assert hall.post("/v1/windows/3/finish").json()["event"]["kind"] == "finished"
        assert hall.post("/v1/windows/3/call-next").json()["event"] is None
        paused = hall.post("/v1/windows/3/pause").json()
        assert paused["paused"] is True
        events.wait_for("window_paused", window=3)
        assert hall.post("/v1/windows/3/call-next").status_code == 409
        assert hall.post("/v1/windows/3/resume").json()["paused"] is False
        events.wait_for("window_resumed", window=3)
        assert hall.post("/v1/windows/99/call-next").status_code == 404
        assert hall.post("/v1/windows/3/dance").status_code == 422
    finally:
        events.close()


def test_the_event_stream_replays_after_last_event_id(hall: Hall) -> None:
    hall.issue("green")
    first = hall.post("/v1/windows/1/call-next").json()["event"]
    hall.post("/v1/windows/1/finish")
    lines: list[str] = []
    with hall.client.stream(
        "GET", "/v1/events", headers={"Last-Event-ID": str(first["id"])}
    ) as response:
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("event: finished"):
                break
    assert "event: finished" in lines


def test_a_changed_catalog_file_is_a_new_version_and_an_event(
    hall: Hall, settings: Settings
) -> None:
    events = EventReader(hall.url, hall.token)
    try:
        before = hall.client.get("/v1/catalog/version").json()
        assert before["version"].startswith("2026.11-1+")
        catalog = hall.client.get("/v1/catalog").json()
        assert catalog["catalog"]["matters"]
        assert catalog["rules"]["rules"]
        assert set(catalog["files"]) == {"catalog.toml", "rules.toml"}
        text = settings.catalog_path.read_text(encoding="utf-8")
        settings.catalog_path.write_text(
            text.replace('version = "2026.11-1"', 'version = "2026.12-1"'), encoding="utf-8"
        )
        updated = events.wait_for("catalog_updated")
        assert updated["catalog_version"].startswith("2026.12-1+")
        assert (
            hall.client.get("/v1/catalog/version").json()["version"] == (updated["catalog_version"])
        )
        settings.catalog_path.write_text("version = [", encoding="utf-8")  # broken: kept
        assert hall.admin.post("/v1/admin/reload").json()["version"] == updated["catalog_version"]
        settings.catalog_path.write_text(text, encoding="utf-8")
        with settings.rules_path.open("a", encoding="utf-8") as rules:
            rules.write("\n# a comment is a new version too\n")
        assert hall.admin.post("/v1/admin/reload").json()["version"].startswith("2026.11-1+")
        events.wait_for(
            "catalog_updated",
            catalog_version=hall.client.get("/v1/catalog/version").json()["version"],
        )
    finally:
        events.close()


# ---- profiles ----------------------------------------------------------------------------------


def test_profiles_are_found_by_the_hash_of_the_key_with_todays_appointments(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    code = "91110105" + "MA01ABCD" + "2X"
    today = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    profile = TaxpayerProfile(
        credit_level=CreditLevel.A,
        registered_on=date(2020, 1, 2),
        appointments=(
            Appointment("Y1", ("DJ001",), today),
            Appointment("Y2", ("DJ001",), today + timedelta(days=1)),
        ),
    )
    hall = Hall(
        tmp_path / "hall.sqlite3",
        settings,
        clock,
        profiles=HashedProfiles({identity_key_hash(code): profile}),
    )
    try:
        body = {"kind": "credit_code", "key_hash": identity_key_hash(code.lower())}
        found = hall.post("/v1/profiles/lookup", body).json()
        assert found["known"] is True
        assert found["credit_level"] == "A"
        assert [a["code"] for a in found["appointments"]] == ["Y1"]
        other = {"kind": "credit_code", "key_hash": identity_key_hash("nobody")}
        assert hall.post("/v1/profiles/lookup", other).json()["known"] is False
        bad = hall.post("/v1/profiles/lookup", {"kind": "credit_code", "key_hash": code})
        assert bad.status_code == 422
        assert "key_hash" in bad.json()["message"]
    finally:
        hall.stop()


# ---- the status page's data --------------------------------------------------------------------


def test_the_public_ticket_state_needs_no_token_and_shows_people_ahead(hall: Hall) -> None:
    hall.issue("green")
    mine = hall.issue("green")
    state = httpx.get(f"{hall.url}/t/{mine['ticket_id']}/state").json()
    assert (state["number"], state["people_ahead"], state["status"]) == ("G002", 1, "waiting")
    page = httpx.get(f"{hall.url}/t/{mine['ticket_id']}")
    assert page.status_code == 200
    assert "G002" in page.text
    assert httpx.get(f"{hall.url}/t/{'0' * 32}").status_code == 404


def test_profiles_come_from_the_hall_taxpayers_file_by_hashed_key(hall: Hall) -> None:
    company = "91110105MA" + "00000012"  # the fictitious A-credit company of taxpayers.toml
    found = hall.post(
        "/v1/profiles/lookup", {"kind": "credit_code", "key_hash": identity_key_hash(company)}
    ).json()
    assert found["known"] is True
    assert found["credit_level"] == "A"
    # Found by credit code, the booking is there but its code is not given away.
    assert [a["code"] for a in found["appointments"]] == ["YY****0001"]
    by_code = hall.post(
        "/v1/profiles/lookup",
        {"kind": "appointment_code", "key_hash": identity_key_hash("YY10000001")},
    ).json()
    assert by_code["credit_level"] == "A"
    assert [a["code"] for a in by_code["appointments"]] == ["YY10000001"]


def test_tls_where_configured(tmp_path: Path, settings: Settings) -> None:
    cert, private_key = self_signed(tmp_path)
    token = create_token(tmp_path / "hall.sqlite3", "K01", settings)
    running = start_in_thread(
        tmp_path / "hall.sqlite3", settings, tls_cert=cert, tls_key=private_key
    )
    try:
        assert running.url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(cert))
        answer = httpx.get(
            f"{running.url}/v1/info", headers={"Authorization": f"Bearer {token}"}, verify=trusted
        )
        assert answer.json()["client_id"] == "K01"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{running.url}/v1/info")  # an unknown certificate is refused
    finally:
        running.stop()


def test_a_window_calls_priority_before_arrival_and_paused_windows_do_not_serve(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    queues = [section.model_dump(mode="json") for section in settings.queues]
    for section in queues:
        if section["code"] in ("comprehensive", "priority"):
            section["windows"] = [2, 3]
    shared = load_settings(
        overrides={
            "hall": {"catalog": str(settings.catalog_path)},
            "routing": {"rules": str(settings.rules_path)},
            "queues": queues,
        }
    )
    hall = Hall(tmp_path / "hall.sqlite3", shared, clock)
    try:
        early = hall.issue("comprehensive")
        clock.advance(60)
        vip = hall.issue("priority")
        before = hall.client.get("/v1/queues").json()["queues"]
        assert hall.post("/v1/windows/2/call-next").json()["event"]["number"] == vip["number"]
        assert hall.post("/v1/windows/3/call-next").json()["event"]["number"] == early["number"]
        for _ in range(2):
            hall.issue("comprehensive")
        estimate = {q["code"]: q["estimated_wait_minutes"] for q in before}["comprehensive"]
        hall.post("/v1/windows/3/pause")
        after = hall.client.get("/v1/queues").json()["queues"]
        comprehensive = next(q for q in after if q["code"] == "comprehensive")
        assert comprehensive["waiting"] == 2
        assert comprehensive["estimated_wait_minutes"] == 2 * 12  # one window left
        assert estimate == 6  # one waiting, two windows, 12 minutes each
    finally:
        hall.stop()
