"""The dashboard's history over a year of a busy hall: 300,000 tickets (1,200 a
business day for 250 days, a tenth of them evaluated) in a SQLite file, then each
chart query timed over a month (the longest period the dashboard offers) and over
the whole year (target: 200 ms per chart query).

The tickets and records are written straight into the tables by
kiosk/hall/server/dashboard/sample.py; the queries are the dashboard's own
(kiosk/hall/server/dashboard/queries.py), on the indexes of its schema step.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench.stats import Figure, figure
from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard import queries, sample
from kiosk.hall.server.dashboard.views import Period, history, live
from kiosk.hall.server.hall import HallServer
from kiosk.queue import Transaction
from kiosk.settings import load_settings

TICKETS = 300_000
DAYS = 250
TARGET_MS = 200.0
RUNS = 15
NOW = datetime(2026, 12, 31, 8, 0, tzinfo=UTC)  # a Thursday, 16:00 in Shanghai

ChartQuery = Callable[[Transaction, Period, datetime, datetime, datetime], Any]
CHART_QUERIES: dict[str, ChartQuery] = {
    "waits by hour": lambda tx, p, mid, s, e: queries.waits_by_hour(tx, p.first, p.last, mid),
    "tickets by day": lambda tx, p, mid, s, e: queries.tickets_by_day(tx, p.first, p.last),
    "tickets by queue": lambda tx, p, mid, s, e: queries.tickets_by_queue(tx, p.first, p.last),
    "tickets by matter": lambda tx, p, mid, s, e: queries.tickets_by_matter(tx, p.first, p.last),
    "satisfaction by window": lambda tx, p, mid, s, e: queries.evaluations_by(tx, "window", s, e),
    "satisfaction by staff": lambda tx, p, mid, s, e: queries.evaluations_by(tx, "staff_id", s, e),
}


def _filled(server: HallServer) -> tuple[list[date], float]:
    matters = [str(m["code"]) for m in server.catalog.current.catalog["matters"]]
    hall = sample.SampleHall(server.settings.queues, matters, server.store.zone)
    days = sample.business_days(server.store.business_day(NOW), DAYS)
    started = time.perf_counter()
    written = sample.fill(server.store.db, hall, days, TICKETS // DAYS, NOW)
    print(f"dashboard bench: {written} tickets written in {time.perf_counter() - started:.1f} s")
    return days, written


def _periods(server: HallServer, days: list[date], span: str) -> list[Period]:
    rng = random.Random(16)
    if span == "year":
        return [Period("month", days[0], days[-1])] * RUNS
    return [Period.around("month", rng.choice(days)) for _ in range(RUNS)]


def _time(server: HallServer, query: ChartQuery, periods: list[Period]) -> list[float]:
    zone = server.store.zone
    timings = []
    for period in periods:
        start, end = period.instants(zone)
        midnight = datetime.combine(period.first, clock_time(0), zone)
        with server.store.db.read() as tx:
            began = time.perf_counter()
            query(tx, period, midnight, start, end)
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def run() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as work:
        server = HallServer(Path(work) / "hall.sqlite3", load_settings(), FakeClock(NOW))
        try:
            days, written = _filled(server)
            for span in ("month", "year"):
                periods = _periods(server, days, span)
                for name, query in CHART_QUERIES.items():
                    figures.append(
                        figure(
                            f"dashboard {name}, a {span}",
                            "ms",
                            _time(server, query, periods),
                            target=TARGET_MS,
                            note=""
                            if name != "waits by hour" or span != "month"
                            else f"{written} tickets over {DAYS} business days, SQLite",
                        )
                    )
            month = _periods(server, days, "month")
            whole: list[float] = []
            for period in month:
                began = time.perf_counter()
                history(server, period)
                whole.append((time.perf_counter() - began) * 1000)
            figures.append(figure("dashboard history, every chart of a month", "ms", whole))
            lives: list[float] = []
            for _ in range(RUNS):
                began = time.perf_counter()
                live(server)
                lives.append((time.perf_counter() - began) * 1000)
            figures.append(figure("dashboard live view (a busy day)", "ms", lives))
        finally:
            server.close()
    return figures


if __name__ == "__main__":
    from bench.stats import table

    print(table(run()))
