"""A kiosk that is its own hall serves the hall's screens (screens.serve): the same pages
as the hall server, on its queue file, live with its hall's events; the ticket's QR leads
to the live page while they are served, else to the matter's guide."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.app import build_kiosk
from kiosk.clock import FakeClock
from kiosk.hall.base import TicketChannel
from kiosk.hall.local import LocalHall
from kiosk.hall.server.screens.embedded import EmbeddedScreens, ScreensError
from kiosk.settings import ConfigError
from kiosk.triage import ALWAYS_OPEN, route_visit
from tests.helpers.fakes import default_catalog, make_settings

WAIT = 20.0


def green_waiting(lines: Iterator[str]) -> int:
    state = json.loads(next(line for line in lines if line.startswith("data: "))[6:])
    return int(next(q for q in state["queues"] if q["code"] == "green")["waiting"])


def test_the_embedded_hall_serves_the_display_and_the_phone_page_live(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, screens={"serve": "127.0.0.1:0"})
    clock = FakeClock()
    hall = LocalHall(tmp_path / "hall.sqlite3", settings, clock)
    screens = EmbeddedScreens(settings, hall, tmp_path / "hall.sqlite3", clock)
    try:
        url = screens.start()
        reservation = hall.reserve("green", ["M0202"], "K01")
        hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
        phone = httpx.get(screens.status_url(reservation.ticket_id), timeout=WAIT)
        assert phone.status_code == 200
        assert reservation.number in phone.text
        state = httpx.get(f"{url}/display/state", timeout=WAIT).json()
        assert next(q for q in state["queues"] if q["code"] == "green")["waiting"] == 1
        assert httpx.get(f"{url}/display", timeout=WAIT).status_code == 200
        assert httpx.get(f"{url}/openapi.json", timeout=WAIT).status_code == 404  # pages only
        refused = httpx.get(f"{url}/display/window/0", timeout=WAIT)
        assert refused.status_code == 422
        assert "window" in refused.json()["message"]

        with httpx.stream("GET", f"{url}/display/events", timeout=WAIT) as events:
            lines = events.iter_lines()
            assert next(lines) == "event: state"
            second = hall.reserve("green", ["M0202"], "K01")
            hall.commit(second.ticket_id, TicketChannel.PRINTED)  # the display's waiting follows
            assert green_waiting(lines) == 1  # the state when the display connected
            assert green_waiting(lines) == 2
            hall.call_next_at(1)
            call_id = next(line for line in lines if line.startswith("id: "))[4:]
            assert next(lines) == "event: call"
            call = json.loads(next(lines).removeprefix("data: "))
        assert (call["number"], call["window"]) == (reservation.number, 1)
        audio = httpx.get(f"{url}{call['audio']}", timeout=WAIT)
        assert audio.headers["content-type"] == "audio/wav"
        assert call["audio"] == f"/display/audio/{call_id}.wav"
    finally:
        screens.stop()
        hall.close()


def test_an_address_in_use_is_a_clear_message(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    settings = make_settings(tmp_path, screens={"serve": f"127.0.0.1:{port}"})
    hall = LocalHall(tmp_path / "hall.sqlite3", settings, FakeClock())
    screens = EmbeddedScreens(settings, hall, tmp_path / "hall.sqlite3", FakeClock())
    try:
        with pytest.raises(
            ScreensError, match=rf"screens.serve: cannot listen on 127.0.0.1:{port}"
        ):
            screens.start()
    finally:
        taken.close()
        hall.close()


def test_a_bad_address_is_refused_by_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"screens\.serve"):
        make_settings(tmp_path, screens={"serve": "127.0.0.1:70000"})
    with pytest.raises(ConfigError, match=r"screens\.serve"):
        make_settings(tmp_path, screens={"serve": "no port"})


def test_the_tickets_qr_leads_to_the_live_page_only_while_it_is_served(tmp_path: Path) -> None:
    served = make_settings(tmp_path / "a", routing=ALWAYS_OPEN, screens={"serve": "127.0.0.1:0"})
    plain = make_settings(tmp_path / "b", routing=ALWAYS_OPEN)
    urls = []
    for settings in (served, plain):
        kiosk = build_kiosk(settings, default_catalog(settings), clock=FakeClock())
        try:
            kiosk.start_background()
            route = route_visit([kiosk.catalog.matter("M0202")], settings)
            reservation = kiosk.hall.reserve(route.queue.code, ["M0202"], "K01")
            urls.append(kiosk.tickets.qr_url(reservation, route.matters))
            if kiosk.screens is not None:
                assert kiosk.journal.find_event("screens.started") is not None
                assert httpx.get(urls[-1], timeout=WAIT).status_code == 200
        finally:
            kiosk.close()
    assert urls[0].startswith("http://127.0.0.1:")
    assert "/t/" in urls[0]
    assert "/t/" not in urls[1]  # the matter's guide


def test_the_embedded_window_screens_show_who_is_signed_in_at_each_window(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, screens={"serve": "127.0.0.1:0"})
    clock = FakeClock()
    hall = LocalHall(tmp_path / "hall.sqlite3", settings, clock)
    signed_in: dict[int, str] = {}
    screens = EmbeddedScreens(
        settings, hall, tmp_path / "hall.sqlite3", clock, staff=lambda: dict(signed_in)
    )
    try:
        url = screens.start()

        def staff_at_1(state: dict[str, object]) -> object:
            windows = state["windows"]
            assert isinstance(windows, list)
            return next(w for w in windows if w["window"] == 1)["staff"]

        assert staff_at_1(httpx.get(f"{url}/display/state", timeout=WAIT).json()) is None
        with httpx.stream("GET", f"{url}/display/events", timeout=WAIT) as events:
            lines = events.iter_lines()
            assert next(lines) == "event: state"
            next(lines)  # the state when the window screen connected
            signed_in[1] = "1037"  # keyed in on window 1's keypad
            assert next(line for line in lines if line.startswith("event: ")) == "event: state"
            assert staff_at_1(json.loads(next(lines).removeprefix("data: "))) == "1037"
    finally:
        screens.stop()
        hall.close()
