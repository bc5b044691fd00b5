"""The calling display and the window screen in a real headless browser, on a real hall
server: a call reaches the display; two calls made together are both announced, one
after the other, each with its own number and window; the window screen follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.hall import api
from kiosk.hall.server.runner import RunningHall
from kiosk.settings import Settings, load_settings
from kiosk.voice.sound import silence
from kiosk.voice.speakers import WORDS
from tests.helpers.browser import TV, WAIT, OpenPage, chromium
from tests.helpers.served_hall import served_hall
from tests.helpers.served_hall import take as take_ticket

pytestmark = pytest.mark.e2e


def clips(folder: Path) -> Path:
    """A hall's recorded clips, each a short silence: an announcement lasts ~1.3 s."""
    folder.mkdir()
    for word in (*WORDS, "A", "G", "chime"):
        (folder / f"{word}.wav").write_bytes(silence(0.1).wav())
    return folder


def hall_settings(tmp_path: Path, **screens: Any) -> Settings:
    overrides = {
        "voice_clips": str(clips(tmp_path / "clips")),
        "voice_english": False,
        "voice_repeat": 1,
        "text_call_seconds": 0.5,
        **screens,
    }
    return load_settings(overrides={"screens": overrides})


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[RunningHall, httpx.Client]]:
    with served_hall(tmp_path / "hall.sqlite3", hall_settings(tmp_path)) as served:
        yield served


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[OpenPage]:
    with chromium(tmp_path) as open_page:
        yield open_page


def take(client: httpx.Client, queue: str) -> str:
    return str(take_ticket(client, queue)["number"])


def log_of(page: Any) -> list[dict[str, str]]:
    result: list[dict[str, str]] = page.evaluate(
        "[...document.querySelectorAll('#announcements li')].map((li) => ({...li.dataset}))"
    )
    return result


def test_a_call_reaches_the_display_and_the_window_screen(
    hall: tuple[RunningHall, httpx.Client], browser: OpenPage
) -> None:
    running, client = hall
    number = take(client, "green")
    take(client, "green")
    display = browser(f"{running.url}/display?muted=1", **TV)
    screen = browser(f"{running.url}/display/window/1", **TV)
    for page in (display, screen):
        page.wait_for("document.body.dataset.live === 'yes'")
    green = "document.querySelector('#queues [data-queue=green]').dataset.waiting"
    assert display.evaluate(green) == "2"
    assert display.evaluate("document.getElementById('latest-number').textContent") == "—"

    assert client.post("/v1/windows/1/call-next").status_code == 200
    display.wait_for(f"document.body.dataset.latest === '{number}@1'")
    assert "1 号窗口" in display.evaluate("document.getElementById('latest-window').textContent")
    screen.wait_for(f"document.body.dataset.serving === '{number}'")
    assert screen.evaluate("document.getElementById('staff').hidden") is True  # nobody yet
    display.wait_for("document.querySelector('#announcements li')?.dataset.stage === 'done'")
    assert log_of(display)[0]["mode"] == "text"  # muted: shown, not spoken
    display.wait_for(f"{green} === '1'")
    assert display.evaluate("document.documentElement.scrollHeight") <= 1080  # fits the TV
    date = display.evaluate("document.getElementById('clock-date').innerText")
    assert "年" in date
    assert any(day in date for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))

    # Staff sign in at window 1 (from the dashboard; the keypad's records do the same).
    staff = api.PATH_WINDOW_STAFF.format(window=1)
    assert client.post(staff, json={"staff_id": "1037"}).status_code == 200
    screen.wait_for("document.body.dataset.staff === '1037'")
    line = screen.evaluate("document.getElementById('staff').innerText")
    assert "工号 1037" in line
    assert "staff No. 1037" in line
    assert client.post(staff, json={"staff_id": None}).status_code == 200
    screen.wait_for("document.getElementById('staff').hidden === true")
    assert screen.evaluate("document.body.dataset.serving") == number  # still served


def test_two_calls_together_are_both_announced_in_order_each_to_its_window(
    hall: tuple[RunningHall, httpx.Client], browser: OpenPage
) -> None:
    running, client = hall
    green, comprehensive = take(client, "green"), take(client, "comprehensive")
    display = browser(f"{running.url}/display", **TV)
    display.wait_for("document.body.dataset.live === 'yes'")
    client.post("/v1/windows/1/call-next")
    client.post("/v1/windows/2/call-next")  # while the first is being announced

    display.wait_for(
        "[...document.querySelectorAll('#announcements li')].filter("
        "(li) => li.dataset.stage === 'done').length === 2"
    )
    first, second = log_of(display)
    assert (first["number"], first["window"]) == (green, "1")
    assert (second["number"], second["window"]) == (comprehensive, "2")
    assert first["mode"] == second["mode"] == "audio"  # spoken by the server's voice
    assert int(second["queuedAt"]) < int(first["doneAt"])  # it came during the first
    assert int(first["doneAt"]) <= int(second["speakingAt"])  # which was never cut off
    assert display.evaluate("document.body.dataset.latest") == f"{comprehensive}@2"


def test_the_audio_of_a_call_is_served_only_for_calls_the_hall_made(
    hall: tuple[RunningHall, httpx.Client],
) -> None:
    running, client = hall
    take(client, "green")
    with httpx.stream("GET", f"{running.url}/display/events", timeout=WAIT) as events:
        lines = events.iter_lines()
        assert next(lines) == "event: state"
        client.post("/v1/windows/1/call-next")
        call_id = next(line for line in lines if line.startswith("id: "))[4:]
    audio = httpx.get(f"{running.url}/display/audio/{call_id}.wav")
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.content[:4] == b"RIFF"
    assert httpx.get(f"{running.url}/display/audio/1.wav").status_code == 404
    assert httpx.get(f"{running.url}/display/audio/x.wav").status_code == 422
    assert httpx.get(f"{running.url}/display/window/99").status_code == 404
    assert httpx.get(f"{running.url}/display?hall=<x>").status_code == 422


def test_a_kiosks_help_request_shows_on_the_display_live(
    hall: tuple[RunningHall, httpx.Client], browser: OpenPage
) -> None:
    running, client = hall
    display = browser(f"{running.url}/display?muted=1", **TV)
    display.wait_for("document.body.dataset.live === 'yes'")
    assert display.evaluate("document.getElementById('help').hidden") is True
    record = {
        "idempotency_key": "help-request-0001",
        "kind": "help.requested",
        "at": running.hall.clock.now().isoformat(),  # asked now
        "payload": {"kiosk": "K01", "step": "route"},
    }
    assert client.post("/v1/records", json={"records": [record]}).status_code == 200
    display.wait_for("document.getElementById('help').hidden === false")
    line = "document.querySelector('#help .help-line')"
    assert display.evaluate(f"{line}.dataset.kiosk") == "K01"
    assert "自助机 K01 请求导税帮助" in display.evaluate(f"{line}.textContent")
