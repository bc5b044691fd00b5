"""Trust no client (#15): what a kiosk uploads is checked, never trusted. The server's
time orders the queue, offline numbers belong to the kiosk the server gave them to,
a forgotten reservation stops counting, and no input gives a 500: a bad record is
rejected on its own and the batch carries on. A real server on 127.0.0.1, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from kiosk.clock import FakeClock
from kiosk.hall.server.store import Location
from kiosk.settings import Settings, load_settings
from tests.helpers.hall_api import MORNING, ServerUnderTest, key, offline_ticket


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def server(
    database_location: Location, settings: Settings, clock: FakeClock
) -> Iterator[ServerUnderTest]:
    running = ServerUnderTest(database_location, settings, clock)
    yield running
    running.stop()


def record(kind: str = "heartbeat", at: str = "2026-11-23T01:30:00+00:00", **more: Any) -> Any:
    return {"idempotency_key": key(), "kind": kind, "at": at, "payload": {}, **more}


def waiting_in(server: ServerUnderTest, queue_code: str = "green") -> int:
    queues = server.kiosk("K01").get("/v1/queues").json()["queues"]
    return int(next(q["waiting"] for q in queues if q["code"] == queue_code))


# ---- server time orders the queue -------------------------------------------------------


def test_an_offline_ticket_dated_2000_is_not_called_before_the_waiting_ones(
    server: ServerUnderTest, clock: FakeClock
) -> None:
    issued = []
    for _ in range(11):
        issued.append(server.issue("K02")["number"])
        clock.advance(30)
    forged = offline_ticket("G900", "2000-01-01T00:00:00+00:00")
    results = server.upload("K01", *forged)
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    calls = []
    for _ in range(12):
        answer = server.kiosk("K02").post("/v1/windows/1/call-next")
        assert answer.status_code == 200, answer.text
        calls.append(answer.json()["event"]["number"])
    assert calls == [*issued, "G900"]
    kept = server.kiosk("K01").get("/v1/records", params={"kind": "ticket.reserved"}).json()
    assert kept["records"][0]["at"].startswith("2000-01-01")  # the audit keeps what was sent


def test_an_offline_ticket_keeps_its_place_when_its_time_is_inside_its_day(
    server: ServerUnderTest, clock: FakeClock
) -> None:
    first = server.issue("K02")["number"]  # 09:30
    clock.advance(600)
    server.issue("K02")  # 09:40
    results = server.upload("K01", *offline_ticket("G900", "2026-11-23T01:35:00+00:00"))
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    calls = [
        server.kiosk("K02").post("/v1/windows/1/call-next").json()["event"]["number"]
        for _ in range(2)
    ]
    assert calls == [first, "G900"]


def test_a_business_day_other_than_today_or_yesterday_is_refused_with_a_reason(
    server: ServerUnderTest,
) -> None:
    results = server.upload(
        "K01",
        *offline_ticket("G901", "2026-11-23T01:00:00+00:00", day="2099-01-01"),
        *offline_ticket("G902", "2026-11-22T08:00:00+00:00", day="2026-11-22"),
        *offline_ticket("G903", "2026-11-20T08:00:00+00:00", day="2026-11-20"),
        *offline_ticket("G904", "2026-11-23T01:00:00+00:00", day="２０２６-11-23"),
    )
    statuses = [r["status"] for r in results[::2]]
    assert statuses == ["rejected", "accepted", "rejected", "rejected"]
    assert "2099-01-01 is neither today (2026-11-23) nor yesterday" in results[0]["message"]
    assert "business_day" in results[6]["message"]


# ---- no input gives a 500 ---------------------------------------------------------------


def test_the_inputs_that_gave_500s_are_each_rejected_on_their_own(
    server: ServerUnderTest,
) -> None:
    bad = [
        record(at="9999-12-31T23:59:59-23:59"),
        record(at="0001-01-01T00:00:00+23:59"),
        *offline_ticket("G²²²", "2026-11-23T01:00:00+00:00"),
        *offline_ticket("G٩٩٨", "2026-11-23T01:00:00+00:00"),
        *offline_ticket("G９９７", "2026-11-23T01:00:00+00:00"),
        *offline_ticket("G905", "2026-11-23T01:00:00+00:00", matters=["M0201", "m'; --"]),
    ]
    good = record()
    # A lone surrogate: json.dumps escapes it, as a kiosk's JSON library would send it.
    surrogate = f'{{"idempotency_key": "{key()}", "kind": "evaluation.recorded",'
    surrogate += ' "at": "2026-11-23T01:00:00+00:00", "payload": {"comment": "\\ud800"}}'
    body = json.dumps({"records": [*bad, good]})[:-2] + ", " + surrogate + "]}"
    answer = server.kiosk("K01").post(
        "/v1/records", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    results = {r["idempotency_key"]: r for r in answer.json()["results"]}
    assert results[good["idempotency_key"]]["status"] == "accepted"
    reasons = {
        r["message"] for r in answer.json()["results"] if r["status"] == "rejected" and r["message"]
    }
    assert any(m.startswith("at: 9999-12-31") for m in reasons)
    assert any(m.startswith("at: 0001-01-01") for m in reasons)
    for number in ("G²²²", "G٩٩٨", "G９９７"):
        assert f"payload.number: {number!r} is not a number of queue green" in reasons
    assert 'payload.matters: "m\'; --" is not a matter code' in reasons
    assert "payload.comment: text that is not valid Unicode" in reasons
    assert waiting_in(server) == 0  # none of them joined the queue
    devices = server.kiosk("K01").get("/v1/devices")
    assert devices.status_code == 200
    listed = server.kiosk("K01").get("/v1/records")
    assert listed.status_code == 200
    # Kept: the heartbeat, the four tickets' records (refused ones too, for the audit);
    # not the two times without UTC nor the lone surrogate, which cannot be stored.
    assert listed.json()["total"] == 9


def test_nan_in_a_payload_is_rejected_and_records_stay_readable(server: ServerUnderTest) -> None:
    body = (
        f'{{"records": [{{"idempotency_key": "{key()}", "kind": "heartbeat",'
        ' "at": "2026-11-23T01:00:00+00:00", "payload": {"temperature": NaN}}]}'
    )
    answer = server.kiosk("K01").post(
        "/v1/records", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "rejected"
    assert server.kiosk("K01").get("/v1/records").status_code == 200
    assert server.kiosk("K01").get("/v1/devices").status_code == 200


def test_a_last_event_id_of_other_digits_is_a_400(server: ServerUnderTest) -> None:
    answer = server.kiosk("K01").get(
        "/v1/events", headers={"Last-Event-ID": "²³".encode("latin-1")}
    )
    assert answer.status_code == 400
    assert "Last-Event-ID" in answer.json()["detail"]


def test_matter_codes_of_a_reservation_follow_their_pattern(server: ServerUnderTest) -> None:
    body = {"queue_code": "green", "matter_codes": ["<script>"], "idempotency_key": key()}
    answer = server.kiosk("K01").post("/v1/tickets/reserve", json=body)
    assert answer.status_code == 422
    assert "matter_codes" in answer.json()["message"]


# ---- offline ranges, assigned per kiosk ------------------------------------------------


def test_kiosks_whose_ids_end_alike_get_ranges_of_their_own_and_keep_to_them(
    server: ServerUnderTest,
) -> None:
    ranges = {}
    for client_id in ("K01", "K02", "K1", "EAST-1", "HALL2-K01"):
        info = server.kiosk(client_id).get("/v1/info").json()
        ranges[client_id] = (info["offline_range"]["first"], info["offline_range"]["last"])
    assert ranges["K01"] == (900, 919)  # the range its id derives, free when it asked
    assert ranges["K02"] == (920, 939)
    spans = sorted(ranges.values())
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))
    assert server.kiosk("K01").get("/v1/info").json()["offline_range"]["first"] == 900  # kept
    results = server.upload("K1", *offline_ticket("G900", "2026-11-23T01:00:00+00:00"))
    assert results[0]["status"] == "rejected"
    assert "outside K1's offline range" in results[0]["message"]
    own = f"G{ranges['K1'][0]}"
    accepted = server.upload("K1", *offline_ticket(own, "2026-11-23T01:00:00+00:00"))
    assert [r["status"] for r in accepted] == ["accepted", "accepted"]


def test_a_sixth_kiosk_has_no_offline_range_and_its_offline_numbers_are_refused(
    server: ServerUnderTest,
) -> None:
    for client_id in ("K01", "K02", "K03", "K04", "K05"):
        assert server.kiosk(client_id).get("/v1/info").json()["offline_range"] is not None
    assert server.kiosk("K06").get("/v1/info").json()["offline_range"] is None
    results = server.upload("K06", *offline_ticket("G999", "2026-11-23T01:00:00+00:00"))
    assert results[0]["status"] == "rejected"
    assert "offline range (none)" in results[0]["message"]


@pytest.mark.parametrize(("kiosk_id", "refused"), [("K01", False), ("EAST-1", True), ("K1", True)])
def test_config_check_refuses_kiosk_ids_whose_derived_ranges_collide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kiosk_id: str, refused: bool
) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text(
        f'[kiosk]\nid = "{kiosk_id}"\n\n[hall]\nbackend = "http"\n'
        'url = "https://hall.example:8470"\ntoken = "t0123456789abcdef"\n'
    )
    code = main(["config", "check", str(machine), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert (code != 0) is refused
    problems = [p for p in out["problems"] if p["key"] == "kiosk.id"]
    assert bool(problems) is refused
    if refused:
        assert "900-919" in problems[0]["reason"]
        assert "hall.offline_range" in problems[0]["reason"]


# ---- reservations expire; idempotency keys --------------------------------------------


def test_a_reservation_never_committed_stops_counting_after_its_ttl(
    server: ServerUnderTest, clock: FakeClock
) -> None:
    client = server.kiosk("K01")
    orphan = client.post(
        "/v1/tickets/reserve", json={"queue_code": "green", "idempotency_key": key()}
    )
    assert orphan.status_code == 200
    assert waiting_in(server) == 1
    clock.advance(119)
    assert waiting_in(server) == 1
    clock.advance(2)
    assert waiting_in(server) == 0
    fresh = server.issue("K01")
    assert fresh["people_ahead"] == 0
    state = client.get(f"/t/{fresh['ticket_id']}/state").json()
    assert state["people_ahead"] == 0
    called = client.post("/v1/windows/1/call-next").json()["event"]
    assert called["number"] == fresh["number"]
    assert client.post("/v1/windows/1/call-next").json()["event"] is None  # never the orphan


def test_the_same_key_with_other_parameters_is_a_422(server: ServerUnderTest) -> None:
    client = server.kiosk("K01")
    same = key()
    body = {"queue_code": "green", "matter_codes": ["M0201"], "idempotency_key": same}
    first = client.post("/v1/tickets/reserve", json=body)
    again = client.post("/v1/tickets/reserve", json=body)
    assert again.json()["ticket_id"] == first.json()["ticket_id"]
    other = client.post("/v1/tickets/reserve", json={**body, "queue_code": "comprehensive"})
    assert other.status_code == 422
    assert "idempotency_key" in other.json()["message"]
    heartbeat = record()
    assert server.upload("K01", heartbeat)[0]["status"] == "accepted"
    assert server.upload("K01", heartbeat)[0]["status"] == "duplicate"
    forged = server.upload("K01", {**heartbeat, "kind": "ticket.voided", "ticket_id": "t1"})
    assert forged[0]["status"] == "rejected"
    assert forged[0]["message"] == "idempotency_key: already used for another record"
    lease = {"idempotency_key": key(), "size": 5, "queues": ["green"]}
    assert client.post("/v1/leases", json=lease).status_code == 200
    assert client.post("/v1/leases", json={**lease, "size": 6}).status_code == 422


# ---- heartbeats ------------------------------------------------------------------------


def test_the_latest_received_heartbeat_wins_over_one_dated_2031(server: ServerUnderTest) -> None:
    future = record(at="2031-01-01T00:00:00+00:00")
    future["payload"] = {"printer": "paper_out"}
    now = record()
    now["payload"] = {"printer": "ok"}
    server.upload("K01", future)
    server.upload("K01", now)
    devices = server.kiosk("K01").get("/v1/devices").json()["devices"]
    assert [d["payload"]["printer"] for d in devices] == ["ok"]
    assert not devices[0]["at"].startswith("2031")


def test_a_device_event_dated_2031_does_not_stick_either(server: ServerUnderTest) -> None:
    server.upload("K01", record())
    future = record("printer.status", at="2031-01-01T00:00:00+00:00")
    future["payload"] = {"condition": "paper_out", "severity": "error"}
    later = record("printer.status", at="2026-11-23T01:33:00+00:00")  # after its receipt
    later["payload"] = {"condition": "ok", "severity": "ok"}
    server.clock.advance(120)
    server.upload("K01", future)
    server.clock.advance(120)
    server.upload("K01", later)
    devices = server.kiosk("K01").get("/v1/devices").json()["devices"]
    assert devices[0]["payload"]["printer"] == "ok"
