"""The phone page's evaluation on a kiosk that is its own hall (screens.serve), in
headless Chromium: its window's keypad (the KP1 bus emulated) votes 非常不满意 and the
taxpayer gives the reasons on the phone; another taxpayer rates on the phone before
the keypad, whose later vote is then kept as a repeat, never counted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from drivers.keypad.protocol import KeypadEvent as Key
from kiosk.app import EmulatedDevices, Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.hall.base import TicketChannel
from kiosk.settings import load_settings
from kiosk.triage import ALWAYS_OPEN
from tests.helpers.browser import OpenPage, chromium
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.e2e

WAIT = 20.0


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    settings = load_settings(
        overrides={
            "kiosk": {"data_dir": str(tmp_path / "data")},
            "routing": ALWAYS_OPEN,
            "screens": {"serve": "127.0.0.1:0", "voice": False},
        }
    )
    built = build_kiosk(
        settings, load_catalog(settings.catalog_path), emulated=EmulatedDevices(None)
    )
    built.start_background()
    try:
        wait_for(lambda: built.screens is not None and built.screens.url, WAIT, "the pages")
        yield built
    finally:
        built.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[OpenPage]:
    with chromium(tmp_path) as open_page:
        yield open_page


def served(kiosk: Kiosk) -> tuple[str, str, int]:
    """A green ticket called and finished at window 1: (ticket id, number, keypad)."""
    reservation = kiosk.hall.reserve("green", ["M0202"], kiosk.settings.kiosk.id)
    kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    kiosk.hall.call_next_at(1)
    kiosk.hall.finish_at(1)
    assert kiosk.windows is not None
    address = min(a for a, window in kiosk.windows.windows.items() if window == 1)
    keypads = kiosk.keypad_emulator
    assert keypads is not None
    wait_for(lambda: keypads.prompting(address) == reservation.number, WAIT, "the prompt")
    return reservation.ticket_id, reservation.number, address


def press(kiosk: Kiosk, address: int, key: Key) -> None:
    keypads = kiosk.keypad_emulator
    assert keypads is not None
    keypads.press(address, key)
    wait_for(lambda: not keypads.pending(address), WAIT, f"{key.name} taken")


def votes(kiosk: Kiosk, ticket_id: str) -> list[dict[str, object]]:
    return [e.payload for e in kiosk.journal.events(ticket_id) if e.kind == "evaluation.recorded"]


def test_a_keypad_bad_review_gets_its_reasons_on_the_phone_page_the_kiosk_serves(
    kiosk: Kiosk, browser: OpenPage
) -> None:
    ticket_id, _, address = served(kiosk)
    press(kiosk, address, Key.VERY_DISSATISFIED)
    wait_for(lambda: votes(kiosk, ticket_id), WAIT, "the vote journalled")
    assert kiosk.screens is not None
    page = browser(kiosk.screens.status_url(ticket_id) + "?lang=en")
    page.wait_for("document.body.dataset.evaluation === 'reasons'")
    for code in ("efficiency_wait", "process_trips"):
        page.evaluate(f"document.querySelector('#reasons input[value={code}]').click()")
    page.evaluate("document.getElementById('note').value = 'Came twice'")
    page.evaluate("document.getElementById('send').click()")
    page.wait_for("document.body.dataset.evaluation === 'noted'")
    [content] = [
        e.payload for e in kiosk.journal.events(ticket_id) if e.kind == "evaluation.content"
    ]
    [vote] = votes(kiosk, ticket_id)
    assert content == {
        "evaluation_id": vote["evaluation_id"],
        "reasons": ["efficiency_wait", "process_trips"],
        "note": "Came twice",
        "channel": "qr",
    }
    path = kiosk.screens.status_url(ticket_id) + "/evaluation"
    assert httpx.post(path, json={"reasons": ["other"]}, timeout=WAIT).status_code == 409  # once
    assert httpx.post(path, json={"reasons": []}, timeout=WAIT).status_code == 409
    unknown = kiosk.screens.status_url("nope") + "/evaluation"
    assert httpx.get(unknown, timeout=WAIT).status_code == 404


def test_a_phone_vote_first_makes_the_keypad_s_later_vote_a_repeat(
    kiosk: Kiosk, browser: OpenPage
) -> None:
    ticket_id, _, address = served(kiosk)
    assert kiosk.screens is not None
    path = kiosk.screens.status_url(ticket_id) + "/evaluation"
    for bad, field in (
        ({"level": 5}, "reasons"),  # a 差评 needs its reasons
        ({"level": 5, "reasons": ["rude"]}, "reasons"),
        ({"level": 2, "reasons": ["other"]}, "reasons"),  # only a 差评 has reasons
        ({"reasons": ["other"]}, "level"),  # not evaluated yet: the level first
        ({"level": 9}, "level"),
    ):
        refused = httpx.post(path, json=bad, timeout=WAIT)
        assert refused.status_code == 422, bad
        assert refused.json()["detail"][0]["loc"] == ["body", field], bad
    page = browser(kiosk.screens.status_url(ticket_id))
    page.wait_for("document.body.dataset.evaluation === 'levels'")
    page.evaluate("document.querySelector('#levels button[data-level=\"1\"]').click()")
    page.wait_for("document.body.dataset.evaluation === 'done'")
    [vote] = votes(kiosk, ticket_id)
    assert (vote["level"], vote["channel"], vote["repeat"]) == (1, "qr", False)
    keypads = kiosk.keypad_emulator
    assert keypads is not None
    wait_for(lambda: keypads.prompting(address) is None, WAIT, "the keypad back to idle")
    press(kiosk, address, Key.VERY_DISSATISFIED)  # the keypad, afterwards
    wait_for(lambda: len(votes(kiosk, ticket_id)) == 2, WAIT, "the keypad's vote journalled")
    later = votes(kiosk, ticket_id)[1]
    assert (later["level"], later["repeat"]) == (5, True)
    follow_ups = [e for e in kiosk.journal.events(ticket_id) if e.kind == "follow_up.opened"]
    assert follow_ups == []  # a repeat opens no follow-up
