"""Every screen `make demo` visits fits each kiosk layout in normal mode (issue 18):
portrait 1080 x 1920, landscape 1920 x 1080 and 1280 x 1024, in Chinese and English.

Fits: every visible button inside the window (no scrolling to reach an action), no
label elided or cut off, no text under 28 px (tests/helpers/screen_fit.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot
from uitest_support import LANDSCAPE, PORTRAIT, WORKER_TIMEOUT_MS

from kiosk.clock import FakeClock
from kiosk.hall.base import HallEvent, HallEventKind
from tests.helpers.screen_fit import assert_screen_fits
from ui import texts
from ui.automation import settle, tap
from ui.calling import MAX_CALLS
from ui.main_window import KioskWindow

Reach = Callable[[str], None]
NORMAL_MIN_PX = 28
SQUARE = (1280, 1024)
LAYOUTS = {"portrait": PORTRAIT, "landscape": LANDSCAPE, "square": SQUARE}

# The screens of the demo's visits (ui/demo.py) that the `reach` fixture brings up as a
# taxpayer would; the others are reached below.
REACHED = (
    "home",
    "category",
    "matter",
    "route",
    "offer",
    "printing",
    "done",
    "eticket",
    "identify",
    "code_entry",
    "for_you",
    "search",
)
OTHERS = ("guide_printed", "route_comprehensive", "still_there", "idle")


def _bring(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock, qtbot: QtBot, screen: str
) -> None:
    if screen in REACHED:
        reach(screen)
    elif screen == "guide_printed":
        reach("offer")
        tap(window, texts.PRINT_GUIDE.zh)
        qtbot.waitUntil(
            lambda: window.route.guide_status.text() == texts.GUIDE_PRINTED.zh,
            timeout=WORKER_TIMEOUT_MS,
        )
    elif screen == "route_comprehensive":
        for name in (texts.TAKE_NUMBER.zh, "税务登记", "变更税务登记"):
            tap(window, name)
        assert window.current_screen_name() == "route"
    elif screen == "still_there":
        reach("matter")
        fake_clock.advance(window.kiosk.settings.ui.inactivity_seconds + 1)
        window.check_idle()
        assert window.idle_overlay_shown()
    elif screen == "idle":
        reach("home")
        fake_clock.advance(window.idle_screen.announcements.show_after_seconds + 1)
        window.check_idle()
        assert window.idle_screen_shown()
        assert window.idle_screen.current() is not None


def _show_calls(window: KioskWindow, fake_clock: FakeClock) -> None:
    for window_number in range(1, MAX_CALLS + 1):
        called = HallEvent(
            HallEventKind.CALLED,
            fake_clock.now(),
            window=window_number,
            number=f"A00{window_number}",
        )
        window.calling_line.show_event(called)
    assert len(window.calling_line.calls()) == MAX_CALLS


CASES = [(screen, layout) for screen in (*REACHED, *OTHERS) for layout in LAYOUTS]


@pytest.mark.parametrize(("screen", "layout"), CASES)
def test_every_demo_screen_fits_every_layout(
    window: KioskWindow,
    reach: Reach,
    fake_clock: FakeClock,
    qtbot: QtBot,
    screen: str,
    layout: str,
) -> None:
    size = LAYOUTS[layout]
    window.resize(*size)
    _show_calls(window, fake_clock)  # the calling line at its tallest, under every screen
    settle()
    _bring(window, reach, fake_clock, qtbot, screen)
    for language in ("en", "zh"):  # English is longer; Chinese is the default
        if screen == "idle":
            # The idle screen turns to the other language by itself, on its clock.
            fake_clock.advance(window.idle_screen.announcements.rotate_seconds)
            window.check_idle()
        else:
            window.set_language(language)
        settle()
        assert (window.width(), window.height()) == size  # nothing forced the window larger
        # The idle screen covers the page: what it covers is not seen.
        assert_screen_fits(window.idle_screen if screen == "idle" else window, NORMAL_MIN_PX)


def test_on_1280_by_1024_the_categories_are_a_tap_beside_the_matters_for_you(
    window: KioskWindow, reach: Reach
) -> None:
    window.resize(*SQUARE)
    settle()
    reach("for_you")
    screen = window.category
    assert screen.for_you.isVisible()
    assert not any(tile.isVisible() for tile in screen.tiles)
    assert_screen_fits(window, NORMAL_MIN_PX)
    tap(window, texts.ALL_CATEGORIES.zh)
    settle()
    assert not screen.for_you.isVisible()
    assert all(tile.isVisible() for tile in screen.tiles)
    assert_screen_fits(window, NORMAL_MIN_PX)


def test_landscape_shows_the_matters_for_you_and_every_category_at_once(
    window: KioskWindow, reach: Reach
) -> None:
    window.resize(*LANDSCAPE)
    settle()
    reach("for_you")
    screen = window.category
    assert screen.for_you.isVisible()
    assert all(tile.isVisible() for tile in screen.tiles)
    assert not screen.all_button.isVisible()
