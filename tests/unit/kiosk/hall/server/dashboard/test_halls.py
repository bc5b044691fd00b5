"""The dashboard's figures are of one hall (issue 14: no hall sees another's data), on
a SQLite file and on PostgreSQL: a busy second hall with the same queue names and
window numbers changes nothing in hall main's live view, history and export, and has
figures of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard.accounts import AdminAccounts
from kiosk.hall.server.dashboard.exports import ticket_rows
from kiosk.hall.server.dashboard.views import Period, history, live
from kiosk.hall.server.hall import HallServer, ServerOptions
from kiosk.hall.server.runner import start_in_thread
from kiosk.hall.server.store import Location
from tests.helpers.fakes import make_settings
from tests.helpers.hall_morning import evaluation, morning

DAY = Period.around("day", date(2026, 11, 23))


@pytest.fixture
def server(database_location: Location, tmp_path: Path, clock: FakeClock) -> Iterator[HallServer]:
    settings = make_settings(tmp_path)
    made = HallServer(database_location, settings, clock, ServerOptions(halls={"east": settings}))
    yield made
    made.close()


def busy_east(server: HallServer, clock: FakeClock) -> None:
    """Hall east: four green tickets, two served at its window 1, a 差评, a heartbeat."""
    east = server.halls["east"].store
    east.create_token("E01", "kiosk", "east")
    for n in range(4):
        answer, _ = east.reserve("E01", f"east-key-{n}", "green", ["M0101"])
        east.commit(answer["ticket_id"], "printed")
    for _ in range(2):
        east.call_next(1)
        clock.advance(60)
        east.finish(1)
    heartbeat = {"idempotency_key": "hb", "kind": "heartbeat", "at": clock.now().isoformat(),
                 "payload": {"printer": "paper_out"}}  # fmt: skip
    results, _ = east.add_records("E01", [evaluation(clock.now(), 1, 5, "9001", "ee"), heartbeat])
    assert {status for _, status, _ in results} == {"accepted"}


def test_another_hall_changes_nothing_in_hall_mains_figures(
    server: HallServer, clock: FakeClock
) -> None:
    server.store.create_token("K01", "kiosk", "main")
    morning(server, clock)
    before = (live(server), history(server, DAY), ticket_rows(server, DAY))
    busy_east(server, clock)
    after_live = live(server)
    assert {k: v for k, v in after_live.items() if k != "now"} == {
        k: v for k, v in before[0].items() if k != "now"
    }
    assert history(server, DAY) == before[1]
    assert ticket_rows(server, DAY) == before[2]
    assert [d["client_id"] for d in after_live["devices"]] == []  # E01's printer is east's


def test_a_second_hall_has_figures_of_its_own(server: HallServer, clock: FakeClock) -> None:
    morning(server, clock)
    busy_east(server, clock)
    east = live(server, "east")
    green = {q["queue"]: q for q in east["queues"]}["green"]
    assert (green["waiting"], green["issued"], green["called"]) == (2, 4, 2)
    windows = {w["window"]: w for w in east["windows"]}
    assert windows[1]["finished_today"] == 2
    assert east["evaluations"]["levels"]["5"] == 1
    assert [(d["client_id"], d["problems"]) for d in east["devices"]] == [
        ("E01", ["printer:paper_out"])
    ]
    figures = history(server, DAY, "east")
    assert figures["by_day"][0]["tickets"] == 4
    assert [row["who"] for row in figures["satisfaction_by_staff"]] == ["9001"]
    assert len(ticket_rows(server, DAY, "east")) == 4


def signed_in(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=20)
    page = client.get("/dashboard/login").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {"name": name, "password": PASSWORD, "csrf": csrf}
    assert client.post("/dashboard/login", data=form).status_code == 303
    return client


PASSWORD = "tea-and-7-tax-forms"


def test_an_admin_of_a_hall_signs_in_to_that_halls_figures(
    tmp_path: Path, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path)
    options = ServerOptions(halls={"east": settings}, catalog_poll_seconds=60)
    running = start_in_thread(tmp_path / "hall.sqlite3", settings, clock=clock, options=options)
    try:
        accounts = AdminAccounts(running.hall.store.db, clock)
        for name, hall in (("manager", "main"), ("east-manager", "east"), ("lost", "north")):
            accounts.add(name, PASSWORD, hall)
        busy_east(running.hall, clock)
        with closing(signed_in(running.url, "east-manager")) as east:
            live_east = east.get("/dashboard/api/live").json()
            green = {q["queue"]: q for q in live_east["queues"]}["green"]
            assert green["issued"] == 4
            export = east.get("/dashboard/export.csv").content.decode("utf-8-sig")
            assert len(export.strip().splitlines()) == 1 + 4  # a header and east's tickets
        with closing(signed_in(running.url, "manager")) as main:
            green = {q["queue"]: q for q in main.get("/dashboard/api/live").json()["queues"]}
            assert green["green"].get("issued", 0) == 0  # none measured in main
            assert main.get("/dashboard/api/history").json()["by_day"] == []
        with closing(signed_in(running.url, "east-manager")) as east:
            csrf = east.get("/dashboard").text.split('name="csrf" value="', 1)[1].split('"')[0]
            headers = {"X-CSRF-Token": csrf}
            staff = {"window": 1, "staff_id": "2001"}
            assert east.post("/dashboard/api/staff", json=staff, headers=headers).is_success
            follow_ups = east.get("/dashboard/api/live").json()["follow_ups"]
            assert [f["evaluation_id"] for f in follow_ups] == ["ee"]  # east's 差评
            done = east.post(
                "/dashboard/api/follow-ups/ee", json={"assignee": "x"}, headers=headers
            )
            assert done.json()["assignee"] == "x"
        with closing(signed_in(running.url, "manager")) as main:
            csrf = main.get("/dashboard").text.split('name="csrf" value="', 1)[1].split('"')[0]
            body = {"assignee": "y"}
            other = main.post(
                "/dashboard/api/follow-ups/ee", json=body, headers={"X-CSRF-Token": csrf}
            )
            assert other.status_code == 404  # another hall's is as if it did not exist
        assert {w["window"]: w["staff"] for w in live(running.hall, "east")["windows"]}[1] == "2001"
        assert {w["window"]: w["staff"] for w in live(running.hall)["windows"]}[1] is None
        with closing(signed_in(running.url, "lost")) as lost:
            refused = lost.get("/dashboard/api/live")
            assert refused.status_code == 403
            assert "hall north is not served here" in refused.json()["detail"]
    finally:
        running.stop()


def test_every_way_a_hall_is_evaluated_lands_in_its_typed_table_and_counts_once(
    server: HallServer, clock: FakeClock
) -> None:
    """A keypad's record (east's ee), the phone page, the kiosk's screen through the
    server and a kiosk's record of the same services: one counted per service, each
    row east's, and the figures of east only."""
    busy_east(server, clock)
    east = server.halls["east"].store
    with east.db.read() as tx:
        first, second = (
            str(row[0])
            for row in tx.all(
                "SELECT ticket_id FROM tickets WHERE hall = 'east' AND status = 'finished'"
                " ORDER BY seq"
            )
        )
    assert east.add_qr_content(first, 2, [], "").level == 2  # the phone page
    assert east.add_qr_content(second, 1, [], "", kiosk_id="E01").level == 1  # the screen
    late = [
        {**evaluation(clock.now(), 1, 4, "9001", key), "ticket_id": ticket}
        for key, ticket in (("late-keypad", first), ("late-screen", second))
    ]
    late[1]["payload"]["channel"] = "terminal"
    results, _ = east.add_records("E01", late)
    assert {status for _, status, _ in results} == {"accepted"}
    with east.db.read() as tx:
        rows = tx.all(
            "SELECT hall, channel, level, is_repeat FROM evaluations ORDER BY evaluated_at, channel"
        )
    assert sorted(rows) == [
        ("east", "keypad", 4, 1),  # after the phone's: a repeat, kept
        ("east", "keypad", 5, 0),  # ee, no ticket
        ("east", "qr", 2, 0),
        ("east", "terminal", 1, 0),
        ("east", "terminal", 4, 1),
    ]
    levels = live(server, "east")["evaluations"]["levels"]
    assert levels == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 1}
    assert sum(live(server)["evaluations"]["levels"].values()) == 0  # main's: none
    assert [f["evaluation_id"] for f in live(server, "east")["follow_ups"]] == ["ee"]
