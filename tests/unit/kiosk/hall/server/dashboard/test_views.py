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
from tests.helpers.hall_morning import MORNING, evaluation, morning


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
    assert [row["who"] for row in figures["satisfaction_by_staff"]] == ["1001", "1002"]
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
    assert [f["ticket_number"] for f in state["overdue_follow_ups"]] == ["A001"]  # the 13th's
    assert [f["evaluation_id"] for f in state["follow_ups"]] == ["e9", "e0", "e2"]
    assert state["open_follow_ups"] == 3


def _raw_record(server: HallServer, key: str, kind: str, at: str, payload: str) -> None:
    with server.store.db.transaction() as tx:
        tx.execute(
            "INSERT INTO records (client_id, hall, idempotency_key, kind, at, payload,"
            " received_at) VALUES ('K01', 'main', ?, ?, ?, ?, ?)",
            (key, kind, at, payload, at),
        )


def test_the_satisfaction_figures_are_the_typed_tables_not_the_kiosks_records(
    server: HallServer, clock: FakeClock
) -> None:
    """Evaluations only a kiosk's JSON records tell of (never filed: a vote from before
    the typed tables) count nowhere; a phone page's vote (never a record), a repeat
    (kept, not counted) and a follow-up closed on the dashboard do as the tables say."""
    tickets = morning(server, clock)
    at = clock.now().isoformat()
    vote = '{"evaluation_id": "r1", "window": 1, "level": 5, "staff_id": "1001"}'
    _raw_record(server, "r1", "evaluation.recorded", at, vote)
    opened = '{"evaluation_id": "r1", "window": 1, "level": 5, "deadline": "2026-11-01"}'
    _raw_record(server, "r2", "follow_up.opened", at, opened)
    repeat = evaluation(clock.now(), 1, 3, "1001", "e1-again")
    repeat["payload"]["repeat"] = True
    assert server.store.add_records("K01", [repeat])[0][0][1] == "accepted"
    clock.advance(60)
    server.store.finish(2)  # A001 served at window 2: its phone page votes 非常满意
    assert server.store.add_qr_content(tickets["second"], 1, [], "").level == 1
    server.store.update_follow_up("e9", {"close": True, "closing_note": "called back"})
    state = live(server)
    assert state["evaluations"]["levels"] == {"1": 2, "2": 0, "3": 0, "4": 1, "5": 0}
    assert state["overdue_follow_ups"] == []
    assert [f["evaluation_id"] for f in state["follow_ups"]] == ["e0", "e2"]
    figures = history(server, Period.around("day", date(2026, 11, 23)))
    windows = {row["who"]: row["levels"] for row in figures["satisfaction_by_window"]}
    assert windows == {"1": {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}, "2": {1: 1, 2: 0, 3: 0, 4: 1, 5: 0}}
    staff = {row["who"]: row["total"] for row in figures["satisfaction_by_staff"]}
    assert staff == {"1001": 1, "1002": 1}  # the phone's vote: nobody signed in at 2


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
