"""What the technicians see reaches the hall: keypads going silent and coming back,
evaluations and follow-ups, device health, through the kiosk's real outbox delivery to
a real hall server on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from drivers.sim.keypads import KeypadBusEmulator
from kiosk.app import Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.evaluation import EvaluationLevel
from kiosk.hall import api
from kiosk.hall.http import HttpHall
from kiosk.hall.server.runner import start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import load_settings
from kiosk.startup import app_version

ADDRESSES = [1, 2]


class Server:
    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def devices(self) -> dict[str, dict[str, Any]]:
        answer = self.client.get(api.PATH_DEVICES)
        assert answer.status_code == 200
        return {device["client_id"]: device["payload"] for device in answer.json()["devices"]}

    def records(self, kind: str) -> list[dict[str, Any]]:
        answer = self.client.get(api.PATH_RECORDS, params={"kind": kind})
        assert answer.status_code == 200
        records: list[dict[str, Any]] = answer.json()["records"]
        return records


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[str, Server, Path]]:
    db = tmp_path / "server" / "hall.sqlite3"
    db.parent.mkdir()
    settings = load_settings(None)
    running = start_in_thread(db, settings)
    view = Server(running.url, create_token(db, "TEST", settings, role="admin"))
    try:
        yield running.url, view, db
    finally:
        view.client.close()
        running.stop()


@pytest.fixture
def keypads() -> Iterator[tuple[KeypadBusEmulator, str]]:
    emulator = KeypadBusEmulator(ADDRESSES, baud=None)
    port = emulator.start()
    yield emulator, port
    emulator.stop()


@pytest.fixture
def kiosk(
    hall: tuple[str, Server, Path], keypads: tuple[KeypadBusEmulator, str], tmp_path: Path
) -> Iterator[Kiosk]:
    url, _view, db = hall
    base = load_settings(None)
    settings = load_settings(
        None,
        overrides={
            "kiosk": {"id": "K05", "data_dir": str(tmp_path / "kiosk")},
            "hall": {"backend": "http", "url": url, "token": create_token(db, "K05", base)},
            "printer": {"port": str(tmp_path / "no-printer")},
            "keypads": {"addresses": ADDRESSES},
        },
    )
    built = build_kiosk(settings, load_catalog(settings.catalog_path), keypad_port=keypads[1])
    try:
        yield built
    finally:
        built.close()


def turn_until(kiosk: Kiosk, condition: Callable[[], bool], turns: int = 40) -> None:
    """Run the keypad bus turn by turn (each one polls every keypad) until `condition`."""
    windows = kiosk.windows
    assert windows is not None
    for _ in range(turns):
        if condition():
            return
        windows.run_once()
    assert condition(), "the keypad bus did not get there"


def keypad_online(kiosk: Kiosk, address: int) -> bool:
    assert kiosk.windows is not None
    return next(s.online for s in kiosk.windows.status() if s.address == address)


def test_a_silent_keypad_reaches_the_servers_device_list_and_comes_back(
    kiosk: Kiosk, keypads: tuple[KeypadBusEmulator, str], hall: tuple[str, Server, Path]
) -> None:
    emulator, _port = keypads
    _url, server, _db = hall
    assert kiosk.outbox_delivery is not None
    turn_until(kiosk, lambda: keypad_online(kiosk, 2))
    emulator.silent.add(2)  # the keypad at window 2 stops answering
    turn_until(kiosk, lambda: not keypad_online(kiosk, 2))
    assert kiosk.outbox_delivery.cycle()  # heartbeat and outbox, as the sync thread does
    assert kiosk.journal.pending_outbox() == 0
    assert kiosk.journal.refused_outbox() == []
    health = server.devices()["K05"]
    assert health["keypads"]["2"]["online"] is False
    assert health["keypads"]["2"]["window"] == 2
    assert health["kiosk"] == "K05"  # the heartbeat is there too
    assert "printer" in health
    assert health["app_version"] == app_version() != ""  # which software the kiosk runs
    assert health["keypads_online"]["2"] is False
    assert [r["payload"]["address"] for r in server.records("keypad.offline")] == [2]
    assert kiosk.windows is not None
    assert kiosk.windows.scan() == {1: "KP1-SIM/1.0", 2: None}  # the technician's bus scan

    emulator.silent.discard(2)
    turn_until(kiosk, lambda: keypad_online(kiosk, 2))
    kiosk.outbox_delivery.flush()
    assert server.devices()["K05"]["keypads"]["2"]["online"] is True
    assert len(server.records("keypad.online")) == 1


def test_evaluations_and_follow_ups_arrive_once_even_when_sent_again(
    kiosk: Kiosk, hall: tuple[str, Server, Path]
) -> None:
    _url, server, _db = hall
    assert kiosk.windows is not None
    assert kiosk.outbox_delivery is not None
    desk = kiosk.windows.evaluations
    evaluation = desk.vote(3, EvaluationLevel.VERY_DISSATISFIED)
    [follow_up] = kiosk.windows.open_follow_ups()
    kiosk.windows.close_follow_up(follow_up.evaluation_id, "已电话回访 / Called back")
    batch = kiosk.journal.outbox_batch()
    kiosk.outbox_delivery.flush()
    assert kiosk.journal.pending_outbox() == 0
    assert isinstance(kiosk.hall, HttpHall)
    again = kiosk.hall.send(batch)  # a replay, e.g. after an answer was lost
    assert sorted(again.acknowledged) == sorted(record.event_id for record in batch)
    for kind in ("evaluation.recorded", "follow_up.opened", "follow_up.closed"):
        stored = server.records(kind)
        assert len(stored) == 1, kind
        assert stored[0]["client_id"] == "K05"
        assert stored[0]["payload"]["evaluation_id"] == evaluation.evaluation_id
    assert server.records("evaluation.recorded")[0]["payload"]["level"] == 5


def test_the_printers_paper_reaches_the_device_list_before_the_next_heartbeat(
    kiosk: Kiosk, hall: tuple[str, Server, Path]
) -> None:
    from drivers.printer.status import PrinterCondition, PrinterStatus

    _url, server, _db = hall
    assert kiosk.outbox_delivery is not None
    assert kiosk.printer is not None
    assert kiosk.outbox_delivery.cycle()  # the first heartbeat: no printer at this port
    assert server.devices()["K05"]["printer"] in {"unknown", "offline"}
    kiosk.printer.health.record(PrinterStatus(PrinterCondition.PAPER_NEAR_END, "paper low"))
    kiosk.outbox_delivery.flush()
    health = server.devices()["K05"]
    assert health["printer"] == "paper_near_end"
    assert health["printer_severity"] == kiosk.printer.health.report.severity


def test_an_older_device_event_arriving_late_does_not_undo_a_newer_one(
    hall: tuple[str, Server, Path],
) -> None:
    _url, server, _db = hall

    def record(key: str, kind: str, at: str) -> dict[str, Any]:
        return {
            "idempotency_key": key,
            "kind": kind,
            "at": at,
            "payload": {"address": 4, "window": 4},
        }

    newer = record("kp-offline-0001", "keypad.offline", "2026-11-23T03:00:00+00:00")
    older = record("kp-online-00001", "keypad.online", "2026-11-23T02:00:00+00:00")
    for batch in ([newer], [older]):
        answer = server.client.post(api.PATH_RECORDS, json={"records": batch})
        assert answer.json()["results"][0]["status"] == "accepted"
    keypad = server.devices()["TEST"]["keypads"]["4"]
    assert keypad["online"] is False
    assert keypad["at"].startswith("2026-11-23T03:00:00")
