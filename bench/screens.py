"""The hall's screens, end to end on a kiosk that is its own hall and serves them
(screens.serve), with its keypads on an emulated KP1 bus:

- a window's caller key pressed -> the number on the calling display, in headless
  Chromium (the page stamps the moment it shows a call; both clocks are this machine's);
- a call -> the first byte of its announcement served (espeak-ng, Chinese and English,
  twice, as configured by default), as a display fetches it after the call event.

    python -m bench.screens [--calls N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path
from queue import Queue

import httpx

from bench.stats import Figure, figure, table
from drivers.keypad.protocol import KeypadEvent
from kiosk.app import EmulatedDevices, Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.hall.base import TicketChannel
from kiosk.settings import load_settings
from kiosk.triage import ALWAYS_OPEN
from tests.helpers.browser import TV, chromium
from tests.helpers.waiting import wait_for

CALLS = 30
WAIT = 20.0


def _kiosk(folder: Path, calls: int) -> Kiosk:
    settings = load_settings(
        overrides={
            "kiosk": {"data_dir": str(folder / "data")},
            "routing": ALWAYS_OPEN,
            "screens": {"serve": "127.0.0.1:0", "text_call_seconds": 0.1},
        }
    )
    kiosk = build_kiosk(
        settings, load_catalog(settings.catalog_path), emulated=EmulatedDevices(None)
    )
    for _ in range(3 * calls + 2):
        reservation = kiosk.hall.reserve("green", ["M0202"], settings.kiosk.id)
        kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    kiosk.start_background()
    return kiosk


def _press(kiosk: Kiosk) -> None:
    assert kiosk.keypad_emulator is not None
    assert kiosk.windows is not None
    address = min(a for a, window in kiosk.windows.windows.items() if window == 1)
    kiosk.keypad_emulator.press(address, KeypadEvent.CALL_NEXT)


def _call(kiosk: Kiosk) -> None:
    kiosk.hall.call_next_at(1)


def to_display(kiosk: Kiosk, folder: Path, calls: int) -> tuple[list[float], list[float]]:
    """(caller key -> shown, the hall's call -> shown), in ms."""
    assert kiosk.screens is not None
    by_key: list[float] = []
    by_hall: list[float] = []
    with chromium(folder) as open_page:
        page = open_page(f"{kiosk.screens.url}/display?muted=1", **TV)
        page.wait_for("document.body.dataset.live === 'yes'")
        for latencies, call in ((by_key, _press), (by_hall, _call)):
            for _ in range(calls):
                before = page.evaluate("document.body.dataset.latest || ''")
                pressed = time.time() * 1000
                call(kiosk)
                page.wait_for(f"(document.body.dataset.latest || '') !== '{before}'")
                page.wait_for("document.body.dataset.announcing === 'no'")
                latencies.append(float(page.evaluate("document.body.dataset.shownAt")) - pressed)
    return by_key, by_hall


def call_to_audio(kiosk: Kiosk, calls: int) -> list[float]:
    assert kiosk.screens is not None
    url = kiosk.screens.url
    audio_paths: Queue[str] = Queue()

    def listen(events: httpx.Response) -> None:
        kind = ""
        try:
            for line in events.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "call":
                    audio_paths.put(json.loads(line[6:])["audio"])
        except httpx.HTTPError:  # the stream closed at the end
            return

    latencies = []
    with (
        httpx.Client(timeout=WAIT) as client,
        client.stream("GET", f"{url}/display/events") as events,
    ):
        listener = threading.Thread(target=listen, args=(events,), daemon=True)
        listener.start()
        for _ in range(calls):
            pressed = time.perf_counter()
            _press(kiosk)
            path = audio_paths.get(timeout=WAIT)
            with client.stream("GET", url + path) as audio:
                chunks = audio.iter_raw()
                next(chunks)
                latencies.append((time.perf_counter() - pressed) * 1000)
                for _ in chunks:  # the rest, as a display plays it
                    pass
    return latencies


def run(calls: int = CALLS) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-screens-") as temp:
        folder = Path(temp)
        kiosk = _kiosk(folder, calls)
        try:
            assert kiosk.screens is not None
            wait_for(lambda: kiosk.screens is not None and kiosk.screens.url, WAIT)
            shown, shown_from_hall = to_display(kiosk, folder, calls)
            served = call_to_audio(kiosk, calls)
        finally:
            kiosk.close()
    return [
        figure(
            "call key pressed -> number on the display",
            "ms",
            shown,
            target=300,
            note="KP1 bus emulated (poll 0.2 s), embedded hall, headless Chromium",
        ),
        figure(
            "the hall's call -> number on the display",
            "ms",
            shown_from_hall,
            note="the same without the keypad bus: event stream and page",
        ),
        figure(
            "call key pressed -> first audio byte served",
            "ms",
            served,
            target=1000,
            note="espeak-ng zh+en x2, one new number each call",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.screens", description=__doc__)
    parser.add_argument("--calls", type=int, default=CALLS)
    print(table(run(parser.parse_args().calls)))


if __name__ == "__main__":
    main()
