"""Benchmarks through the real window (offscreen): confirm tap to the last ticket
byte on the emulated printer, and cold start to the home screen painted."""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import Figure, figure

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from drivers.printer.profiles import get_profile
from drivers.sim.printer import PrinterEmulator
from kiosk.app import load_configuration
from kiosk.settings import load_settings
from kiosk.triage import ALWAYS_OPEN
from ui.automation import find_button, wait_until
from ui.main import launch

PROJECT = Path(__file__).resolve().parent.parent
BITS_PER_BYTE = 10


def confirm_to_last_byte(count: int = 200) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            overrides={
                "kiosk": {"data_dir": folder},
                "routing": ALWAYS_OPEN,
                "ui": {"fullscreen": False},
            }
        )
        _, catalog = load_configuration(None)
        # The printer alone, without PNG rendering: the figure is the kiosk's, not the
        # renderer's, and no keypad bus is polled beside it.
        emulator = PrinterEmulator(out_dir=None, profile=get_profile(settings.printer.profile))
        kiosk = launch(settings, catalog, printer_port=emulator.start(), supervised=False)
        window = kiosk.window
        latencies, sizes = [], []
        kiosk.start()
        kiosk.show()
        try:
            for index in range(count):
                window.choose_category("invoices")
                window.choose_matter("M0202")
                confirm = find_button(window, "确认取号")
                tapped = time.perf_counter()
                QTest.mouseClick(confirm, Qt.MouseButton.LeftButton)
                wait_until(lambda n=index: len(emulator.tickets) > n, "the ticket")
                ticket = emulator.tickets[index]
                latencies.append((ticket.received_at - tapped) * 1000)
                sizes.append(len(ticket.raw))
                wait_until(lambda: window.current_screen_name() == "done", "the done screen")
                window.finish_visit()
        finally:
            kiosk.stop()
            emulator.stop()
    baud = settings.printer.baudrate
    wire = [size * BITS_PER_BYTE / baud * 1000 for size in sizes]
    return [
        figure(
            "confirm tap to last ticket byte",
            "ms",
            latencies,
            target=100.0,
            note="pty: excludes the wire time, reported on the next line",
        ),
        figure(
            f"wire time of that ticket @{baud} baud",
            "ms",
            wire,
            with_p95=False,
            bytes_per_ticket=sizes[0],
        ),
    ]


CHILD = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEvent, QObject, QTimer
from kiosk.app import EmulatedDevices, load_configuration
from kiosk.settings import load_settings
from kiosk.triage import ALWAYS_OPEN
from pathlib import Path
from ui.main import launch
out = Path(sys.argv[1])
settings = load_settings(
    overrides={
        "kiosk": {"data_dir": str(out / "data")},
        "routing": ALWAYS_OPEN,
        "ui": {"fullscreen": False},
    }
)
_, catalog = load_configuration(None)
kiosk = launch(settings, catalog, emulated=EmulatedDevices(out), supervised=False)
app, window = kiosk.qt, kiosk.window
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time(), flush=True)
            QTimer.singleShot(0, app.quit)
            watched.removeEventFilter(self)
        return False
painted = FirstPaint()
window.home.installEventFilter(painted)
kiosk.start()
kiosk.show()
app.exec()
kiosk.stop()
"""


def cold_start(runs: int = 5) -> Figure:
    # Bytecode compiled first, as an installed kiosk has it (pip compiles what it
    # installs; a machine with PYTHONDONTWRITEBYTECODE set would else compile every
    # module from source at every start, which is not what a taxpayer waits for).
    for package in ("cli", "ui", "kiosk", "drivers"):
        compileall.compile_dir(PROJECT / package, quiet=1)
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            started = time.time()
            result = subprocess.run(
                [sys.executable, "-c", CHILD, folder],
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            seconds.append(float(result.stdout.split()[0]) - started)
    return figure("cold start to home screen painted", "s", seconds, target=1.5, with_p95=False)
