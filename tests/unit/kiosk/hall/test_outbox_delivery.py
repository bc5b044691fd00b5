from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.link import HallLink, LinkDown, LinkStatus
from kiosk.hall.outbox_delivery import HEARTBEAT_KIND, Delivery, OutboxDeliveryWorker
from kiosk.journal import Journal, OutboxRecord
from tests.helpers.waiting import wait_for


class FakeServer:
    """Honours idempotency keys like the hall server; can be down, or lose its answers."""

    def __init__(self) -> None:
        self.by_key: dict[str, OutboxRecord] = {}
        self.received = 0
        self.batches: list[int] = []
        self.down = False
        self.lose_answer = False
        self.refuse_kind: str | None = None

    def send(self, records: Sequence[OutboxRecord]) -> Delivery:
        if self.down:
            raise LinkDown("connection refused")
        self.batches.append(len(records))
        refused = {}
        for record in records:
            self.received += 1
            if record.kind == self.refuse_kind:
                refused[record.event_id] = "not a number of this kiosk"
                continue
            self.by_key.setdefault(record.idempotency_key, record)
        if self.lose_answer:
            self.lose_answer = False
            raise LinkDown("read timeout")
        return Delivery([r.event_id for r in records if r.event_id not in refused], refused)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3", FakeClock())


def test_the_outbox_gives_batches_oldest_first_and_forgets_what_was_delivered(
    journal: Journal,
) -> None:
    ids = [journal.record("ticket.reserved", {"number": f"G{n:03d}"}, f"t{n}") for n in range(5)]
    batch = journal.outbox_batch(3)
    assert [record.event_id for record in batch] == ids[:3]
    assert batch[0].payload == {"number": "G000"}
    assert batch[0].ticket_id == "t0"
    assert len({record.idempotency_key for record in batch}) == 3
    assert journal.mark_delivered(ids[:2]) == 2
    assert journal.mark_delivered(ids[:2]) == 0  # a repeat changes nothing
    assert journal.pending_outbox() == 3
    assert [record.event_id for record in journal.outbox_batch(10)] == ids[2:]
    assert journal.oldest_pending_at() is not None


def test_delivery_state_survives_reopening_and_keys_never_change(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    first = Journal(path, FakeClock())
    ids = first.record_many([("evaluation.recorded", {"level": 1}, None)] * 3)
    keys = [record.idempotency_key for record in first.outbox_batch()]
    first.mark_delivered(ids[:1], refused={ids[1]: "bad record"})
    first.close()
    again = Journal(path, FakeClock())
    assert [record.idempotency_key for record in again.outbox_batch()] == keys[2:]
    assert again.refused_outbox() == [(ids[1], "bad record")]
    assert again.pending_outbox() == 1
    again.close()


def test_a_journal_from_before_the_refused_column_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.executescript(
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
            " kind TEXT NOT NULL, ticket_id TEXT, payload TEXT NOT NULL);"
            "CREATE TABLE outbox (event_id INTEGER PRIMARY KEY REFERENCES events (id),"
            " idempotency_key TEXT NOT NULL UNIQUE, delivered_at TEXT);"
            "INSERT INTO events VALUES (1, '2026-11-23T01:30:00+00:00', 'kiosk.started', NULL,"
            " '{}');"
            "INSERT INTO outbox VALUES (1, 'abcdef0123456789', NULL);"
        )
    raw.close()
    journal = Journal(path, FakeClock())
    assert [record.idempotency_key for record in journal.outbox_batch()] == ["abcdef0123456789"]
    journal.mark_delivered([], refused={1: "old"})
    assert journal.refused_outbox() == [(1, "old")]
    journal.close()


def test_flush_delivers_everything_in_batches(journal: Journal) -> None:
    journal.record_many([("ticket.printed", {"n": n}, f"t{n}") for n in range(25)])
    server = FakeServer()
    clock = FakeClock()
    link = HallLink(clock, journal.pending_outbox)
    worker = OutboxDeliveryWorker(journal, server, link, clock, batch_size=10)
    assert worker.flush() == 25
    assert server.batches == [10, 10, 5]
    assert journal.pending_outbox() == 0
    assert link.status().online


def test_a_lost_answer_is_replayed_with_the_same_keys_and_nothing_is_duplicated(
    journal: Journal,
) -> None:
    journal.record_many([("evaluation.recorded", {"n": n}, None) for n in range(7)])
    server = FakeServer()
    clock = FakeClock()
    worker = OutboxDeliveryWorker(journal, server, HallLink(clock, journal.pending_outbox), clock)
    server.lose_answer = True
    assert not worker.cycle()  # the server took them but the kiosk never heard
    assert journal.pending_outbox() == 7
    assert worker.cycle()
    assert server.received == 14
    assert len(server.by_key) == 7
    assert journal.pending_outbox() == 0


def test_the_link_reads_offline_since_the_first_failure_and_comes_back_by_itself(
    journal: Journal,
) -> None:
    clock = FakeClock()
    server = FakeServer()
    link = HallLink(clock, journal.pending_outbox)
    seen: list[LinkStatus] = []
    link.subscribe(seen.append)
    worker = OutboxDeliveryWorker(journal, server, link, clock)
    journal.record("ticket.reserved", {"number": "G001"}, "t1")
    assert worker.cycle()
    server.down = True
    clock.advance(60)
    went_down = clock.now()
    journal.record("ticket.reserved", {"number": "G002"}, "t2")
    assert not worker.cycle()
    clock.advance(30)
    assert not worker.cycle()
    status = link.status()
    assert (status.online, status.offline_since, status.pending) == (False, went_down, 1)
    assert status.last_error == "connection refused"
    server.down = False
    assert worker.cycle()
    assert link.status() == LinkStatus(True, None, 0, None, clock.now())
    transitions = [
        item.online for n, item in enumerate(seen) if n == 0 or seen[n - 1].online != item.online
    ]
    assert transitions == [True, False, True]


def test_back_off_doubles_with_jitter_up_to_its_ceiling(journal: Journal) -> None:
    clock = FakeClock()
    server = FakeServer()
    server.down = True
    worker = OutboxDeliveryWorker(
        journal,
        server,
        HallLink(clock),
        clock,
        interval_seconds=5,
        backoff_seconds=1,
        backoff_max_seconds=8,
    )
    journal.record("ticket.reserved", {}, "t1")
    assert worker.next_delay() == 5
    ceilings = []
    for _ in range(6):
        worker.cycle()
        ceilings.append(worker.next_delay())
    for delay, ceiling in zip(ceilings, [1, 2, 4, 8, 8, 8], strict=True):
        assert ceiling / 2 <= delay <= ceiling
    server.down = False
    worker.cycle()
    assert worker.next_delay() == 5


def test_refused_records_leave_the_outbox_with_their_reason(journal: Journal) -> None:
    clock = FakeClock()
    server = FakeServer()
    server.refuse_kind = "ticket.reserved"
    journal.record("ticket.reserved", {"number": "G500"}, "t1")
    journal.record("evaluation.recorded", {"level": 2})
    OutboxDeliveryWorker(journal, server, HallLink(clock), clock).flush()
    assert journal.pending_outbox() == 0
    assert [reason for _, reason in journal.refused_outbox()] == ["not a number of this kiosk"]


def test_a_heartbeat_is_journalled_on_its_interval_and_delivered(journal: Journal) -> None:
    clock = FakeClock()
    server = FakeServer()
    worker = OutboxDeliveryWorker(
        journal,
        server,
        HallLink(clock),
        clock,
        heartbeat_seconds=60,
        health=lambda: {"printer": "paper_low", "keypads": {"1": "ok"}},
    )
    worker.cycle()
    clock.advance(30)
    worker.cycle()
    clock.advance(30)
    worker.cycle()
    beats = [record for record in server.by_key.values() if record.kind == HEARTBEAT_KIND]
    assert len(beats) == 2
    assert beats[0].payload == {"printer": "paper_low", "keypads": {"1": "ok"}}


def test_the_worker_thread_delivers_a_new_record_without_waiting_for_its_interval(
    journal: Journal,
) -> None:
    clock = FakeClock()
    server = FakeServer()
    worker = OutboxDeliveryWorker(
        journal, server, HallLink(clock, journal.pending_outbox), clock, interval_seconds=600
    )
    journal.record("kiosk.started", {"kiosk": "K01"})
    worker.start()
    try:
        wait_for(lambda: journal.pending_outbox() == 0)  # the first cycle runs at once
        journal.record("evaluation.recorded", {"level": 1})
        wait_for(lambda: journal.pending_outbox() == 0)  # woken, not after 600 s
        kinds = [record.kind for record in server.by_key.values()]
        assert kinds == ["kiosk.started", "evaluation.recorded"]
    finally:
        worker.stop()
    assert not any(thread.name == "hall-sync" for thread in threading.enumerate())
