"""The ticket-status page in a real headless browser (Debian's chromium), driven over
the DevTools protocol: it shows the ticket, then follows the call without a reload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.hall.server.runner import RunningHall
from kiosk.settings import load_settings
from tests.helpers.browser import OpenPage, chromium
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


def test_the_status_page_shows_the_ticket_and_follows_its_call_live(
    hall: tuple[RunningHall, httpx.Client], browser: OpenPage
) -> None:
    running, client = hall
    tickets = [take(client, "green") for _ in range(2)]
    mine = tickets[1]
    page = browser(mine["status_url"])
    page.wait_for("document.readyState === 'complete' && !!document.getElementById('number')")
    assert page.evaluate("document.getElementById('number').textContent") == "G002"
    assert page.evaluate("document.getElementById('ahead').textContent") == "1"
    assert "等候中" in page.evaluate("document.getElementById('status').textContent")
    assert page.evaluate("document.getElementById('call').hidden") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone
    page.wait_for("document.body.dataset.live === 'yes'")
    page.evaluate("window.notReloaded = 'yes'")

    client.post("/v1/windows/1/call-next")  # the first ticket: one fewer ahead of mine
    page.wait_for("document.getElementById('ahead').textContent === '0'")
    client.post("/v1/windows/1/call-next")  # now mine
    page.wait_for("document.body.dataset.status === 'called'")
    call = page.evaluate("document.getElementById('call').textContent")
    assert re.search(r"请到 1 号窗口", call)
    assert "window 1" in call
    assert page.evaluate("document.getElementById('call').hidden") is False
    assert page.evaluate("window.notReloaded") == "yes"

    client.post("/v1/windows/1/finish")
    page.wait_for("document.body.dataset.status === 'finished'")
    assert page.evaluate("window.notReloaded") == "yes"
    assert running.hall.broker.streams >= 1


def test_the_phone_page_says_near_then_called_then_keeps_a_place_for_the_evaluation(
    tmp_path: Path, browser: OpenPage
) -> None:
    settings = load_settings(overrides={"screens": {"near_ahead": 1}})
    with served_hall(tmp_path / "near.sqlite3", settings) as (_running, client):
        urls = [take(client, "green")["status_url"] for _ in range(3)]
        page = browser(urls[2] + "?lang=en")
        page.wait_for("document.body.dataset.live === 'yes'")
        assert page.evaluate("document.body.dataset.near") == "no"
        assert page.evaluate("document.getElementById('near').hidden") is True
        assert "等" not in page.evaluate("document.body.innerText")  # English only

        client.post("/v1/windows/1/call-next")  # one ahead: near
        page.wait_for("document.body.dataset.near === 'yes'")
        assert "near" in page.evaluate("document.getElementById('near').textContent")
        client.post("/v1/windows/1/call-next")
        client.post("/v1/windows/1/call-next")  # mine
        page.wait_for("document.body.dataset.status === 'called'")
        assert page.evaluate("document.body.dataset.near") == "no"
        assert page.evaluate("document.getElementById('call').textContent") == (
            "Please go to window 1"
        )
        assert page.evaluate("document.getElementById('evaluation').hidden") is True
        client.post("/v1/windows/1/finish")
        page.wait_for("document.getElementById('evaluation').hidden === false")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
