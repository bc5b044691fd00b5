"""The queue engine's rules on a real SQLite file and on a real PostgreSQL: numbering
per queue per day, call order, estimates, quotas and pauses. Every statement goes
through a recording transaction, which also checks the SQL keeps to standard words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.postgres import PostgresDatabase
from kiosk.queue import (
    QUEUE_MIGRATIONS,
    Database,
    QueueEngine,
    QueueFull,
    SchemaDatabase,
    TicketRow,
    Transaction,
    UnknownQueue,
    UnknownWindow,
    WindowPaused,
    upgrade,
)
from kiosk.queue.storage import Row, Value
from kiosk.settings import Settings
from kiosk.sqlite import SqliteDatabase
from tests.helpers.fakes import make_settings

# Monday 2026-11-23, 09:00 in Shanghai.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

# SQLite's own words; the engine's SQL must not need them.
SQLITE_ONLY = re.compile(
    r"julianday|strftime|rowid|autoincrement|pragma|insert or |begin immediate|"
    r"ifnull|group_concat|(?<![\"\w])window(?![\"\w])",
    re.IGNORECASE,
)
MARKER = re.compile(r"MINUTES_BETWEEN\((\w+), (\w+)\)")


# The hall's queues (config/kiosk.toml: green 4 minutes, comprehensive 12) at the
# windows of this test: window 2 serves appointments, priority and comprehensive.
WINDOWS = {"green": [3], "comprehensive": [1, 2, 3], "appointment": [1, 2], "priority": [2]}


def hall_settings(tmp_path: Path) -> Settings:
    base = make_settings(tmp_path)
    queues = [
        {**base.queue(code).model_dump(mode="json"), "windows": windows}
        for code, windows in WINDOWS.items()
    ]
    return make_settings(tmp_path, queues=queues)


class Recording:
    """A Transaction that keeps every statement the engine wrote, before the
    database's dialect is put in."""

    def __init__(self, inner: Transaction, statements: list[str]) -> None:
        self._inner = inner
        self._statements = statements

    def _kept(self, sql: str) -> str:
        self._statements.append(sql)
        return MARKER.sub(lambda m: self._inner.minutes_between(m[1], m[2]), sql)

    def execute(self, sql: str, parameters: Sequence[Value] = ()) -> int:
        return self._inner.execute(self._kept(sql), parameters)

    def one(self, sql: str, parameters: Sequence[Value] = ()) -> Row | None:
        return self._inner.one(self._kept(sql), parameters)

    def all(self, sql: str, parameters: Sequence[Value] = ()) -> list[Row]:
        return self._inner.all(self._kept(sql), parameters)

    def minutes_between(self, start: str, end: str) -> str:
        return f"MINUTES_BETWEEN({start}, {end})"  # the dialect's, put in when it runs


# Opens the one database of a test, again after a close as after a restart.
Opener = Callable[[], Database]


class Queue:
    """The engine, its database and a clock; `tx()` is one write transaction."""

    def __init__(self, opener: Opener, settings: Settings, clock: FakeClock, **options: Any):
        self.opener = opener
        self.clock = clock
        self.engine = QueueEngine(settings, clock, **options)
        self.database = opener()
        self.statements: list[str] = []

    @contextmanager
    def tx(self) -> Iterator[Transaction]:
        with self.database.transaction() as inner:
            yield Recording(inner, self.statements)

    def issue(self, code: str, kiosk_id: str = "K01", commit: bool = True) -> TicketRow:
        """A ticket one minute after the previous one; printed unless `commit` is False."""
        self.clock.advance(60)
        with self.tx() as tx:
            ticket = self.engine.issue(tx, self.engine.queue(code), ["M0201"], kiosk_id).ticket
            if commit:
                assert self.engine.commit(tx, ticket.ticket_id, "printed")
        return ticket

    def call(self, window: int) -> str | None:
        """Call next at `window`; the number called, None when nobody."""
        with self.tx() as tx:
            changes = self.engine.call_next(tx, window)
        called = [c.ticket.number for c in changes if c.kind == "called" and c.ticket]
        return called[0] if called else None

    def figures(self) -> dict[str, tuple[int, int, tuple[int, ...], int]]:
        with self.tx() as tx:
            found = self.engine.figures(tx)
        return {
            f.queue.code: (f.waiting, f.estimated_wait_minutes, f.open_windows, f.issued_today)
            for f in found
        }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def opener(database_location: Path | str) -> Opener:
    def opened() -> SchemaDatabase:
        if isinstance(database_location, Path):
            database: SchemaDatabase = SqliteDatabase(database_location)
        else:
            database = PostgresDatabase(database_location)
        upgrade(database, QUEUE_MIGRATIONS)
        return database

    return opened


@pytest.fixture
def queue(opener: Opener, tmp_path: Path, clock: FakeClock) -> Iterator[Queue]:
    made = Queue(opener, hall_settings(tmp_path), clock)
    yield made
    strange = [sql for sql in made.statements if SQLITE_ONLY.search(sql)]
    assert strange == [], "SQL only SQLite understands"
    made.database.close()


# ---- numbering ----------------------------------------------------------------------------


def test_numbers_run_per_queue_with_the_prefix_and_three_digits(queue: Queue) -> None:
    numbers = [queue.issue(code).number for code in ("green", "green", "comprehensive", "green")]
    assert numbers == ["G001", "G002", "A001", "G003"]


def test_numbering_restarts_at_the_halls_midnight_and_continues_after_a_reopen(
    queue: Queue, clock: FakeClock, tmp_path: Path
) -> None:
    assert queue.issue("green").number == "G001"
    clock.advance(14 * 3600 + 56 * 60)
    assert queue.issue("green").number == "G002"  # 23:58 in Shanghai, 15:58 UTC
    queue.database.close()
    reopened = Queue(queue.opener, hall_settings(tmp_path), clock)
    assert reopened.issue("green").number == "G003"  # the counter is in the file
    ticket = reopened.issue("green")  # 00:00 on the 24th in Shanghai; the 23rd in UTC
    assert (ticket.number, ticket.business_day) == ("G001", date(2026, 11, 24))
    reopened.database.close()


def test_a_full_queue_refuses_and_a_block_must_fit_below_the_limit(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    limited = Queue(opener, hall_settings(tmp_path), clock, number_limit=4)
    green = limited.engine.queue("green")
    day = limited.engine.business_day()
    with limited.tx() as tx:
        assert limited.engine.take(tx, green, day, 2) == 1
        with pytest.raises(QueueFull, match="queue green has issued all its numbers"):
            limited.engine.take(tx, green, day, 2)  # 3 and 4: 4 is past the limit
        assert limited.engine.take(tx, green, day, 1) == 3
    with pytest.raises(QueueFull):
        limited.issue("green")
    limited.database.close()


def test_an_offline_number_joins_once_and_a_taken_one_names_its_holder(queue: Queue) -> None:
    online = queue.issue("green", kiosk_id="K01")
    offline = TicketRow(
        "t-offline", online.business_day, "green", 900, "G900", "reserved", None, [],
        "K02", MORNING, None, None, None,
    )  # fmt: skip
    with queue.tx() as tx:
        assert queue.engine.add_offline(tx, offline) is None
        again = TicketRow(**{**offline.__dict__, "ticket_id": "t-again", "kiosk_id": "K03"})
        assert queue.engine.add_offline(tx, again) == "K02"
        assert queue.engine.reserved_by(tx, "K02") == ["t-offline"]
        assert queue.engine.ticket(tx, "t-again") is None


# ---- the order of calling -----------------------------------------------------------------


def test_a_window_calls_appointments_then_priority_then_by_arrival(queue: Queue) -> None:
    first = queue.issue("comprehensive").number
    priority = queue.issue("priority").number
    second = queue.issue("comprehensive").number
    appointment = queue.issue("appointment").number
    queue.issue("green")  # window 2 does not serve it
    calls = [queue.call(2) for _ in range(5)]
    assert calls == [appointment, priority, first, second, None]


def test_calling_next_finishes_the_current_ticket_first(queue: Queue) -> None:
    first = queue.issue("comprehensive")
    queue.issue("comprehensive")
    queue.call(1)
    with queue.tx() as tx:
        changes = queue.engine.call_next(tx, 1)
        assert [(c.kind, c.ticket.number if c.ticket else None) for c in changes] == [
            ("finished", "A001"),
            ("called", "A002"),
        ]
        finished = queue.engine.ticket(tx, first.ticket_id)
        assert finished is not None
        assert finished.status == "finished"
        recalled = queue.engine.recall(tx, 1)
        assert recalled is not None
        assert recalled.recall
        assert recalled.ticket is not None
        assert recalled.ticket.number == "A002"
        assert queue.engine.window_states(tx)[1].number == "A002"


def test_a_reserved_ticket_is_not_called_and_a_void_one_never(queue: Queue) -> None:
    queue.issue("comprehensive", commit=False)
    voided = queue.issue("comprehensive")
    with queue.tx() as tx:
        assert queue.engine.void(tx, voided.ticket_id)
        assert not queue.engine.void(tx, voided.ticket_id)  # only once
    assert queue.call(1) is None


def test_an_unknown_window_or_queue_is_refused(queue: Queue) -> None:
    with queue.tx() as tx, pytest.raises(UnknownWindow, match="window 9 serves no queue"):
        queue.engine.call_next(tx, 9)
    with pytest.raises(UnknownQueue, match="no queue has the code 'nowhere'"):
        queue.engine.queue("nowhere")


# ---- pauses, estimates and quotas ---------------------------------------------------------


def test_a_paused_window_calls_nobody_and_lengthens_the_estimates(queue: Queue) -> None:
    for _ in range(3):
        queue.issue("comprehensive")
    assert queue.figures()["comprehensive"][:3] == (3, 12, (1, 2, 3))  # 3 x 12 / 3
    with queue.tx() as tx:
        assert queue.engine.set_paused(tx, 2, True) is not None
        assert queue.engine.set_paused(tx, 2, True) is None  # already paused
        with pytest.raises(WindowPaused):
            queue.engine.call_next(tx, 2)
    assert queue.figures()["comprehensive"][:3] == (3, 18, (1, 3))  # 3 x 12 / 2
    with queue.tx() as tx:
        for window in (1, 3):
            queue.engine.set_paused(tx, window, True)
    assert queue.figures()["comprehensive"][:3] == (3, 36, ())  # as if one were open
    with queue.tx() as tx:
        change = queue.engine.set_paused(tx, 2, False)
        assert change is not None
        assert change.kind == "window_resumed"
    assert queue.call(2) == "A001"


def test_the_estimate_uses_the_days_measured_service_times(queue: Queue, clock: FakeClock) -> None:
    for _ in range(4):
        queue.issue("green")
    assert queue.figures()["green"][1] == 4 * 4  # assumed 4 minutes, one window
    queue.call(3)
    clock.advance(6 * 60)
    queue.call(3)  # the first took 6 minutes
    clock.advance(9 * 60)
    with queue.tx() as tx:
        assert len(queue.engine.finish_window(tx, 3)) == 1  # the second took 9
        green, day = queue.engine.queue("green"), queue.engine.business_day()
        assert queue.engine.service_minutes(tx, green, day) == 7.5  # the mean of 6 and 9
        assert queue.engine.waiting(tx, "green", day) == 2
    assert queue.figures()["green"][1] == 2 * 7.5


def test_people_ahead_count_the_tickets_issued_before_in_the_same_queue(queue: Queue) -> None:
    first = queue.issue("comprehensive")
    queue.issue("green")
    third = queue.issue("comprehensive", commit=False)  # reserved: holds its place
    fourth = queue.issue("comprehensive")
    with queue.tx() as tx:
        assert queue.engine.people_ahead(tx, first) == (0, 0)
        assert queue.engine.people_ahead(tx, fourth) == (2, 8)  # 2 x 12 / 3
        assert queue.engine.void(tx, third.ticket_id)
        assert queue.engine.people_ahead(tx, fourth) == (1, 4)


def test_the_quota_counts_todays_numbers_of_every_kiosk_the_voided_aside(
    queue: Queue, clock: FakeClock
) -> None:
    kept = [queue.issue("green", kiosk_id=kiosk, commit=False) for kiosk in ("K01", "K02", "K01")]
    with queue.tx() as tx:
        assert queue.engine.commit(tx, kept[0].ticket_id, "printed")
        assert queue.engine.void(tx, kept[1].ticket_id)
    figures = queue.figures()
    assert (figures["green"][3], figures["comprehensive"][3]) == (2, 0)
    clock.advance(24 * 3600)
    assert queue.figures()["green"][3] == 0  # a new day


def test_a_reservation_past_its_ttl_holds_no_place_and_a_late_commit_still_joins(
    queue: Queue, clock: FakeClock
) -> None:
    lost = queue.issue("green", commit=False)  # its reply never reached the kiosk
    assert queue.figures()["green"][0] == 1
    clock.advance(queue.engine.reservation_ttl.total_seconds() + 1)
    assert queue.figures()["green"][0] == 0  # expired: not counted
    fresh = queue.issue("green")
    with queue.tx() as tx:
        assert queue.engine.people_ahead(tx, fresh)[0] == 0
    assert queue.call(3) == fresh.number
    assert queue.call(3) is None  # never called while reserved
    with queue.tx() as tx:  # printed after all (a commit retried late): it joins
        assert queue.engine.commit(tx, lost.ticket_id, "printed")
    assert queue.call(3) == lost.number
