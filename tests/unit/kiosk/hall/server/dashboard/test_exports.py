"""The exports' rows, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import date

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard.exports import safe, tickets_csv
from kiosk.hall.server.dashboard.views import Period
from kiosk.hall.server.hall import HallServer
from tests.helpers.hall_morning import morning


def test_the_csv_export_reads_the_same_on_both_databases(
    server: HallServer, clock: FakeClock
) -> None:
    morning(server, clock)
    text = tickets_csv(server, Period.around("day", date(2026, 11, 23))).decode("utf-8-sig")
    rows = [line.split(",") for line in text.splitlines()]
    assert rows[0][:2] == ["business_day", "number"]
    assert [(row[1], row[4], row[10], row[11]) for row in rows[1:]] == [
        ("G001", "finished", "1", "12.0"),
        ("A001", "called", "2", "17.0"),
        ("G002", "waiting", "", ""),
    ]


def test_only_text_that_a_spreadsheet_would_run_is_quoted() -> None:
    assert [safe(v) for v in ("=1+2", "-x", "@a", "M0101", -3, None)] == [
        "'=1+2", "'-x", "'@a", "M0101", -3, None,
    ]  # fmt: skip
