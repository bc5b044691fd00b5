"""`kiosk demo`: the kiosk on an emulated printer and the embedded hall.

With a display it is ready to touch. Without one it plays a scripted visit
through the real widgets and leaves behind a PNG of every screen, the printed
tickets (raw ESC/POS and a picture) and the journal.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from drivers.keypad.protocol import KeypadEvent
from kiosk.app import EmulatedDevices, Kiosk
from kiosk.catalog import load_catalog
from kiosk.clock import OffsetClock
from kiosk.hall.server.screens.snapshots import SnapshotError, demo_pages
from kiosk.settings import ConfigError, Settings, load_settings
from kiosk.startup import StartupError
from kiosk.triage import ALWAYS_OPEN
from kiosk.voice import CallReading, VoiceError
from kiosk.window_staff import staff_number_keys
from ui import texts
from ui.automation import AutomationError, settle, tap, wait_until
from ui.demo_layouts import play_layouts
from ui.demo_senior import CONFIRM, play_senior_visit
from ui.main import (
    KioskApplication,
    launch,
    restart_without_systemd,
)
from ui.main_window import KioskWindow

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_STARTUP = 2
OUTPUTS = ("data", "screens", "tickets", "pages")
TICKET_NUMBER = re.compile(r"\b[A-Z]\d{3}\b")
DEMO_STAFF = "1037"  # the staff number signed in at window 2 (its window screen shows it)


class DemoError(Exception):
    """The scripted visit went wrong; the message says where."""


def display_available() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def demo_settings(out_dir: Path, config_file: Path | None, *, fullscreen: bool) -> Settings:
    overrides: dict[str, Any] = {
        "kiosk": {"data_dir": str(out_dir / "data")},
        "ui": {"fullscreen": fullscreen},
        "routing": ALWAYS_OPEN,  # the demo runs at any hour: the hall never closes
        # The kiosk serves the hall's screens (display, phone page) on a free local port.
        "screens": {"serve": "127.0.0.1:0"},
    }
    return load_settings(config_file, overrides=overrides)


def clear_outputs(out_dir: Path) -> None:
    """Start from 001: forget the previous run's hall, screens and tickets."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        shutil.rmtree(out_dir / name, ignore_errors=True)
    (out_dir / "journal.jsonl").unlink(missing_ok=True)


def run_demo(
    out_dir: Path, *, headless: bool | None = None, config_file: Path | None = None
) -> int:
    if headless is None:
        headless = not display_available()
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    out_dir = out_dir.resolve()
    try:
        clear_outputs(out_dir)
        settings = demo_settings(out_dir, config_file, fullscreen=False)
        catalog = load_catalog(settings.catalog_path)
    except ConfigError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        print(f"kiosk demo: the configuration has errors: {problems}", file=sys.stderr)
        return EXIT_STARTUP
    except OSError as error:
        print(f"kiosk demo: cannot prepare {out_dir}: {error}", file=sys.stderr)
        return EXIT_STARTUP

    clock = OffsetClock()
    try:
        demo = launch(
            settings,
            catalog,
            clock=clock,
            emulated=EmulatedDevices(out_dir),
            # The scripted visit fails loudly with one line; a window a person touches is
            # looked after like a kiosk's.
            supervised=not headless,
        )
    except (StartupError, OSError) as error:
        print(f"kiosk demo: cannot start: {error}", file=sys.stderr)
        return EXIT_STARTUP
    try:
        with demo:
            if headless:
                return ScriptedVisit(demo, clock, out_dir).play()
            demo.show(portrait_size(demo.qt))
            code = demo.exec()
        return restart_without_systemd(code)
    except DemoError as error:
        print(f"kiosk demo: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # one clear line, never a traceback
        log.debug("the demo failed", exc_info=True)
        print(f"kiosk demo failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


def portrait_size(app: QApplication) -> tuple[int, int]:
    """The 1080 x 1920 kiosk, scaled down to fit the screen it is shown on."""
    screen = app.primaryScreen()
    if screen is None:
        return 1080, 1920
    available = screen.availableGeometry()
    scale = min(1.0, available.width() / 1080, available.height() / 1920)
    width = min(available.width(), max(720, round(1080 * scale)))
    return width, min(available.height(), round(1920 * scale))


@dataclass
class ScriptedVisit:
    """Three taxpayers and a walk-away, played through the real widgets."""

    demo: KioskApplication
    clock: OffsetClock
    out_dir: Path
    screens: list[Path] = field(default_factory=list)
    printed_slips: int = 0

    @property
    def window(self) -> KioskWindow:
        return self.demo.window

    @property
    def kiosk(self) -> Kiosk:
        return self.demo.kiosk

    def play(self) -> int:
        self.demo.show()
        (self.out_dir / "screens").mkdir(parents=True, exist_ok=True)
        try:
            self._script()
        except AutomationError as error:
            raise DemoError(
                f"at screen {len(self.screens) + 1} ({self.window.current_screen_name()}): {error}"
            ) from None
        return self._finish()

    # ---- the script --------------------------------------------------------------------

    def _script(self) -> None:
        self.home("home")
        self.tap(texts.TAKE_NUMBER.zh, "category")
        self.tap("发票办理", "matter")
        self.tap("发票代开", "route-green")
        self.take_ticket(texts.CONFIRM.zh, "G001")
        self.tap(texts.DONE.zh)
        self.home("home-again")

        self.tap(texts.LANGUAGE_NAMES["en"])
        self.snap("home-english")
        self.tap(texts.TAKE_NUMBER.en, "category-english")
        self.tap("Returns and payment", "matter-english")
        self.tap("VAT return", "self-service-offer")
        self.tap(texts.PRINT_GUIDE.en)
        self.wait(
            lambda: self.window.route.guide_status.text() == texts.GUIDE_PRINTED.en,
            "the guide slip",
        )
        self.printed_slips += 1
        self.snap("guide-slip-printed")
        self.take_ticket(texts.CONFIRM.en, "G002")
        self.tap(texts.DONE.en)
        self.home("home-after-english")

        self.tap(texts.TAKE_NUMBER.zh)
        self.tap("税务登记", "matter-registration")
        self.tap("变更税务登记", "route-comprehensive")
        self.take_ticket(texts.CONFIRM.zh, "A001")
        self.tap(texts.DONE.zh)

        self.identify_by_card()
        self.search_by_initials()
        play_senior_visit(self)  # ui/demo_senior.py: NN-senior-*.png

        self.tap(texts.TAKE_NUMBER.zh)
        self.tap("证明开具", "matter-walked-away")
        ui = self.kiosk.settings.ui
        self.clock.advance(ui.inactivity_seconds + 1)
        self.window.check_idle()
        self.wait(self.window.idle_overlay_shown, "the are-you-still-there overlay")
        self.snap("still-there")
        self.clock.advance(ui.countdown_seconds)
        self.window.check_idle()
        self.home("home-after-timeout")

        self.window_calls_and_evaluation()
        play_layouts(self)  # the idle screen, landscape and 1280 x 1024 (ui/demo_layouts.py)
        self.hall_pages()

    def window_calls_and_evaluation(self) -> None:
        """Window 1's caller key calls the first green-channel number (the calling line
        shows it), the staff key finishes the service, that window's keypad asks for an
        evaluation, and the taxpayer votes 满意: the journal records it."""
        keypads, windows = self.kiosk.keypad_emulator, self.kiosk.windows
        if keypads is None or windows is None:
            return
        address = min(a for a, window in windows.windows.items() if window == 1)
        keypads.press(address, KeypadEvent.CALL_NEXT)
        line = self.window.calling_line
        self.wait(lambda: any("1 号窗口" in call for call in line.calls()), "the call of window 1")
        self.snap("calling-line")
        keypads.press(address, KeypadEvent.ASK_EVALUATION)
        self.wait(lambda: keypads.prompting(address) is not None, "the keypad's prompt")
        keypads.press(address, KeypadEvent.SATISFIED)
        journal = self.kiosk.journal
        self.wait(
            lambda: journal.find_event("evaluation.recorded") is not None,
            "the evaluation in the journal",
        )
        self.wait(lambda: keypads.prompting(address) is None, "the keypad back to idle")

    def hall_pages(self) -> None:
        """The hall's pages the kiosk serves, taken in headless Chromium into pages/: the
        phone page of the last ticket (waiting), then window 2 calls it and the display
        shows it; pages/call.wav is that call's announcement as the display plays it."""
        screens, ticket = self.kiosk.screens, self.window.last_ticket
        if screens is None or not screens.url or ticket is None:
            print("pages: not served (screens.serve is off)")
            return

        self.staff_signs_in(2, DEMO_STAFF)

        def call_at_window_2() -> CallReading:
            called = self.kiosk.hall.call_next_at(2)  # the display lists both windows' calls
            if called is None or called.number is None or called.window is None:
                raise DemoError("window 2 called nobody")
            return CallReading(called.number, called.window)

        try:
            written = demo_pages(
                screens.url,
                self.out_dir / "pages",
                ticket.reservation.ticket_id,
                self.kiosk.settings,
                call_at_window_2,
            )
        except (SnapshotError, VoiceError) as error:
            print(f"pages: not taken: {error}")
            return
        print(f"pages: {len(written)} in {self.out_dir / 'pages'} (served at {screens.url})")
        for path in written:
            print(f"  {path.name}")

    def staff_signs_in(self, window: int, staff_id: str) -> None:
        """A staff member keys their number in on the window's keypad (staff key twice,
        the digits, staff key): the window screen then shows it."""
        keypads, windows = self.kiosk.keypad_emulator, self.kiosk.windows
        if keypads is None or windows is None:
            return
        address = min(a for a, at in windows.windows.items() if at == window)
        for key in staff_number_keys(staff_id):
            keypads.press(address, key)
            self.wait(lambda: not keypads.pending(address), f"keypad {address} read")
        staff = windows.evaluations.staff
        self.wait(lambda: staff.at(window) == staff_id, f"staff signed in at window {window}")

    def _finish(self) -> int:
        journal = self.out_dir / "journal.jsonl"
        lines = self.kiosk.journal.export_json_lines(journal)
        emulator = self.kiosk.emulators[0]
        tickets = emulator.wait_for_tickets(self.printed_slips, timeout=15)
        if len(tickets) < self.printed_slips:
            raise DemoError(
                f"the printer emulator received {len(tickets)} of {self.printed_slips} slips"
            )
        print(f"screens: {len(self.screens)} in {self.out_dir / 'screens'}")
        for path in self.screens:
            print(f"  {path.name}")
        print(f"printed slips: {len(tickets)} in {self.out_dir / 'tickets'}")
        for ticket in tickets:
            number = TICKET_NUMBER.search(ticket.text)
            what = f"ticket {number.group(0)}" if number else "guide slip"
            print(f"  {what}: {ticket.raw_path}  {ticket.png_path}")
        print(f"journal: {lines} events in {journal}")
        return 0

    # ---- steps -------------------------------------------------------------------------

    def tap(self, name: str, snap_as: str | None = None) -> None:
        tap(self.window, name)
        self.window.check_idle()
        if snap_as is not None:
            self.snap(snap_as)

    def tap_at_idle_screen(self) -> None:
        """A touch anywhere on the idle screen (its middle)."""
        idle = self.window.idle_screen
        QTest.mouseClick(idle, Qt.MouseButton.LeftButton, pos=idle.rect().center())
        self.window.check_idle()

    def home(self, snap_as: str) -> None:
        """Wait for the home screen with its queue lengths read, then capture it."""
        self.wait(lambda: self.window.current_screen_name() == "home", "the home screen")
        self.wait(self.window.home.queue_states_shown, "the queue lengths")
        self.snap(snap_as)

    def identify_by_card(self) -> None:
        """A taxpayer starts typing a credit code, then puts their ID card on the
        (emulated) reader instead: greeted, masked, with their own matters first."""
        self.tap(texts.IDENTIFY.zh, "identify")
        self.tap(texts.TYPE_CREDIT_CODE.zh)
        for key in "91110105MA":
            self.tap(key)
        self.snap("keypad")
        self.tap(texts.BACK.zh)
        cards = self.kiosk.card_emulator
        if cards is not None:
            cards.insert("long_term")  # drivers/sim/cards.toml: a fictitious senior
            self.wait(
                lambda: self.window.current_screen_name() == "category", "the taxpayer's profile"
            )
            cards.remove()
            self.snap("identified-for-you")
        self.tap(texts.HOME.zh)

    def search_by_initials(self) -> None:
        """A taxpayer who cannot find their matter types "FP" (发票) on the letter keypad."""
        self.tap(texts.TAKE_NUMBER.zh)
        self.tap(texts.SEARCH.zh, "search")
        for key in "FP":
            self.tap(key)
        self.snap("search-fp")
        self.tap(texts.HOME.zh)

    def take_ticket(self, confirm: str, number: str) -> None:
        self.tap(confirm, "printing")
        self.wait(lambda: self.window.current_screen_name() != "printing", "the ticket")
        screen = self.window.current_screen_name()
        ticket = self.window.last_ticket
        if screen != "done" or ticket is None or ticket.number != number:
            got = ticket.number if ticket is not None else "no number"
            raise DemoError(f"expected ticket {number} printed, got the {screen} screen ({got})")
        self.printed_slips += 1
        self.snap(f"done-{number}")

    def take_senior_ticket(self) -> None:
        """Senior mode's ticket: priority was chosen, so a priority number."""
        self.tap(CONFIRM, "senior-printing")
        self.wait(lambda: self.window.current_screen_name() != "printing", "the ticket")
        ticket = self.window.last_ticket
        if self.window.current_screen_name() != "done" or ticket is None:
            raise DemoError(f"expected a printed ticket, got {self.window.current_screen_name()}")
        self.printed_slips += 1
        self.snap(f"senior-done-{ticket.number}")

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        wait_until(condition, what)

    def snap(self, name: str) -> None:
        settle()
        path = self.out_dir / "screens" / f"{len(self.screens) + 1:02d}-{name}.png"
        if not self.window.grab().save(str(path)):
            raise DemoError(f"cannot save the screenshot {path}")
        self.screens.append(path)
