"""The phone page's evaluation step in headless Chromium on a real hall server: a
taxpayer rates on the phone when the keypad did not, gives the 差评 reasons after a
不满意 or 非常不满意 (picked on the phone, or voted on the window's keypad while the
page is open), and is thanked; each in Chinese or English only."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.hall import api
from kiosk.hall.server.runner import RunningHall
from kiosk.settings import load_settings
from tests.helpers.browser import OpenPage, Page, chromium
from tests.helpers.served_hall import served_hall, take

pytestmark = pytest.mark.e2e


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[RunningHall, httpx.Client]]:
    with served_hall(tmp_path / "hall.sqlite3", load_settings()) as served:
        yield served


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[OpenPage]:
    with chromium(tmp_path) as open_page:
        yield open_page


def served_ticket(client: httpx.Client) -> dict[str, Any]:
    """A green ticket called and finished at window 1."""
    ticket = take(client, "green")
    assert client.post(api.PATH_WINDOW_ACTION.format(window=1, action="call-next")).is_success
    assert client.post(api.PATH_WINDOW_ACTION.format(window=1, action="finish")).is_success
    return ticket


def click(page: Page, selector: str) -> None:
    page.evaluate(f"document.querySelector({json.dumps(selector)}).click()")


def choose_reasons(page: Page, *codes: str, note: str = "") -> None:
    for code in codes:
        click(page, f"#reasons input[value={code}]")
    page.evaluate(f"document.getElementById('note').value = {json.dumps(note)}")
    click(page, "#send")


def stored_content(running: RunningHall, ticket_id: str) -> tuple[Any, ...]:
    with running.hall.store.db.read() as tx:
        row = tx.one(
            "SELECT evaluation_id, level, channel, note FROM evaluations WHERE ticket_id = ?"
            " AND is_repeat = 0",
            (ticket_id,),
        )
        assert row is not None
        reasons = tx.all(
            "SELECT reason FROM evaluation_reasons WHERE evaluation_id = ? ORDER BY reason",
            (row[0],),
        )
    return row[1], row[2], [str(r[0]) for r in reasons], row[3]


def test_a_taxpayer_rates_on_the_phone_and_gives_the_reasons_of_a_bad_review(
    hall: tuple[RunningHall, httpx.Client], browser: OpenPage
) -> None:
    running, client = hall
    ticket = served_ticket(client)
    page = browser(ticket["status_url"] + "?lang=en")
    page.wait_for("document.body.dataset.evaluation === 'levels'")
    levels = page.evaluate(
        "[...document.querySelectorAll('#levels button')].map((b) => b.textContent)"
    )
    assert levels == [
        "Very satisfied",
        "Satisfied",
        "Basically satisfied",
        "Dissatisfied",
        "Very dissatisfied",
    ]
    click(page, "#levels button[data-level='5']")
    page.wait_for("document.body.dataset.evaluation === 'reasons'")
    assert "Waited too long" in page.evaluate("document.getElementById('reasons').innerText")
    click(page, "#send")  # no reason chosen: said, nothing sent
    page.wait_for("!document.getElementById('evaluation-message').hidden")
    message = page.evaluate("document.getElementById('evaluation-message').innerText")
    assert "at least one" in message
    path = api.PATH_TICKET_EVALUATION.format(ticket_id=ticket["ticket_id"])
    assert httpx.get(running.url + path).json()["level"] is None

    choose_reasons(page, "efficiency_wait", "other", note="Waited an hour, call 13812345678")
    page.wait_for("document.body.dataset.evaluation === 'noted'")
    assert "follow this up" in page.evaluate("document.getElementById('evaluation').innerText")
    shown = page.evaluate("document.getElementById('evaluation').innerText")
    assert not any("\u4e00" <= c <= "\u9fff" for c in shown)  # English only
    level, channel, reasons, note = stored_content(running, ticket["ticket_id"])
    assert (level, channel) == (5, "qr")
    assert reasons == ["efficiency_wait", "other"]
    assert "13812345678" not in note  # no personal numbers kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone


def test_a_keypad_vote_while_the_page_is_open_turns_it_to_the_reasons(
    hall: tuple[RunningHall, httpx.Client], browser: OpenPage
) -> None:
    running, client = hall
    ticket = served_ticket(client)
    page = browser(ticket["status_url"] + "?lang=zh")
    page.wait_for("document.body.dataset.evaluation === 'levels'")
    vote = {
        "evaluation_id": uuid.uuid4().hex,
        "window": 1,
        "level": 4,
        "ticket_number": ticket["number"],
        "channel": "keypad",
    }
    record = {
        "idempotency_key": uuid.uuid4().hex,
        "kind": "evaluation.recorded",
        "at": running.hall.store.now().isoformat(),
        "ticket_id": ticket["ticket_id"],
        "payload": vote,
    }
    [(_, status, _)] = running.hall.store.add_records("K01", [record])[0]  # the keypad's
    assert status == "accepted"
    page.wait_for("document.body.dataset.evaluation === 'reasons'")  # no tap needed
    assert "请选择不满意的原因" in page.evaluate("document.getElementById('evaluation').innerText")
    choose_reasons(page, "attitude_impatient")
    page.wait_for("document.body.dataset.evaluation === 'noted'")
    level, channel, reasons, _ = stored_content(running, ticket["ticket_id"])
    assert (level, reasons) == (4, ["attitude_impatient"])
    assert channel == "qr"  # the content came by the ticket's QR code
    assert "English" not in page.evaluate("document.getElementById('evaluation').innerText")


def test_a_good_rating_is_sent_at_once_and_a_second_page_finds_it_given(
    hall: tuple[RunningHall, httpx.Client], browser: OpenPage
) -> None:
    running, client = hall
    ticket = served_ticket(client)
    page = browser(ticket["status_url"])
    page.wait_for("document.body.dataset.evaluation === 'levels'")
    assert page.evaluate("document.querySelector('#levels button').textContent") == (
        "非常满意 / Very satisfied"
    )
    click(page, "#levels button[data-level='2']")
    page.wait_for("document.body.dataset.evaluation === 'done'")
    assert stored_content(running, ticket["ticket_id"])[:2] == (2, "qr")
    again = browser(ticket["status_url"])
    again.wait_for("document.body.dataset.evaluation === 'done'")
    assert again.evaluate("document.querySelector('[data-step=levels]').hidden") is True
