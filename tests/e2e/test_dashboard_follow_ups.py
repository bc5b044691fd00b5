"""好差评 on the manager's dashboard, in headless Chromium on a real hall server: a
manager signs staff in at a window (the window screen's staff line and every vote
then carry the number), sees a keypad's 非常不满意 among the follow-ups and records
its progress: assignee, contact result, rectification, a contact phone only with
consent (shown masked), the closing. Without the CSRF token nothing changes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard.accounts import AdminAccounts
from kiosk.hall.server.dashboard.browser import HeadlessChromium, Page
from kiosk.hall.server.dashboard.demo import sign_in
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.store.evaluation_core import staff_of_windows
from kiosk.queue import DEFAULT_HALL
from kiosk.settings import load_settings

pytestmark = pytest.mark.e2e

WEDNESDAY = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, before 国庆
PASSWORD = "tea-and-7-tax-forms"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[RunningHall]:
    clock = FakeClock(WEDNESDAY)
    running = start_in_thread(tmp_path / "hall.sqlite3", load_settings(), clock=clock)
    AdminAccounts(running.hall.store.db, clock).add("manager", PASSWORD)
    yield running
    running.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    with closing(HeadlessChromium()) as browser:
        yield browser.page(1400, 1200)


def bad_vote(running: RunningHall) -> str:
    """A green ticket served at window 1 and voted 非常不满意 on its keypad: its number."""
    store = running.hall.store
    answer, _ = store.reserve("K01", uuid.uuid4().hex, "green", ["M0103"])
    store.commit(answer["ticket_id"], "printed")
    store.call_next(1)
    store.finish(1)
    vote = {
        "evaluation_id": uuid.uuid4().hex,
        "window": 1,
        "level": 5,
        "ticket_number": answer["number"],
        "channel": "keypad",
    }
    record = {
        "idempotency_key": uuid.uuid4().hex,
        "kind": "evaluation.recorded",
        "at": store.now().isoformat(),
        "ticket_id": answer["ticket_id"],
        "payload": vote,
    }
    [(_, status, _)] = store.add_records("K01", [record])[0]
    assert status == "accepted"
    return str(answer["number"])


def fill(page: Page, form: str, **values: Any) -> None:
    for name, value in values.items():
        field = f"document.querySelector('#{form} [name={name}]')"
        if isinstance(value, bool):
            page.evaluate(f"{field}.checked = {json.dumps(value)}")
        else:
            page.evaluate(f"{field}.value = {json.dumps(value, ensure_ascii=False)}")


def submit(page: Page, selector: str, message: str) -> str:
    page.evaluate(f"document.getElementById('{message}').textContent = ''")
    page.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
    shown: str = page.wait_for(f"document.getElementById('{message}').textContent")
    return shown


def follow_up_row(running: RunningHall) -> tuple[Any, ...]:
    with running.hall.store.db.read() as tx:
        row = tx.one(
            "SELECT assignee, contact_result, rectification, contact_phone, closed_at,"
            " closing_note FROM follow_ups"
        )
    assert row is not None
    return tuple(row)


def test_a_manager_signs_staff_in_and_follows_a_bad_review_up_to_its_closing(
    hall: RunningHall, page: Page
) -> None:
    sign_in(page, hall.url, "manager", PASSWORD)
    page.wait_for("document.body.dataset.live === 'yes'")
    fill(page, "staff-form", window="1", staff_id="1037")
    assert submit(page, "#staff-form button[value=in]", "staff-message") == "已保存"
    with hall.hall.store.db.read() as tx:
        assert staff_of_windows(tx, DEFAULT_HALL) == {1: "1037"}
    page.wait_for("document.getElementById('windows').innerText.includes('1037')")

    number = bad_vote(hall)
    page.evaluate("refreshLive()")
    page.wait_for("document.body.dataset.followUps === '1'")
    listed = page.evaluate("document.getElementById('follow-up-table').innerText")
    assert number in listed
    assert "1037" in listed  # the vote carries the staff signed in
    assert "2026-10-13" in listed  # 5 working days across 国庆 and the 调休 Saturday

    fill(
        page,
        "follow-up-form",
        assignee="王科长",
        contact_result="已电话联系",
        rectification="高峰时段加开窗口",
        contact_phone="13812345678",
    )
    said = submit(page, "#follow-up-form button", "follow-up-message")
    assert said.startswith("未保存")  # a phone without consent
    assert "consent" in said
    assert follow_up_row(hall)[3] is None

    fill(page, "follow-up-form", consent=True)
    assert submit(page, "#follow-up-form button", "follow-up-message") == "已保存"
    page.wait_for("document.getElementById('follow-up-table').innerText.includes('138****5678')")
    assert "13812345678" not in page.evaluate("document.body.innerText")
    assignee, result, rectification, phone, closed_at, _ = follow_up_row(hall)
    assert (assignee, result, rectification, phone) == (
        "王科长",
        "已电话联系",
        "高峰时段加开窗口",
        "13812345678",
    )
    assert closed_at is None

    forged = page.evaluate(
        "fetch('/dashboard/api/staff', {method: 'POST', headers: {'Content-Type':"
        " 'application/json'}, body: JSON.stringify({window: 1, staff_id: null})})"
        ".then((answer) => answer.status)"
    )
    assert forged == 403  # no CSRF token: refused, still signed in
    with hall.hall.store.db.read() as tx:
        assert staff_of_windows(tx, DEFAULT_HALL) == {1: "1037"}

    fill(page, "follow-up-form", close=True, closing_note="纳税人认可")
    assert submit(page, "#follow-up-form button", "follow-up-message") == "已保存"
    page.wait_for("document.body.dataset.followUps === '0'")
    assert follow_up_row(hall)[4:] == (WEDNESDAY.isoformat(), "纳税人认可")
    assert submit(page, "#staff-form button[value=out]", "staff-message") == "已保存"
    with hall.hall.store.db.read() as tx:
        assert staff_of_windows(tx, DEFAULT_HALL) == {}
