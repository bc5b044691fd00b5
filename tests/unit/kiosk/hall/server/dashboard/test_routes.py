"""The dashboard over real HTTP on loopback: nothing without a session, CSRF on every
state-changing request, the lock-out's answer, cookies' flags, the exports."""

from __future__ import annotations

import csv
import io
import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard.accounts import FREE_FAILURES, AdminAccounts
from kiosk.hall.server.runner import RunningHall, start_in_thread
from tests.helpers.fakes import make_settings
from tests.helpers.hall_morning import morning
from tests.helpers.tls import self_signed

PASSWORD = "tea-and-7-tax-forms"


@pytest.fixture
def running(tmp_path: Path, clock: FakeClock) -> Iterator[RunningHall]:
    hall = start_in_thread(tmp_path / "hall.sqlite3", make_settings(tmp_path), clock=clock)
    AdminAccounts(hall.hall.store.db, clock).add("manager", PASSWORD)
    yield hall
    hall.stop()


@pytest.fixture
def client(running: RunningHall) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running.url, timeout=20) as made:
        yield made


def login_token(client: httpx.Client) -> str:
    page = client.get("/dashboard/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found[1]


def sign_in(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    form = {"name": "manager", "password": password, "csrf": login_token(client)}
    return client.post("/dashboard/login", data=form)


def page_token(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/dashboard").text)
    assert found is not None
    return found[1]


@pytest.mark.parametrize(
    "path", ["/dashboard/api/live", "/dashboard/api/history", "/dashboard/export.xlsx"]
)
def test_without_a_session_the_data_answer_401(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 401
    client.cookies.set("hall_admin", "made-up", path="/dashboard")
    assert client.get(path).status_code == 401


def test_without_a_session_the_dashboard_sends_to_the_login_page(client: httpx.Client) -> None:
    answer = client.get("/dashboard?lang=en")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/login?lang=en"


def test_signing_in_sets_a_strict_http_only_cookie_and_opens_the_dashboard(
    client: httpx.Client,
) -> None:
    answer = sign_in(client)
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("hall_admin="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https adds it
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert "/dashboard/static/echarts.min.js" in page.text
    assert client.get("/dashboard/api/live").status_code == 200


def test_a_login_without_its_csrf_token_or_from_another_site_is_refused(
    client: httpx.Client,
) -> None:
    login_token(client)
    form = {"name": "manager", "password": PASSWORD, "csrf": "guessed"}
    assert client.post("/dashboard/login", data=form).status_code == 403
    form["csrf"] = login_token(client)
    foreign = client.post("/dashboard/login", data=form, headers={"Origin": "https://evil.test"})
    assert foreign.status_code == 403
    assert "hall_admin" not in client.cookies
    assert client.get("/dashboard/api/live").status_code == 401


def test_logout_needs_the_session_csrf_token(client: httpx.Client) -> None:
    sign_in(client)
    token = page_token(client)
    refused = client.post("/dashboard/logout", data={"csrf": "not-it"})
    assert refused.status_code == 403
    assert client.get("/dashboard/api/live").status_code == 200  # still signed in
    assert client.post("/dashboard/logout", data={"csrf": token}).status_code == 303
    assert client.get("/dashboard/api/live").status_code == 401


def test_failed_logins_get_401_then_429_with_retry_after(client: httpx.Client) -> None:
    for _ in range(FREE_FAILURES):
        wrong = sign_in(client, "not-the-password")
        assert wrong.status_code == 401
        assert "用户名或密码错误" in wrong.text
    locked = sign_in(client, "not-the-password")
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert sign_in(client).status_code == 429  # the right password waits too
    assert "hall_admin" not in client.cookies


@pytest.fixture
def manager(client: httpx.Client, running: RunningHall, clock: FakeClock) -> httpx.Client:
    """Signed in, after the known morning."""
    morning(running.hall, clock)
    sign_in(client)
    return client


def test_the_xlsx_export_opens_in_openpyxl_with_the_period_s_tickets(
    manager: httpx.Client,
) -> None:
    answer = manager.get("/dashboard/export.xlsx?period=week&day=2026-11-25")
    assert answer.status_code == 200
    assert "hall-report-2026-11-23_2026-11-29.xlsx" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    rows = list(book["tickets"].values)
    assert rows[0][:3] == ("business_day", "number", "queue")
    assert [(row[1], row[2], row[4]) for row in rows[1:]] == [
        ("G001", "green", "finished"),
        ("A001", "comprehensive", "called"),
        ("G002", "green", "waiting"),
    ]
    assert rows[1][11:] == (12.0, 6.0)  # wait and service minutes
    assert rows[2][3] == "M0101 M0201"
    hours = list(book["waits_by_hour"].values)
    assert hours[1:] == [(9, 2, 14.5, 17), (10, 1)]  # empty cells end a row
    assert list(book["satisfaction_by_window"].values)[1][:3] == ("1", 1, 100.0)


def test_the_csv_export_has_the_same_rows_and_an_empty_day_only_the_header(
    manager: httpx.Client,
) -> None:
    answer = manager.get("/dashboard/export.csv?period=day&day=2026-11-23")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["G001", "A001", "G002"]
    empty = manager.get("/dashboard/export.csv?period=day&day=2026-11-24")
    assert len(empty.content.decode("utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("period=year", "period"), ("day=1800-01-01", "day"), ("day=yesterday", "day")],
)
def test_a_bad_period_gets_422_naming_the_field(
    client: httpx.Client, query: str, field: str
) -> None:
    sign_in(client)
    answer = client.get(f"/dashboard/api/history?{query}")
    assert answer.status_code == 422
    assert field in answer.json()["message"]


def test_only_the_dashboard_s_own_static_files_are_served(client: httpx.Client) -> None:
    echarts = client.get("/dashboard/static/echarts.min.js")
    assert echarts.status_code == 200
    assert echarts.headers["content-type"].startswith("text/javascript")
    assert client.get("/dashboard/static/routes.py").status_code == 404
    assert client.get("/dashboard/static/..%2Froutes.py").status_code == 404


def test_over_https_the_session_cookie_is_secure(tmp_path: Path, clock: FakeClock) -> None:
    cert, private_key = self_signed(tmp_path)
    running = start_in_thread(
        tmp_path / "hall.sqlite3",
        make_settings(tmp_path),
        clock=clock,
        tls_cert=cert,
        tls_key=private_key,
    )
    AdminAccounts(running.hall.store.db, clock).add("manager", PASSWORD)
    trusted = ssl.create_default_context(cafile=str(cert))
    try:
        with httpx.Client(base_url=running.url, verify=trusted, timeout=20) as client:
            answer = sign_in(client)
        cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("hall_admin="))
        assert "Secure" in session
    finally:
        running.stop()


def test_a_matter_text_that_looks_like_a_formula_is_exported_as_text(
    manager: httpx.Client, running: RunningHall, clock: FakeClock
) -> None:
    payload = {"queue": "green", "number": "G905", "business_day": "2026-11-23",
               "matters": ["=HYPERLINK(\"http://evil.test\")"]}  # fmt: skip
    record = {"idempotency_key": "offline-1", "kind": "ticket.reserved", "ticket_id": "t-905",
              "at": clock.now().isoformat(), "payload": payload}  # fmt: skip
    results, _ = running.hall.store.add_records("K01", [record])
    assert results[0][1] == "rejected"  # a matter code off its pattern is refused now
    payload["matters"] = []
    results, _ = running.hall.store.add_records("K01", [{**record, "idempotency_key": "o-2"}])
    assert results[0][1] == "accepted"
    with running.hall.store.db.transaction() as tx:  # a row kept from before that check
        tx.execute(
            "UPDATE tickets SET matters = ? WHERE ticket_id = 't-905'",
            ('["=HYPERLINK(\\"http://evil.test\\")"]',),
        )
    book = load_workbook(io.BytesIO(manager.get("/dashboard/export.xlsx?day=2026-11-23").content))
    cells = [row[3] for row in book["tickets"].iter_rows(min_row=2) if row[1].value == "G905"]
    assert cells[0].value == '\'=HYPERLINK("http://evil.test")'
    assert cells[0].data_type == "s"  # text, not a formula
    text = manager.get("/dashboard/export.csv?day=2026-11-23").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
