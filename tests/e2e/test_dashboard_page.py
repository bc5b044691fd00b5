"""The manager's dashboard in a real headless browser (Debian's chromium, over the
DevTools pipe of kiosk/hall/server/dashboard/browser.py): refused without a session,
signed in through its form, live figures and charts drawn, an export downloaded by
the page that opens in openpyxl, signed out."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard import sample
from kiosk.hall.server.dashboard.accounts import AdminAccounts
from kiosk.hall.server.dashboard.browser import HeadlessChromium, Page
from kiosk.hall.server.dashboard.demo import sign_in
from kiosk.hall.server.runner import RunningHall, start_in_thread
from tests.helpers.fakes import make_settings
from tests.helpers.hall_morning import MORNING, morning

pytestmark = pytest.mark.e2e

PASSWORD = "tea-and-7-tax-forms"
CHARTS = ("waits_by_hour", "by_day", "by_queue", "by_matter", "by_window", "by_staff")
# The page fetches a URL and hands its bytes back as base64.
DOWNLOAD = """(async () => {
  const answer = await fetch(document.getElementById("export-xlsx").href);
  const bytes = new Uint8Array(await answer.arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return [answer.status, answer.headers.get("content-type"), btoa(text)];
})()"""


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[RunningHall]:
    clock = FakeClock(MORNING)
    running = start_in_thread(tmp_path / "hall.sqlite3", make_settings(tmp_path), clock=clock)
    morning(running.hall, clock)
    sample.heartbeat(running.hall.store.db, "K01", clock.now(), {"printer": "paper_near_end"})
    AdminAccounts(running.hall.store.db, clock).add("manager", PASSWORD)
    yield running
    running.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    with closing(HeadlessChromium()) as browser:
        yield browser.page(1400, 1000)


def test_the_dashboard_refuses_a_browser_without_a_session(hall: RunningHall, page: Page) -> None:
    page.navigate(f"{hall.url}/dashboard")
    page.wait_for("location.pathname === '/dashboard/login' && !!document.getElementById('login')")
    status = "fetch('/dashboard/api/live').then((answer) => answer.status)"
    assert page.evaluate(status) == 401
    assert page.evaluate("fetch('/dashboard/export.csv').then((a) => a.status)") == 401


def test_after_login_the_dashboard_shows_the_hall_and_its_charts(
    hall: RunningHall, page: Page
) -> None:
    sign_in(page, hall.url, "manager", PASSWORD)
    page.wait_for("document.body.dataset.live === 'yes' && document.body.dataset.charts === 'yes'")
    for chart in CHARTS:
        assert page.evaluate(f"!!document.querySelector('#chart-{chart} canvas')"), chart
    assert page.evaluate("typeof echarts.getInstanceByDom") == "function"
    queues = page.evaluate("document.getElementById('queues').innerText")
    assert "绿色通道" in queues
    windows = page.evaluate("document.getElementById('windows').innerText")
    assert "办理中 A001" in windows
    assert "A001" in page.evaluate("document.getElementById('follow-ups').innerText")
    devices = page.evaluate("document.getElementById('devices').innerText")
    assert "K01: 打印机 纸将用尽" in devices

    # The day chosen in the page is the one exported.
    page.evaluate("document.getElementById('period-day').value = '2026-11-23'")
    page.evaluate("document.getElementById('period-kind').value = 'day'")
    page.evaluate("document.getElementById('period-kind').dispatchEvent(new Event('change'))")
    page.wait_for("document.body.dataset.charts === 'yes'")
    status, kind, data = page.evaluate(DOWNLOAD)
    assert status == 200
    assert "spreadsheetml" in kind
    book = load_workbook(io.BytesIO(base64.b64decode(data)), read_only=True)
    numbers = [row[1] for row in list(book["tickets"].values)[1:]]
    assert numbers == ["G001", "A001", "G002"]

    page.navigate(f"{hall.url}/dashboard?lang=en")
    page.wait_for("document.body.dataset.live === 'yes'")
    assert "Hall dashboard" in page.evaluate("document.querySelector('header h1').textContent")

    page.evaluate("document.getElementById('logout').submit()")
    page.wait_for("location.pathname === '/dashboard/login'")
    assert page.evaluate("fetch('/dashboard/api/live').then((a) => a.status)") == 401
