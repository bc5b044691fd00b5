"""Device health in typed tables, on SQLite and PostgreSQL: a kiosk's heartbeat and
device events come back from /v1/devices as it said them, a malformed one is refused
with the field named (the last good one kept), and a database of the hall server's
step 3 (heartbeats and events as JSON text) upgrades keeping each kiosk's latest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.store import HallStore, Location
from kiosk.hall.server.store.base import HALL_SERVER_PARTS, SERVER_MIGRATIONS, database_at
from kiosk.queue import QUEUE_MIGRATIONS, upgrade
from tests.helpers.fakes import make_settings

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
AT = MORNING.isoformat(timespec="microseconds")
HEARTBEAT = {  # as kiosk/startup.py makes it
    "kiosk": "K01",
    "printer": "paper_near_end",
    "printer_severity": "warning",
    "pending": 3,
    "app_version": "0.1.0",
    "card_reader": "ready",
    "scanner": "none",
    "keypads_online": {"1": True, "2": False},
}


@pytest.fixture
def store(database_location: Location, tmp_path: Path) -> Iterator[HallStore]:
    made = HallStore(database_location, make_settings(tmp_path), FakeClock(MORNING))
    yield made
    made.close()


def heartbeat(key: str, payload: dict[str, Any], at: str = AT) -> dict[str, Any]:
    return {"idempotency_key": key, "kind": "heartbeat", "at": at, "payload": payload}


def test_a_heartbeat_comes_back_as_the_kiosk_said_it(store: HallStore) -> None:
    results, _ = store.add_records("K01", [heartbeat("h1", {**HEARTBEAT, "extra": [1]})])
    assert [status for _, status, _ in results] == ["accepted"]
    assert store.devices() == [
        {"client_id": "K01", "at": AT, "received_at": MORNING.isoformat(), "payload": HEARTBEAT}
    ]  # what a heartbeat does not carry is not kept
    with store.db.read() as tx:
        assert tx.all("SELECT printer, pending FROM device_health") == [("paper_near_end", 3)]
        keypads = tx.all("SELECT window_number, online FROM device_keypads ORDER BY 1")
        assert keypads == [(1, 1), (2, 0)]
    later = {"printer": "ready", "keypads_online": {"3": True}}
    store.add_records("K01", [heartbeat("h2", later)])
    assert store.devices()[0]["payload"] == later  # the keypads of the last one only
    store.add_records("K02", [heartbeat("h3", {"keypads_online": {}})])
    assert store.devices()[1]["payload"] == {"keypads_online": {}}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"printer": 5}, "payload.printer"),
        ({"scanner": "x" * 101}, "payload.scanner"),
        ({"kiosk": "K\x0001"}, "payload.kiosk"),
        ({"pending": -1}, "payload.pending"),
        ({"pending": True}, "payload.pending"),
        ({"keypads_online": {"one": True}}, "payload.keypads_online"),
        ({"keypads_online": {"1": "yes"}}, "payload.keypads_online"),
        ({"keypads_online": [1]}, "payload.keypads_online"),
    ],
)
def test_a_malformed_heartbeat_is_refused_naming_the_field_and_the_last_good_one_stays(
    store: HallStore, payload: dict[str, Any], field: str
) -> None:
    store.add_records("K01", [heartbeat("good", HEARTBEAT)])
    ((_, status, message),), _ = store.add_records("K01", [heartbeat("bad", payload)])
    assert (status, message.split(":")[0]) == ("rejected", field)
    assert store.devices()[0]["payload"] == HEARTBEAT
    records, total = store.records("heartbeat", None, 10, 0)
    assert total == 2  # kept as it came, for the audit
    assert records[1]["payload"] == payload


def test_a_database_of_step_3_upgrades_keeping_the_latest_heartbeats(
    database_location: Location, tmp_path: Path
) -> None:
    database = database_at(database_location)
    step3 = replace(SERVER_MIGRATIONS, steps=SERVER_MIGRATIONS.steps[:3])
    upgrade(database, QUEUE_MIGRATIONS, step3)
    with database.transaction() as tx:
        for client_id, payload in (
            ("K01", json.dumps({**HEARTBEAT, "reader": "legacy"})),
            ("K02", json.dumps({"printer": 5, "scanner": "ready", "keypads_online": None})),
            ("K03", "null"),
        ):
            tx.execute(
                "INSERT INTO devices (client_id, at, received_at, payload) VALUES (?, ?, ?, ?)",
                (client_id, AT, AT, payload),
            )
        for client_id, device, state in (
            ("K01", "keypad:7", {"address": 7, "window": 2, "online": False}),
            ("K01", "keypad:None", {"address": None, "window": None, "online": True}),
            ("K02", "keypad_bus", {"keypad_bus": "lost"}),
            ("K04", "printer", {"printer": "paper_out", "printer_severity": "fault"}),
        ):
            tx.execute(
                "INSERT INTO device_events (client_id, device, at, received_at, state)"
                " VALUES (?, ?, ?, ?, ?)",
                (client_id, device, AT, AT, json.dumps(state)),
            )
    changes = upgrade(database, *HALL_SERVER_PARTS)
    assert [(c.before, c.after) for c in changes if c.part == "hall_server"] == [(3, 4)]
    with database.transaction() as tx:  # the JSON tables are gone
        assert not tx.has_column("devices", "payload")
        assert not tx.has_column("device_events", "state")
    database.close()
    store = HallStore(database_location, make_settings(tmp_path), FakeClock(MORNING))
    try:
        found = {device["client_id"]: device for device in store.devices()}
        assert found["K01"]["payload"] == {
            **HEARTBEAT,
            "keypads": {"7": {"address": 7, "window": 2, "online": False, "at": AT}},
        }
        assert found["K02"]["payload"] == {"scanner": "ready", "keypad_bus": "lost"}  # no printer
        assert found["K04"]["payload"] == {"printer": "paper_out", "printer_severity": "fault"}
        assert found["K03"] == {"client_id": "K03", "at": AT, "received_at": AT, "payload": {}}
    finally:
        store.close()


def test_device_events_show_at_once_and_a_malformed_one_is_refused(store: HallStore) -> None:
    def event(key: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"idempotency_key": key, "kind": kind, "at": AT, "payload": payload}

    results, _ = store.add_records(
        "K01",
        [
            heartbeat("h1", HEARTBEAT),
            event("e1", "keypad.offline", {"address": 4, "window": 3}),
            event("e2", "printer.status", {"condition": "paper_out", "severity": "fault"}),
            event("e3", "keypads.port_lost", {"reason": "unplugged"}),
            event("e4", "keypad.online", {"address": "4", "window": 3}),
            event("e5", "keypad.online", {"address": 5, "window": 0}),
            event("e6", "printer.status", {"severity": "ok"}),
        ],
    )
    assert [(status, message.split(":")[0]) for _, status, message in results] == [
        ("accepted", ""),
        ("accepted", ""),
        ("accepted", ""),
        ("accepted", ""),
        ("rejected", "payload.address"),
        ("rejected", "payload.window"),
        ("rejected", "payload.condition"),
    ]
    (kiosk,) = store.devices()
    assert kiosk["payload"] == {
        **HEARTBEAT,
        "printer": "paper_out",
        "printer_severity": "fault",
        "keypad_bus": "lost",
        "keypads": {"4": {"address": 4, "window": 3, "online": False, "at": AT}},
    }
