"""The dashboard's history over a year of a busy hall: 300,000 tickets (1,200 a
business day for 250 days, a tenth of them evaluated) in a SQLite file; each chart
query timed over a month (the longest period the page offers) and over the whole
year (target: 200 ms per chart query).

The tickets and evaluations are written straight into the tables by
kiosk/hall/server/dashboard/sample.py; the queries are the dashboard's own
(kiosk/hall/server/dashboard/queries.py). The ticket charts read each day's sums:
the first history of the year sums every day once ("summing a year, first time"),
later ones only check which days changed ("checking a year") and re-sum today.
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
from kiosk.hall.server.dashboard.views import Period, history
from kiosk.hall.server.hall import HallServer
from kiosk.queue import Transaction
from kiosk.settings import load_settings

TICKETS = 300_000
DAYS = 250
TARGET_MS = 200.0
RUNS = 15
NOW = datetime(2026, 12, 31, 8, 0, tzinfo=UTC)  # a Thursday, 16:00 in Shanghai

ChartQuery = Callable[[Transaction, Period, datetime, datetime], Any]
CHART_QUERIES: dict[str, ChartQuery] = {
    "waits by hour": lambda tx, p, s, e: queries.waits_by_hour(tx, p.first, p.last),
    "tickets by day": lambda tx, p, s, e: queries.tickets_by_day(tx, p.first, p.last),
    "tickets by queue": lambda tx, p, s, e: queries.tickets_by_queue(tx, p.first, p.last),
    "tickets by matter": lambda tx, p, s, e: queries.tickets_by_matter(tx, p.first, p.last),
    "satisfaction by window": lambda tx, p, s, e: queries.evaluations_by(tx, "window", s, e),
    "satisfaction by staff": lambda tx, p, s, e: queries.evaluations_by(tx, "staff_id", s, e),
}


def _filled(server: HallServer) -> tuple[list[date], int]:
    matters = [str(m["code"]) for m in server.catalog.current.catalog["matters"]]
    hall = sample.SampleHall(server.settings.queues, matters, server.store.zone)
    days = sample.business_days(server.store.business_day(NOW), DAYS)
    started = time.perf_counter()
    written = sample.fill(server.store.db, hall, days, TICKETS // DAYS, NOW)
    print(f"dashboard bench: {written} tickets written in {time.perf_counter() - started:.1f} s")
    return days, written


def _periods(days: list[date], span: str) -> list[Period]:
    if span == "year":
        return [Period("month", days[0], days[-1])] * RUNS
    rng = random.Random(16)
    return [Period.around("month", rng.choice(days)) for _ in range(RUNS)]


def _refresh(server: HallServer, period: Period) -> float:
    """Milliseconds to bring the period's day sums up to date."""
    zone = server.store.zone
    began = time.perf_counter()
    with server.store.db.transaction() as tx:
        queries.refresh_sums(
            tx, period.first, period.last, lambda d: datetime.combine(d, clock_time(0), zone)
        )
    return (time.perf_counter() - began) * 1000


def _time(server: HallServer, query: ChartQuery, periods: list[Period]) -> list[float]:
    timings = []
    for period in periods:
        start, end = period.instants(server.store.zone)
        with server.store.db.read() as tx:
            began = time.perf_counter()
            query(tx, period, start, end)
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def _charts(server: HallServer, days: list[date], written: int) -> list[Figure]:
    figures = []
    for span in ("month", "year"):
        for name, query in CHART_QUERIES.items():
            note = f"{written} tickets over {DAYS} business days, SQLite" if not figures else ""
            timings = _time(server, query, _periods(days, span))
            figures.append(
                figure(f"dashboard {name}, a {span}", "ms", timings, target=TARGET_MS, note=note)
            )
    return figures


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as work:
        server = HallServer(Path(work) / "hall.sqlite3", load_settings(), FakeClock(NOW))
        try:
            days, written = _filled(server)
            year = _periods(days, "year")[0]
            first = _refresh(server, year)
            figures = [
                figure(
                    "dashboard summing a year, first time",
                    "ms",
                    [first],
                    with_p95=False,
                    note="once per day of history: later histories re-sum only changed days",
                ),
                figure(
                    "dashboard checking a year for changed days",
                    "ms",
                    [_refresh(server, year) for _ in range(RUNS)],
                    target=TARGET_MS,
                ),
                *_charts(server, days, written),
            ]
            for span in ("month", "year"):
                whole = []
                for period in _periods(days, span):
                    began = time.perf_counter()
                    history(server, period)
                    whole.append((time.perf_counter() - began) * 1000)
                figures.append(figure(f"dashboard history, all 6 charts of a {span}", "ms", whole))
        finally:
            server.close()
    return figures


if __name__ == "__main__":
    from bench.stats import table

    print(table(run()))
