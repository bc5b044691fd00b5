"""Trust no client (#15), the kiosk's side: it keeps to the offline range the server
assigned it, cleans up a reservation whose reply was lost, and a record the server
refuses as malformed is set aside instead of holding back the outbox. A real server
on 127.0.0.1, the kiosk's real hall client and journal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.clock import FakeClock, SystemClock
from kiosk.hall.http import HttpHall
from kiosk.hall.link import HallLink
from kiosk.hall.outbox_delivery import OutboxDeliveryWorker
from kiosk.journal import Journal
from kiosk.settings import Settings, load_settings
from tests.helpers.hall_api import ServerUnderTest
from tests.helpers.reply_dropper import ReplyDropper


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerUnderTest]:
    running = ServerUnderTest(tmp_path / "hall.sqlite3", load_settings(), SystemClock())
    yield running
    running.stop()


@pytest.fixture
def make_hall(
    tmp_path: Path, server: ServerUnderTest
) -> Iterator[Callable[[str, str | None], HttpHall]]:
    def make(kiosk_id: str, url: str | None = None) -> HttpHall:
        token = server.kiosk(kiosk_id).headers["Authorization"].removeprefix("Bearer ")
        settings: Settings = load_settings(
            overrides={
                "kiosk": {"id": kiosk_id},
                "hall": {
                    "backend": "http",
                    "url": url or server.url,
                    "token": token,
                    "connect_timeout_seconds": 1,
                    "request_timeout_seconds": 5,
                    "lease_size": 1,  # one leased number per queue, then the own range
                },
            }
        )
        clock = SystemClock()
        hall = HttpHall(settings, tmp_path / f"{kiosk_id}-link.sqlite3", clock, HallLink(clock))
        opened.callback(hall.close)
        return hall

    with ExitStack() as opened:
        yield make


def waiting(server: ServerUnderTest) -> int:
    queues = server.kiosk("K01").get("/v1/queues").json()["queues"]
    return int(next(q["waiting"] for q in queues if q["code"] == "green"))


def test_a_kiosk_numbers_offline_from_the_range_the_server_assigned_it(
    server: ServerUnderTest, make_hall: Callable[[str, str | None], HttpHall]
) -> None:
    server.kiosk("K01").get("/v1/info")  # K01 holds 900-919 now
    hall = make_hall("EAST-1", None)  # its id derives 900-919 too
    hall.maintain()  # learns its range
    server.running.stop()
    numbers = [hall.reserve("green", [], "EAST-1").number for _ in range(2)]
    assert not hall.link.status().online
    assert numbers == ["G001", "G920"]  # the leased one, then the server's assignment


def test_a_reservation_whose_reply_was_lost_is_retried_with_its_key_then_voided(
    server: ServerUnderTest, make_hall: Callable[[str, str | None], HttpHall]
) -> None:
    relay = ReplyDropper(server.url)
    try:
        hall = make_hall("K01", relay.url)
        relay.dropping.set()
        offline = hall.reserve("green", [], "K01")
        assert relay.dropped == 2  # asked twice, with the same key
        assert offline.number == "G900"  # the taxpayer got an offline number
        assert waiting(server) == 1  # the server made one reservation, for nobody
        relay.dropping.clear()
        hall.maintain()
        assert waiting(server) == 0  # voided at once, not only after its TTL
        online = hall.reserve("green", [], "K01")
        # G001 is the lost one, reserved once only; G002 was leased by maintain.
        assert online.number == "G003"
    finally:
        relay.close()


def test_a_record_the_server_refuses_no_longer_holds_back_the_ones_behind_it(
    server: ServerUnderTest, make_hall: Callable[[str, str | None], HttpHall], tmp_path: Path
) -> None:
    hall = make_hall("K01", None)
    # A kiosk clock set to year 1 at +23:59: a time with no UTC equivalent.
    clock = FakeClock(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))))
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    try:
        bad = journal.record("heartbeat", {"printer": "paper_out"})
        clock.advance(
            (datetime(2026, 11, 23, tzinfo=UTC) - datetime(1, 1, 2, tzinfo=UTC)).total_seconds()
        )
        unknown = journal.record("Not A Kind", {})
        good = journal.record("heartbeat", {"printer": "ok"})
        worker = OutboxDeliveryWorker(journal, hall, hall.link, SystemClock())
        assert worker.cycle()
        assert journal.pending_outbox() == 0
        refused = dict(journal.refused_outbox())
        assert sorted(refused) == [bad, unknown]
        assert refused[bad].startswith("at: ")
        assert refused[unknown].startswith("malformed, not sent: kind")
        devices = server.kiosk("K01").get("/v1/devices").json()["devices"]
        assert devices[0]["payload"] == {"printer": "ok"}
        assert good not in refused
    finally:
        journal.close()
