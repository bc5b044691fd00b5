"""The period's tickets and figures as CSV (tickets) and XLSX (tickets and a sheet
per chart), for the manager's own reports. No personal data: a ticket holds none."""

from __future__ import annotations

import csv
import io
from typing import Any

from kiosk.hall.server.dashboard import queries
from kiosk.hall.server.dashboard.views import LEVELS, Period, history
from kiosk.hall.server.hall import HallServer
from kiosk.queue import DEFAULT_HALL

# A cell that starts so is run as a formula by Excel (and written as one by
# openpyxl); a kiosk's offline ticket may carry any matter text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    """Text that a spreadsheet shows as text, never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe_rows(rows: list[tuple[Any, ...]] | list[list[Any]]) -> list[list[Any]]:
    return [[safe(value) for value in row] for row in rows]


def ticket_rows(server: HallServer, period: Period, hall: str = DEFAULT_HALL) -> list[list[Any]]:
    with server.store.db.read() as tx:
        rows = queries.ticket_rows(tx, period.first, period.last, hall=hall)
        return _safe_rows(rows)


def tickets_csv(server: HallServer, period: Period, hall: str = DEFAULT_HALL) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(queries.TICKET_EXPORT_COLUMNS)
    writer.writerows(ticket_rows(server, period, hall))
    return out.getvalue().encode("utf-8-sig")


def _sheets(figures: dict[str, Any]) -> dict[str, list[list[Any]]]:
    level_names = [f"level_{level}" for level in LEVELS]
    return {
        "waits_by_hour": [
            ["hour", "tickets", "mean_wait_minutes", "longest_wait_minutes"],
            *[
                [r["hour"], r["tickets"], r["mean_wait"], r["longest_wait"]]
                for r in figures["waits_by_hour"]
            ],
        ],
        "by_queue": [
            ["queue", "name_zh", "name_en", "tickets", "finished", "mean_wait_minutes"],
            *[
                [r["queue"], *r["name"], r["tickets"], r["finished"], r["mean_wait"]]
                for r in figures["by_queue"]
            ],
        ],
        "by_matter": [
            ["matter", "name_zh", "name_en", "tickets"],
            *[[r["matter"], *r["name"], r["tickets"]] for r in figures["by_matter"]],
        ],
        "satisfaction_by_window": [
            ["window", "evaluations", "satisfied_percent", *level_names],
            *[
                [r["who"], r["total"], r["satisfied_percent"], *r["levels"].values()]
                for r in figures["satisfaction_by_window"]
            ],
        ],
    }


def tickets_xlsx(server: HallServer, period: Period, hall: str = DEFAULT_HALL) -> bytes:
    """A sheet `tickets` (one row a ticket) and one per chart of the period."""
    from openpyxl import Workbook  # only when a workbook is asked for: 0.1 s at start

    book = Workbook(write_only=True)
    tickets = book.create_sheet("tickets")
    tickets.append(list(queries.TICKET_EXPORT_COLUMNS))
    for row in ticket_rows(server, period, hall):
        tickets.append(row)
    for title, rows in _sheets(history(server, period, hall)).items():
        sheet = book.create_sheet(title)
        for values in _safe_rows(rows):
            sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
