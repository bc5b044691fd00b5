"""The composition root of the services: one build for every mode, one start and stop."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from kiosk.app import EmulatedDevices, build_kiosk
from kiosk.clock import FakeClock
from kiosk.text import active_texts, install_texts
from kiosk.tickets import TicketOutcome
from kiosk.triage import ALWAYS_OPEN, route_visit
from tests.helpers.fakes import default_catalog, make_settings
from tests.helpers.waiting import wait_for


def test_a_kiosk_on_emulated_devices_prints_on_them_and_its_stop_ends_every_thread(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, routing=ALWAYS_OPEN)
    before = set(threading.enumerate())
    kiosk = build_kiosk(
        settings, default_catalog(settings), clock=FakeClock(), emulated=EmulatedDevices(tmp_path)
    )
    try:
        # Every device of a hall kiosk is there, emulated.
        assert kiosk.keypad_emulator is not None
        assert kiosk.windows is not None
        assert kiosk.card_emulator is not None
        assert kiosk.card_watcher is not None
        kiosk.start_background()
        wait_for(lambda: kiosk.retention.last is not None, what="retention's first purge")
        issued = kiosk.tickets.issue(route_visit([kiosk.catalog.matter("M0202")], settings), "zh")
        assert issued.outcome is TicketOutcome.PRINTED
        printed = kiosk.emulators[0].wait_for_tickets(1, timeout=10)
        assert issued.reservation.number in printed[0].text
        assert list((tmp_path / "tickets").glob("*.escpos"))
        started = set(threading.enumerate()) - before
        assert started
    finally:
        kiosk.close()
    wait_for(lambda: not any(thread.is_alive() for thread in started), what="the kiosk's threads")


def test_the_kiosk_shows_the_halls_wording_from_its_texts_file(tmp_path: Path) -> None:
    wording = tmp_path / "texts.toml"
    wording.write_text('[screen]\nwelcome = { zh = "欢迎来到本厅", en = "Hello" }\n', "utf-8")
    settings = make_settings(tmp_path, ui={"texts_file": str(wording)})
    kiosk = build_kiosk(settings, default_catalog(settings), clock=FakeClock())
    try:
        assert active_texts().text("screen.welcome").zh == "欢迎来到本厅"
    finally:
        kiosk.close()
        install_texts(None)
    assert active_texts().text("screen.welcome").zh != "欢迎来到本厅"


def test_a_kiosk_on_the_embedded_hall_never_loads_the_hall_servers_http_client() -> None:
    # Every start pays for what it imports (about 0.1 s for httpx and the client).
    probe = (
        "import sys, kiosk.app, ui.main_window;"
        "print(sorted(m for m in ('httpx', 'kiosk.hall.http') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"
