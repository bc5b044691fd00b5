"""The ticket-status page in a real headless browser (Debian's chromium), driven over
the DevTools protocol: it shows the ticket, then follows the call without a reload."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import load_settings
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.e2e

WAIT = 20.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Page:
    """One browser tab over the DevTools protocol."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._ids = count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._socket.recv(timeout=WAIT))
            if reply.get("id") == message_id:
                assert "error" not in reply, reply
                result: dict[str, Any] = reply["result"]
                return result

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str) -> None:
        wait_for(lambda: self.evaluate(expression), WAIT, f"in the page: {expression}")


def wait_until(condition: Callable[[], Any]) -> Any:
    return wait_for(condition, WAIT)


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[RunningHall, httpx.Client]]:
    settings = load_settings()
    token = create_token(tmp_path / "hall.sqlite3", "K01", settings, windows={1})
    running = start_in_thread(tmp_path / "hall.sqlite3", settings)
    client = httpx.Client(
        base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=WAIT
    )
    yield running, client
    client.close()
    running.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Callable[[str], Page]]:
    profile = tmp_path / "chromium-profile"
    log = (tmp_path / "chromium.log").open("w+")
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    port_file = profile / "DevToolsActivePort"
    sockets = ExitStack()

    def open_page(url: str) -> Page:
        port = int(wait_until(lambda: port_file.exists() and port_file.read_text().split())[0])
        target = httpx.put(f"http://127.0.0.1:{port}/json/new?{url}", timeout=WAIT).json()
        socket = sockets.enter_context(
            connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=WAIT)
        )
        page = Page(socket)
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=390,
            height=844,
            deviceScaleFactor=3,
            mobile=True,
        )
        return page

    try:
        yield open_page
    finally:
        sockets.close()
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_the_status_page_shows_the_ticket_and_follows_its_call_live(
    hall: tuple[RunningHall, httpx.Client], browser: Callable[[str], Page]
) -> None:
    running, client = hall
    tickets = []
    for _ in range(2):
        body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
        ticket = client.post("/v1/tickets/reserve", json=body).json()
        assert client.post(f"/v1/tickets/{ticket['ticket_id']}/commit", json={}).status_code == 200
        tickets.append(ticket)
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
