"""Inactivity: the countdown overlay, going home, forgetting the visit; done's own timer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from kiosk.clock import FakeClock
from kiosk.visit import IdlePhase
from ui.automation import tap, visible_texts
from ui.main_window import KioskWindow

Reach = Callable[[str], None]


def test_countdown_overlay_continue_and_expiry(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock
) -> None:
    ui = window.kiosk.settings.ui
    reach("route")
    tap(window, "English")
    window.check_idle()
    assert not window.idle_overlay_shown()

    fake_clock.advance(ui.inactivity_seconds + 1)
    window.check_idle()
    assert window.idle_overlay_shown()
    seconds_left = int(ui.countdown_seconds) - 1
    assert window.overlay.seconds_left == seconds_left
    assert "Are you still there?" in visible_texts(window)
    assert f"Returning to the start in {seconds_left} s" in visible_texts(window)

    fake_clock.advance(5)
    window.check_idle()
    assert window.overlay.seconds_left == seconds_left - 5

    tap(window, "Continue")
    window.check_idle()
    assert not window.idle_overlay_shown()
    assert window.current_screen_name() == "route"
    assert window.visit.language == "en"
    assert window.visit.matters

    fake_clock.advance(ui.inactivity_seconds + ui.countdown_seconds + 1)
    window.check_idle()
    assert window.current_screen_name() == "home"
    assert not window.idle_overlay_shown()
    assert window.visit.matters == []
    assert window.visit.route is None
    assert window.visit.category_code is None
    assert window.visit.language == "zh"
    assert "取号" in visible_texts(window)


def test_no_countdown_on_home_but_the_language_returns_to_default(
    window: KioskWindow, fake_clock: FakeClock
) -> None:
    ui = window.kiosk.settings.ui
    tap(window, "English")
    fake_clock.advance(ui.inactivity_seconds + 1)
    window.check_idle()
    assert not window.idle_overlay_shown()
    assert window.visit.language == "en"
    fake_clock.advance(ui.countdown_seconds)
    window.check_idle()
    assert window.visit.language == "zh"
    assert "取号" in visible_texts(window)


def test_any_touch_counts_as_activity(window: KioskWindow, fake_clock: FakeClock) -> None:
    fake_clock.advance(30)
    assert window.visit_machine.idle.idle_for() == 30
    QTest.mouseClick(window.home.hall_name, Qt.MouseButton.LeftButton)  # not a button
    assert window.visit_machine.idle.idle_for() == 0
    fake_clock.advance(30)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert window.visit_machine.idle.idle_for() == 0
    assert window.visit_machine.idle.phase() is IdlePhase.ACTIVE


def test_done_returns_home_by_itself(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock
) -> None:
    reach("done")
    tap(window, "English")
    done_seconds = window.kiosk.settings.ui.done_seconds
    fake_clock.advance(done_seconds - 1)
    window.check_idle()
    assert window.current_screen_name() == "done"
    assert not window.idle_overlay_shown()
    fake_clock.advance(1)
    window.check_idle()
    assert window.current_screen_name() == "home"
    assert window.visit.language == "zh"


def test_the_timer_checks_idleness_on_its_own(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock, qtbot: QtBot
) -> None:
    reach("matter")
    fake_clock.advance(window.kiosk.settings.ui.inactivity_seconds + 1)
    assert window.idle_check_timer.isActive()
    qtbot.waitUntil(window.idle_overlay_shown, timeout=2000)
    assert window.current_screen_name() == "matter"
