"""One kiosk of `kiosk sim soak`: the real KioskWindow offscreen, driven by taxpayers.

`python -m ui.soak_kiosk --config FILE --rate R [--seed N]`, started by
kiosk/soak/processes.py (read its package docstring for the whole design). The kiosk
is the one of `kiosk run`, built and started by ui/main.py (`launch`, then
`KioskApplication.start/show/stop`): retention and the crash handler included; a
crash ends the process, which the orchestrator sees as a kiosk that did not stop
cleanly.

Taxpayers arrive at R per minute (Poisson), tap 取号, a random category and matter,
identify with an ID card when the matter is real-name (the card is placed by the
orchestrator, which owns the reader emulator: asked with a JSON line on stdout), take
the window route and confirm; the outcome screen's button ends the visit.

JSON lines on stdout: {"ready": true}; {"card": "insert"|"remove"}; {"outcome": NAME,
"number": ...} per visit; {"pending": N, "idle": bool} every second; at SIGTERM, after
a clean shutdown, {"stopped": {"before": counts, "after": counts}} with the thread,
active Qt timer and open fd counts before the kiosk was built and after it was closed.
stdin: "stop" ends the arrivals (the visit under way is finished first); the end of
stdin (the orchestrator is gone) stops the kiosk like SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.app import load_configuration
from kiosk.logs import setup_logging
from kiosk.startup import StartupError
from kiosk.systemd import EXIT_RESTART
from ui import texts
from ui.automation import AutomationError, tap, wait_until
from ui.main import application, launch
from ui.main_window import KioskWindow
from ui.screens.done import DoneScreen, ETicketScreen, FailedScreen

log = logging.getLogger(__name__)

CARD_SECONDS = 8.0  # how long a taxpayer waits at the reader before giving up
TICKET_SECONDS = 30.0
STEP_SECONDS = 10.0
SETTLE_SECONDS = 5.0


def say(message: dict[str, object]) -> None:
    print(json.dumps(message, ensure_ascii=False), flush=True)


def counts(app: QApplication | None) -> dict[str, int]:
    timers = 0
    if app is not None:
        owners = [app, *app.topLevelWidgets()]
        timers = sum(
            1 for owner in owners for timer in owner.findChildren(QTimer) if timer.isActive()
        )
    # Native threads (Qt's too); Python's own list keeps a "Dummy" entry for every
    # foreign thread that ever ran Python code, even after it ended.
    tasks = Path("/proc/self/task")
    return {
        "threads": len(os.listdir(tasks)) if tasks.exists() else threading.active_count(),
        "fds": len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else 0,
        "timers": timers,
    }


class Driver:
    def __init__(
        self, window: KioskWindow, rate: float, seed: int, terminated: threading.Event
    ) -> None:
        self.window = window
        self.rate = rate
        self.rng = random.Random(seed)
        self.terminated = terminated  # SIGTERM, or stdin closed
        self.arrivals_over = threading.Event()
        self.in_visit = False

    def pump(self, seconds: float) -> None:
        """Run the event loop for `seconds` (the heartbeat timer lets signals in)."""
        loop = QEventLoop()
        QTimer.singleShot(max(1, int(seconds * 1000)), loop.quit)
        loop.exec()

    def run(self) -> None:
        next_arrival = time.monotonic() + self.rng.expovariate(self.rate / 60)
        while not self.terminated.is_set():
            now = time.monotonic()
            if self.arrivals_over.is_set():
                self.pump(0.2)
            elif now >= next_arrival:
                self.visit()
                next_arrival = max(next_arrival, now) + self.rng.expovariate(self.rate / 60)
            else:
                self.pump(min(0.2, next_arrival - now))

    # ---- one taxpayer ------------------------------------------------------------------

    def visit(self) -> None:
        window = self.window
        self.in_visit = True
        try:
            self.wait(lambda: window.current_screen_name() == "home", "the home screen")
            window.last_ticket = None
            tap(window, texts.TAKE_NUMBER.zh)
            self.wait(lambda: window.current_screen_name() == "category", "the categories")
            tile = self.rng.choice(window.category.tiles)
            tap(window, tile.accessibleName())
            self.wait(lambda: window.current_screen_name() == "matter", "the matters")
            row = self.rng.choice(window.matter.rows)
            tap(window, row.accessibleName())
            self.wait(lambda: window.current_screen_name() in ("route", "identify"), "a route")
            if window.current_screen_name() == "identify" and not self.identify():
                self.outcome("abandoned")
                return
            route = window.visit.route
            if route is None or route.refusal is not None:
                self.outcome("refused")
                return
            tap(window, texts.CONFIRM.zh)
            self.wait(
                lambda: window.current_screen_name() not in ("route", "printing"),
                "the ticket",
                TICKET_SECONDS,
            )
            ticket = window.last_ticket
            screen = window.current_screen_name()
            if ticket is None:
                self.outcome("failed", screen=screen)
            else:
                self.outcome(
                    ticket.outcome.value,
                    number=ticket.reservation.number,
                    ticket_id=ticket.reservation.ticket_id,
                )
            outcome = window.current_screen()
            outcomes = DoneScreen | ETicketScreen | FailedScreen
            if isinstance(outcome, outcomes) and outcome.finish_button.isVisible():
                tap(window, outcome.finish_button.accessibleName())
        except AutomationError as error:
            log.warning("a visit got stuck on %s: %s", window.current_screen_name(), error)
            self.outcome("stuck", error=str(error), screen=window.current_screen_name())
        finally:
            if window.current_screen_name() != "home":
                window.finish_visit()
            self.in_visit = False

    def identify(self) -> bool:
        """A real-name matter: the taxpayer puts an ID card on the reader."""
        window = self.window
        say({"card": "insert"})
        try:
            wait_until(
                lambda: window.current_screen_name() not in ("identify", "code_entry"),
                "the taxpayer identified",
                CARD_SECONDS,
            )
        except AutomationError:
            return False  # the reader is unplugged, say: the taxpayer asks the staff
        finally:
            say({"card": "remove"})
        return window.current_screen_name() == "route"

    def outcome(self, name: str, **details: object) -> None:
        say({"outcome": name, **details})

    def wait(self, condition: Callable[[], bool], what: str, seconds: float = STEP_SECONDS) -> None:
        wait_until(condition, what, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.soak_kiosk")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--rate", type=float, required=True, help="taxpayers per minute")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    setup_logging(json_lines=False, level=logging.INFO)
    before = counts(application())
    terminated = threading.Event()

    def crashed() -> None:
        # The crash report is in the data directory; the orchestrator sees a kiosk that
        # did not stop cleanly, and the audit fails.
        os._exit(EXIT_RESTART)

    try:
        settings, catalog = load_configuration(args.config)
        kiosk = launch(
            settings,
            catalog,
            config_file=args.config,
            on_stop_signal=terminated.set,
            restart=crashed,
        )
    except StartupError as error:
        print(f"soak kiosk: cannot start: {error}", file=sys.stderr)
        return 2
    driver = Driver(kiosk.window, args.rate, args.seed, terminated)
    reader = threading.Thread(target=commands, args=(driver,), name="soak-commands", daemon=True)
    reader.start()

    def report() -> None:
        idle = driver.arrivals_over.is_set() and not driver.in_visit
        say({"pending": kiosk.kiosk.journal.pending_outbox(), "idle": idle})

    heartbeat = QTimer()
    heartbeat.setInterval(1000)
    heartbeat.timeout.connect(report)
    with kiosk:
        kiosk.show()
        heartbeat.start()
        say({"ready": True})
        try:
            driver.run()
        finally:
            heartbeat.stop()
    kiosk.window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    kiosk.qt.processEvents()
    say({"stopped": stopped_counts(kiosk.qt, before, reader)})
    return 0


def commands(driver: Driver) -> None:
    """The orchestrator's commands on stdin, read on a thread of this harness (it ends
    with stdin, so it is no BackgroundThread: nothing could stop a blocked read)."""
    for line in sys.stdin:
        if line.strip() == "stop":
            driver.arrivals_over.set()
    driver.terminated.set()  # stdin closed: the orchestrator is gone, stop cleanly


def stopped_counts(
    app: QApplication, before: dict[str, int], reader: threading.Thread
) -> dict[str, object]:
    after = counts(app)
    deadline = time.monotonic() + SETTLE_SECONDS
    settled = threading.Event()  # never set: only its timeout paces the checks
    while after["threads"] > before["threads"] and time.monotonic() < deadline:
        settled.wait(0.05)  # threads told to stop may take a moment to end
        after = counts(app)
    if reader.is_alive():  # the stdin reader is this harness's own thread, not the kiosk's
        after["threads"] -= 1
    left = sorted(thread.name for thread in threading.enumerate() if thread is not reader)
    return {"before": before, "after": after, "threads_left": left}


if __name__ == "__main__":
    sys.exit(main())
