from __future__ import annotations

from kiosk.journal import Journal
from kiosk.technician import (
    today_report,
)

CHEAP = {"n": 2**10}


def test_today_report_counts_tickets_evaluations_and_open_follow_ups(journal: Journal) -> None:
    day = "2026-11-23"
    for number, queue, tid in (("G001", "green", "t1"), ("A001", "comprehensive", "t2")):
        journal.record(
            "ticket.reserved",
            {"number": number, "queue": queue, "business_day": day, "estimated_wait_minutes": 10},
            tid,
        )
    journal.record(
        "ticket.reserved", {"number": "G009", "queue": "green", "business_day": "x"}, "t0"
    )
    journal.record("ticket.printed", {"number": "G001"}, "t1")
    journal.record("ticket.voided", {"number": "A001"}, "t2")
    journal.record("evaluation.recorded", {"level": 1})
    journal.record("evaluation.recorded", {"level": None})
    journal.record(
        "follow_up.opened",
        {"evaluation_id": "e1", "window": 3, "level": 4, "deadline": "2026-11-30"},
    )
    journal.record(
        "follow_up.opened",
        {"evaluation_id": "e2", "window": 2, "level": 5, "deadline": "2026-11-30"},
    )
    journal.record("follow_up.closed", {"evaluation_id": "e2", "note": "called back"})
    report = today_report(journal, day)
    assert report.tickets_by_queue == {"green": 1}
    assert [t.status for t in report.tickets] == ["printed", "voided"]
    assert report.average_expected_wait == 10
    assert report.evaluations_by_level == {"1": 1, "none": 1}
    assert [f.window for f in report.follow_ups] == [3]
    rows = report.csv_rows()
    assert ["tickets_by_queue", "green", "1", ""] in rows
