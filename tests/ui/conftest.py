"""Fixtures for the UI tests: a demo kiosk on a pty printer emulator, with a fake clock."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThread, QtMsgType
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from uitest_support import PORTRAIT, SCREEN_OF, TAPS, WORKER_TIMEOUT_MS

from drivers.sim.printer import PrinterEmulator
from kiosk.app import EmulatedDevices, Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.clock import FakeClock
from kiosk.hall.base import HallError
from kiosk.settings import load_settings
from ui.automation import tap
from ui.main_window import KioskWindow
from ui.theme import apply_theme


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings(qtlog: object) -> Iterator[None]:
    """Any Qt warning or error during a test fails it (a kiosk runs for months)."""
    yield
    records = getattr(qtlog, "records", [])
    bad = [
        record.message
        for record in records
        if record.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
    ]
    assert not bad, f"Qt warnings: {bad}"


@pytest.fixture(autouse=True)
def _no_running_qthreads() -> Iterator[None]:
    """A test must not leave a QThread running behind it."""
    yield
    gc.collect()
    running = [obj for obj in gc.get_objects() if isinstance(obj, QThread) and _is_running(obj)]
    assert not running, f"QThreads left running: {running}"


def _is_running(thread: QThread) -> bool:
    try:
        return thread.isRunning() and thread is not QThread.currentThread()
    except RuntimeError:  # its C++ object is already gone
        return False


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "settings(**sections): settings overrides for the demo kiosk of a test"
    )


@pytest.fixture
def settings_overrides(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The data in tmp_path, plus the sections of the test's `settings` marker."""
    overrides: dict[str, Any] = {
        "kiosk": {"data_dir": str(tmp_path / "data")},
    }
    marker = request.node.get_closest_marker("settings")
    if marker is not None:
        for section, values in marker.kwargs.items():
            overrides[section] = {**overrides.get(section, {}), **values}
    return overrides


@pytest.fixture
def demo_kiosk(
    tmp_path: Path, fake_clock: FakeClock, settings_overrides: dict[str, Any]
) -> Iterator[Kiosk]:
    settings = load_settings(None, overrides=settings_overrides)
    catalog = load_catalog(settings.catalog_path)
    kiosk = build_kiosk(settings, catalog, clock=fake_clock, emulated=EmulatedDevices(tmp_path))
    yield kiosk
    kiosk.close()


@pytest.fixture
def printer(demo_kiosk: Kiosk) -> PrinterEmulator:
    return demo_kiosk.emulators[0]


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication, demo_kiosk: Kiosk) -> Iterator[KioskWindow]:
    apply_theme(qapp)
    kiosk_window = KioskWindow(demo_kiosk)
    qtbot.addWidget(kiosk_window)
    kiosk_window.resize(*PORTRAIT)
    kiosk_window.show()
    qtbot.waitExposed(kiosk_window)
    yield kiosk_window
    kiosk_window.close()
    assert not kiosk_window.ticket_bridge.worker_thread.isRunning()
    assert not kiosk_window.idle_check_timer.isActive()


@pytest.fixture
def tap_on(window: KioskWindow) -> Callable[..., None]:
    """Tap buttons of the window by their accessible names, in order."""

    def tap_all(*names: str) -> None:
        for name in names:
            tap(window, name)

    return tap_all


@pytest.fixture
def wait(qtbot: QtBot) -> Callable[[Callable[[], bool]], None]:
    """Run the event loop until the condition holds (the worker and the pty are real)."""

    def wait_until(condition: Callable[[], bool]) -> None:
        qtbot.waitUntil(condition, timeout=WORKER_TIMEOUT_MS)

    return wait_until


@pytest.fixture
def wait_for_screen(qtbot: QtBot, window: KioskWindow) -> Callable[[str], None]:
    def wait_for(name: str) -> None:
        qtbot.waitUntil(lambda: window.current_screen_name() == name, timeout=WORKER_TIMEOUT_MS)

    return wait_for


@pytest.fixture
def reach(
    window: KioskWindow,
    tap_on: Callable[..., None],
    wait_for_screen: Callable[[str], None],
    wait: Callable[[Callable[[], bool]], None],
    demo_kiosk: Kiosk,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[str], None]:
    """Bring the window to a screen the way a taxpayer would (printing aside)."""

    def queue_states_shown() -> bool:
        return not any(
            label.isVisible() and label.text().startswith("正在查询")
            for label in window.findChildren(QLabel)
        )

    def go(screen: str) -> None:
        if screen == "printing":
            # A real print is over too soon to look at: its screen alone, shown.
            window.stack.setCurrentWidget(window.printing)
        elif screen == "eticket":
            demo_kiosk.emulators[0].paper_end = True
        elif screen == "failed":
            monkeypatch.setattr(demo_kiosk.hall, "reserve", _refuse)
        tap_on(*TAPS[screen])
        wait_for_screen(SCREEN_OF.get(screen, screen))
        wait(queue_states_shown)

    return go


def _refuse(*args: object) -> object:
    raise HallError("the hall refused a number")
