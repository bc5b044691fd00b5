"""A hall's past, made up: tickets, evaluations, follow-ups and a heartbeat written
straight into a hall server's tables (the typed ones the dashboard reads). For the
dashboard's benchmark (a year of a busy hall), the demo's screenshot and tests;
seeded, so every run is the same.

Mornings are busier and waits longer then, as in a real hall; a tenth of the
services are evaluated, one evaluation in twenty is negative and opens a follow-up.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.hall.server.store.device_schema import read_heartbeat, write_heartbeat
from kiosk.queue import DEFAULT_HALL, Database, Transaction
from kiosk.settings import QueueSection

OPENS_MINUTE, CLOSES_MINUTE = 9 * 60, 16 * 60 + 30
LEVEL_WEIGHTS = (60, 25, 10, 3, 2)  # 非常满意 .. 非常不满意
KIOSKS = ("K01", "K02")


@dataclass(frozen=True)
class SampleHall:
    queues: Sequence[QueueSection]
    matters: Sequence[str]
    zone: ZoneInfo
    seed: int = 16


def business_days(last: date, count: int) -> list[date]:
    """`count` weekdays up to and including `last`, oldest first."""
    found: list[date] = []
    day = last
    while len(found) < count:
        if day.weekday() < 5:
            found.append(day)
        day -= timedelta(days=1)
    return found[::-1]


def _stamp(day: date, minute: float, zone: ZoneInfo) -> datetime:
    return (datetime.combine(day, time(0), zone) + timedelta(minutes=minute)).astimezone(UTC)


def _issue_minute(rng: random.Random) -> float:
    # Two humps: the morning rush and a smaller one after lunch.
    if rng.random() < 0.65:
        return min(CLOSES_MINUTE - 1, max(OPENS_MINUTE, rng.gauss(10 * 60, 55)))
    return min(CLOSES_MINUTE - 1, max(OPENS_MINUTE, rng.gauss(14 * 60 + 30, 60)))


class _Writer:
    def __init__(self, tx: Transaction, hall: SampleHall, now: datetime) -> None:
        self.tx, self.hall, self.now = tx, hall, now
        self.rng = random.Random(hall.seed)
        self.busy: set[int] = set()  # windows serving a number now

    def day(self, day: date, count: int) -> int:
        rng, zone = self.rng, self.hall.zone
        minutes = sorted(_issue_minute(rng) for _ in range(count))
        seqs: dict[str, int] = {}
        written = 0
        for minute in minutes:
            issued = _stamp(day, minute, zone)
            if issued > self.now:
                break
            queue = rng.choice(self.hall.queues)
            seq = seqs[queue.code] = seqs.get(queue.code, 0) + 1
            rush = 1.6 if minute < 11 * 60 else 1.0
            called = issued + timedelta(minutes=rng.expovariate(1 / (12 * rush)))
            finished = called + timedelta(minutes=rng.uniform(3, 15))
            window: int | None = rng.choice(queue.windows)
            serving = window is not None and window not in self.busy
            status = "finished"
            if called > self.now:
                status, window, called_at, finished_at = "waiting", None, None, None
            elif finished > self.now and serving and window is not None:
                self.busy.add(window)
                status, called_at, finished_at = "called", called, None
            else:
                called_at, finished_at = called, min(finished, self.now)
            self.ticket(day, queue, seq, status, minute, (issued, called_at, finished_at), window)
            written += 1
        for code, last in seqs.items():
            self.tx.execute(
                "INSERT INTO counters (business_day, queue, last) VALUES (?, ?, ?)",
                (day.isoformat(), code, last),
            )
        return written

    def ticket(
        self,
        day: date,
        queue: QueueSection,
        seq: int,
        status: str,
        minute: float,
        times: tuple[datetime, datetime | None, datetime | None],
        window: int | None,
    ) -> None:
        rng = self.rng
        ticket_id = uuid.UUID(int=rng.getrandbits(128)).hex
        matters = [rng.choice(self.hall.matters)]
        issued, called, finished = times
        self.tx.execute(
            "INSERT INTO tickets (ticket_id, business_day, queue, seq, number, status, channel,"
            ' matters, kiosk_id, offline, issued_at, called_at, finished_at, "window")'
            " VALUES (?, ?, ?, ?, ?, ?, 'printed', ?, ?, 0, ?, ?, ?, ?)",
            (
                ticket_id,
                day.isoformat(),
                queue.code,
                seq,
                f"{queue.prefix}{seq:03d}",
                status,
                json.dumps(matters),
                rng.choice(KIOSKS),
                issued.isoformat(),
                None if called is None else called.isoformat(),
                None if finished is None else finished.isoformat(),
                window,
            ),
        )
        if status == "finished" and finished is not None and rng.random() < 0.1:
            self.evaluation(day, ticket_id, f"{queue.prefix}{seq:03d}", window, finished)

    def evaluation(
        self, day: date, ticket_id: str, number: str, window: int | None, at: datetime
    ) -> None:
        """A keypad's vote into the typed tables, as the server files a kiosk's
        evaluation.recorded; a 差评 opens a follow-up, most of them closed a day later."""
        level = self.rng.choices((1, 2, 3, 4, 5), LEVEL_WEIGHTS)[0]
        evaluation_id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        kiosk = self.rng.choice(KIOSKS)
        self.tx.execute(
            "INSERT INTO evaluations (evaluation_id, hall, client_id, ticket_id, number,"
            " window_number, staff_id, level, channel, is_repeat, evaluated_at, business_day)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'keypad', 0, ?, ?)",
            (
                evaluation_id,
                DEFAULT_HALL,  # as the tickets' (the table's default)
                kiosk,
                ticket_id,
                number,
                window or 0,
                None if window is None else f"{1000 + window}",
                level,
                at.isoformat(),
                day.isoformat(),
            ),
        )
        if level >= 4:
            deadline = (day + timedelta(days=7)).isoformat()
            closed_at, note = None, ""
            if self.rng.random() < 0.8:
                closed_at, note = (at + timedelta(days=1)).isoformat(), "called back"
            self.tx.execute(
                "INSERT INTO follow_ups (evaluation_id, opened_at, deadline, closed_at,"
                " closing_note) VALUES (?, ?, ?, ?, ?)",
                (evaluation_id, at.isoformat(), deadline, closed_at, note),
            )


def fill(db: Database, hall: SampleHall, days: Sequence[date], per_day: int, now: datetime) -> int:
    """Writes `per_day` tickets (give or take) on each day, none after `now`; the
    number written."""
    written = 0
    with db.transaction() as tx:
        writer = _Writer(tx, hall, now)
        for day in days:
            writer.busy = set()
            written += writer.day(day, max(1, round(per_day * writer.rng.uniform(0.8, 1.2))))
    return written


def heartbeat(db: Database, client_id: str, now: datetime, payload: dict[str, object]) -> None:
    """A kiosk's latest device health, as the server keeps its heartbeat record."""
    told, malformed = read_heartbeat(payload)
    if malformed:
        raise ValueError("; ".join(malformed))
    with db.transaction() as tx:
        write_heartbeat(tx, client_id, now.isoformat(), now.isoformat(), told)
