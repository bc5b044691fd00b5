"""The live view and a day's history over a morning whose figures are known, on a
SQLite file and on PostgreSQL (the queries hold the only dialect-specific SQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard.queries import refresh_sums
from kiosk.hall.server.dashboard.schema import DASHBOARD_MIGRATIONS
from kiosk.hall.server.dashboard.views import Period, history, live
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.store.base import SERVER_MIGRATIONS, database_at, database_versions
from kiosk.queue import QUEUE_MIGRATIONS, Migrations, upgrade
from tests.helpers.fakes import make_settings
from tests.helpers.hall_morning import MORNING, morning


def test_a_period_is_a_day_a_monday_to_sunday_week_or_a_calendar_month() -> None:
    wednesday = date(2026, 2, 11)
    assert Period.around("day", wednesday).first == wednesday
    week = Period.around("week", wednesday)
    assert (week.first, week.last) == (date(2026, 2, 9), date(2026, 2, 15))
    month = Period.around("month", wednesday)
    assert (month.first, month.last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert Period.around("month", date(2026, 12, 31)).last == date(2026, 12, 31)
    assert month.label == "2026-02-01_2026-02-28"


def test_the_history_of_a_day_has_the_measured_waits_by_hour_queue_matter_and_window(
    server: HallServer, clock: FakeClock
) -> None:
    morning(server, clock)
    figures = history(server, Period.around("day", date(2026, 11, 23)))
    by_hour = {row["hour"]: row for row in figures["waits_by_hour"]}
    assert set(by_hour) == {9, 10}  # the hall's hours, not UTC's
    assert by_hour[9]["tickets"] == 2
    assert by_hour[9]["mean_wait"] == 14.5  # (12 + 17) / 2
    assert by_hour[9]["longest_wait"] == 17.0
    assert by_hour[10] == {"hour": 10, "tickets": 1, "mean_wait": None, "longest_wait": None}
    queues = {row["queue"]: row for row in figures["by_queue"]}
    assert (queues["green"]["tickets"], queues["green"]["finished"]) == (2, 1)
    assert queues["green"]["mean_wait"] == 12.0
    assert queues["comprehensive"]["name"] == ("综合窗口", "Comprehensive windows")
    matters = {row["matter"]: row["tickets"] for row in figures["by_matter"]}
    assert matters == {"M0201": 2, "M0101": 1, "M0301": 1}
    windows = {row["who"]: row for row in figures["satisfaction_by_window"]}
    assert windows["1"]["levels"] == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}  # not the 20th's
    assert (windows["1"]["satisfied_percent"], windows["2"]["satisfied_percent"]) == (100.0, 0.0)
    assert [row["who"] for row in figures["satisfaction_by_staff"]] == ["S01", "S02"]
    assert figures["by_day"] == [{"day": "2026-11-23", "tickets": 3, "mean_wait": 14.5}]


def test_a_week_holds_the_evaluations_of_every_day_in_it(
    server: HallServer, clock: FakeClock
) -> None:
    morning(server, clock)
    figures = history(server, Period.around("week", date(2026, 11, 18)))  # Mon 16 - Sun 22
    assert figures["by_queue"] == []
    assert figures["satisfaction_by_window"][0]["levels"][5] == 1  # the 20th's


def test_the_live_view_has_queues_windows_evaluations_and_overdue_follow_ups(
    server: HallServer, clock: FakeClock
) -> None:
    morning(server, clock)
    state = live(server)
    queues = {row["queue"]: row for row in state["queues"]}
    green = queues["green"]
    assert (green["waiting"], green["issued"], green["called"]) == (1, 2, 1)
    assert green["mean_wait"] == 12.0
    assert green["oldest_waiting_since"] == clock.now().isoformat()
    windows = {row["window"]: row for row in state["windows"]}
    assert windows[1]["state"] == "open"
    assert (windows[1]["finished_today"], windows[1]["mean_service"]) == (1, 6.0)
    assert (windows[1]["mean_wait"], windows[2]["mean_wait"]) == (12.0, 17.0)  # measured
    assert windows[2]["staff"] is None
    server.store.set_window_staff("ADMIN1", 2, "1002")  # signed in from the dashboard
    assert {w["window"]: w["staff"] for w in live(server)["windows"]}[2] == "1002"
    assert (windows[2]["state"], windows[2]["number"]) == ("serving", "A001")
    assert windows[2]["staff"] is None  # nobody signed in there
    server.store.set_window_staff("DASH", 2, "1037")
    assert {row["window"]: row["staff"] for row in live(server)["windows"]}[2] == "1037"
    assert state["evaluations"]["levels"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0}
    assert state["evaluations"]["satisfied_percent"] == 50.0
    assert [f["ticket_number"] for f in state["overdue_follow_ups"]] == ["A001"]


def test_a_paused_window_and_a_kiosk_with_little_paper_show_in_the_live_view(
    server: HallServer, clock: FakeClock
) -> None:
    server.store.set_paused(3, True)
    heartbeat = {
        "printer": "paper_near_end",
        "card_reader": "no_answer",
        "scanner": "ready",
        "keypads_online": {"4": False, "5": True},
    }
    server.store.add_records(
        "K07",
        [
            {
                "idempotency_key": "h",
                "kind": "heartbeat",
                "at": clock.now().isoformat(),
                "payload": heartbeat,
            }
        ],
    )
    state = live(server)
    assert {row["window"]: row["state"] for row in state["windows"]}[3] == "paused"
    assert state["devices"] == [
        {
            "client_id": "K07",
            "at": clock.now().isoformat(timespec="microseconds"),  # as the server keeps it
            "problems": ["card_reader:no_answer", "keypad:4", "printer:paper_near_end"],
        }
    ]
    clock.advance(6 * 60)
    assert "offline" in live(server)["devices"][0]["problems"]  # no heartbeat for 6 min


def test_a_day_is_summed_once_and_again_when_its_tickets_change(
    server: HallServer, clock: FakeClock
) -> None:
    morning(server, clock)
    day = Period.around("day", date(2026, 11, 23))
    assert history(server, day)["waits_by_hour"][1]["mean_wait"] is None
    with server.store.db.transaction() as tx:
        assert refresh_sums(tx, day.first, day.last, lambda _: MORNING) == 0  # unchanged
    clock.advance(10 * 60)
    server.store.call_next(1)  # 10:15: the 10:05 ticket, after 10 minutes
    by_hour = history(server, day)["waits_by_hour"]
    assert by_hour[1] == {"hour": 10, "tickets": 1, "mean_wait": 10.0, "longest_wait": 10.0}


def test_a_database_of_the_dashboard_s_first_step_gets_the_day_sums(
    tmp_path: Path, clock: FakeClock
) -> None:
    location = tmp_path / "step1.sqlite3"
    database = database_at(location)
    first = Migrations("dashboard", DASHBOARD_MIGRATIONS.steps[:1], found_by=("admins", "name"))
    upgrade(database, QUEUE_MIGRATIONS, SERVER_MIGRATIONS, first)
    database.close()
    server = HallServer(location, make_settings(tmp_path), clock)  # upgrades at start
    try:
        morning(server, clock)
        figures = history(server, Period.around("day", date(2026, 11, 23)))
        assert figures["by_day"][0]["tickets"] == 3
        assert database_versions(location)["dashboard"] == DASHBOARD_MIGRATIONS.latest
    finally:
        server.close()
