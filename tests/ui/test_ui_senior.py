"""Senior mode (长者模式), one-tap help (一键求助) and accessibility on the kiosk's screens.

Every screen the senior demo visits (ui/demo_senior.py) is checked in the three layouts,
portrait 1080x1920, landscape 1920x1080 and 1280x1024, with the shared checker
(tests/helpers/screen_fit.py): every visible button inside the window, no label elided,
no text under 42 px. Also: accessible names equal visible labels, the focus order
follows the reading order, contrast of 7:1 from the theme's colours, each screen read
aloud in the hall's language (observed through the speaker's command, not as audio),
senior mode from the ID card's age and back to normal at the visit's end, and a help
request from the screen to the embedded hall's calling display.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import httpx
import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from uitest_support import LANDSCAPE, PORTRAIT, WORKER_TIMEOUT_MS

from kiosk.app import Kiosk
from kiosk.hall.local import LocalHall
from kiosk.taxpayer import Identity, IdentityKind
from kiosk.text import Language
from kiosk.triage import ALWAYS_OPEN
from tests.helpers.screen_fit import assert_screen_fits
from ui import texts
from ui.automation import settle, tap, visible_buttons
from ui.calling import Speaker
from ui.demo_senior import CONFIRM, SENIOR_VISIT
from ui.main_window import KioskWindow
from ui.screens.senior import SeniorMatterButton
from ui.senior import (
    NORMAL_MIN_PX,
    SENIOR_MIN_PX,
    SENIOR_STYLESHEET,
    SENIOR_TEXT_COLOURS,
    contrast_ratio,
    reading_order,
)
from ui.theme import BUTTON_PX, SMALL_PX, STYLESHEET

OLD_KIOSK = (1280, 1024)
LAYOUTS = {"portrait": PORTRAIT, "landscape": LANDSCAPE, "1280x1024": OLD_KIOSK}
pytestmark = pytest.mark.settings(routing=ALWAYS_OPEN)


def check_screen(window: KioskWindow, min_text_px: int) -> None:
    """The screen as shown: it fits, its buttons say what they are, focus reads in order."""
    settle()
    assert_screen_fits(window, min_text_px)
    for button in visible_buttons(window):
        assert button.accessibleName() == button.text(), button.text()
        if isinstance(button, SeniorMatterButton):  # it wraps its own name
            assert button.fits(), f"{button.text()!r} does not fit its button"
    focusable = [b for b in visible_buttons(window) if isinstance(b, QPushButton)]
    ordered = reading_order(focusable, window)
    chain: list[QWidget] = []
    widget = ordered[0].nextInFocusChain()
    while widget is not ordered[0] and len(chain) < 2000:
        if widget in focusable:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    names = [b.text() for b in [ordered[0], *chain]]
    assert names == [b.text() for b in ordered], "the focus order is not the reading order"


def walk_senior_visit(qtbot: QtBot, window: KioskWindow) -> list[str]:
    """The senior demo's visit, each screen checked; returns the screens seen."""
    seen = []
    for step in SENIOR_VISIT:
        tap(window, step.tap)
        assert window.current_screen_name() == step.screen
        assert window.senior_mode.on
        check_screen(window, SENIOR_MIN_PX)
        seen.append(step.screen)
    tap(window, CONFIRM)
    if window.current_screen_name() == "printing":  # while the emulator takes the ticket
        check_screen(window, SENIOR_MIN_PX)
    qtbot.waitUntil(lambda: window.current_screen_name() == "done", timeout=WORKER_TIMEOUT_MS)
    check_screen(window, SENIOR_MIN_PX)
    window.stack.setCurrentWidget(window.printing)  # the printing screen, however quick
    check_screen(window, SENIOR_MIN_PX)
    window.stack.setCurrentWidget(window.done)
    return [*seen, "printing", "done"]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_screen_of_the_senior_visit_fits_each_layout_in_large_type(
    qtbot: QtBot, window: KioskWindow, layout: str
) -> None:
    window.resize(*LAYOUTS[layout])
    settle()
    seen = walk_senior_visit(qtbot, window)
    assert {"senior", "search", "route", "printing", "done"} <= set(seen)
    assert window.help_notice.isHidden()
    tap(window, texts.DONE.zh)
    qtbot.waitUntil(lambda: window.current_screen_name() == "home", timeout=WORKER_TIMEOUT_MS)
    assert not window.senior_mode.on  # the visit's end returns to normal mode
    assert window.styleSheet() == ""


def test_the_help_notice_fits_each_layout_in_either_mode(qtbot: QtBot, window: KioskWindow) -> None:
    for senior in (False, True):
        if senior:
            tap(window, texts.SENIOR_MODE.zh)
        tap(window, texts.HELP.zh)
        for size in LAYOUTS.values():
            window.resize(*size)
            settle()
            assert window.help_notice.isVisible()
            assert window.help_notice.geometry() == window.centralWidget().rect()
            # The notice itself, over whatever screen (home's own fit is not its business).
            assert_screen_fits(window.help_notice, SENIOR_MIN_PX if senior else NORMAL_MIN_PX)
        tap(window, texts.HELP_CLOSE.zh)
        assert window.help_notice.isHidden()


def test_senior_type_is_at_least_one_and_a_half_times_normal() -> None:
    assert SENIOR_MIN_PX >= 1.5 * NORMAL_MIN_PX
    assert NORMAL_MIN_PX == SMALL_PX
    sizes = [int(part.split("px")[0]) for part in SENIOR_STYLESHEET.split("font-size: ")[1:]]
    assert min(sizes) >= SENIOR_MIN_PX
    assert max(sizes) >= 1.5 * BUTTON_PX


def test_senior_text_contrast_is_at_least_7_to_1() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    for ink, background in SENIOR_TEXT_COLOURS:
        assert contrast_ratio(ink, background) >= 7.0, (ink, background)
    for ink in {ink for ink, _ in SENIOR_TEXT_COLOURS}:  # each pair is one the sheets use
        assert f"color: {ink}" in SENIOR_STYLESHEET + STYLESHEET


def test_normal_mode_keeps_names_focus_order_and_28_px(window: KioskWindow) -> None:
    check_screen(window, NORMAL_MIN_PX)
    tap(window, texts.TAKE_NUMBER.zh)
    check_screen(window, NORMAL_MIN_PX)
    assert not window.senior_mode.on


@pytest.mark.parametrize("hall_language", ["zh", "en"])
def test_senior_mode_reads_each_screen_aloud_in_the_halls_language(
    qtbot: QtBot, window: KioskWindow, tmp_path: Path, hall_language: Language
) -> None:
    spoken = tmp_path / "spoken.txt"
    script = "import sys; open(sys.argv[1], 'a', encoding='utf-8').write(sys.argv[2] + '\\n')"

    def fake_engine(text: str, lang: Language) -> list[str]:
        return [sys.executable, "-c", script, str(spoken), f"{lang}:{text}"]

    reader = window.senior_mode.reader
    reader.speaker = Speaker(fake_engine)
    reader.language = hall_language
    visitor = "en" if hall_language == "zh" else "zh"
    tap(window, texts.LANGUAGE_NAMES[visitor])  # the visitor reads the other language
    tap(window, texts.SENIOR_MODE.get(visitor))
    tap(window, "居民医保缴费" if visitor == "zh" else "Resident medical insurance")
    qtbot.waitUntil(lambda: reader.speaker.spoken == 2, timeout=WORKER_TIMEOUT_MS)
    lines = spoken.read_text(encoding="utf-8").splitlines()
    assert [line.split(":", 1)[0] for line in lines] == [hall_language, hall_language]
    assert texts.SENIOR_TITLE.get(hall_language) in lines[0]
    assert texts.SENIOR_PRIORITY.get(hall_language) in lines[0]  # priority offered at once
    assert texts.GO_TO.get(hall_language) in lines[1]  # the route: where to go
    assert texts.CONFIRM.get(hall_language) in lines[1]
    reader.speaker.stop()


def test_normal_mode_reads_nothing_aloud(window: KioskWindow) -> None:
    tap(window, texts.TAKE_NUMBER.zh)
    assert window.senior_mode.reader.spoken == []


def test_a_visitor_of_70_gets_senior_mode_from_the_id_card(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    today = demo_kiosk.clock.now().date()
    born = date(today.year - 75, 3, 1)
    elder = Identity(IdentityKind.ID_CARD, "key-never-shown", "3101**********1234", born)
    tap(window, texts.IDENTIFY.zh)
    window.visit_machine.card_read(elder)
    qtbot.waitUntil(lambda: window.current_screen_name() == "senior", timeout=WORKER_TIMEOUT_MS)
    assert window.senior_mode.on
    assert window.styleSheet() == SENIOR_STYLESHEET
    check_screen(window, SENIOR_MIN_PX)
    window.finish_visit()
    assert not window.senior_mode.on
    assert window.visit.identity is None


@pytest.mark.settings(screens={"serve": "127.0.0.1:0"})
def test_one_tap_help_reaches_the_embedded_halls_calling_display(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    screens, hall = demo_kiosk.screens, demo_kiosk.hall
    assert screens is not None
    assert isinstance(hall, LocalHall)
    screens.serve(demo_kiosk.journal)
    tap(window, texts.TAKE_NUMBER.zh)
    tap(window, texts.HELP.zh)
    assert window.help_notice.isVisible()
    assert texts.HELP_COMING.zh in window.help_notice.message.text()
    qtbot.waitUntil(lambda: bool(hall.open_help()), timeout=WORKER_TIMEOUT_MS)
    state = httpx.get(f"{screens.url}/display/state", timeout=WORKER_TIMEOUT_MS / 1000).json()
    assert [line["zh"] for line in state["help"]] == ["自助机 K01 请求导税帮助"]
    journalled = demo_kiosk.journal.find_event("help.requested")
    assert journalled is not None
    assert set(journalled.payload) == {"kiosk", "step"}  # nothing about the visitor
    assert journalled.payload["step"] == "category"


@pytest.mark.settings(ui={"senior_read_aloud": False})
def test_a_hall_may_keep_senior_mode_silent(window: KioskWindow) -> None:
    assert not window.senior_mode.reader.speaker.available
    tap(window, texts.SENIOR_MODE.zh)
    assert window.senior_mode.on
    assert window.senior_mode.reader.spoken  # what it would say is still made


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_senior_screen_in_english_wraps_long_names_and_shows_only_whole_rows(
    window: KioskWindow, layout: str
) -> None:
    window.resize(*LAYOUTS[layout])
    tap(window, "English")
    tap(window, texts.SENIOR_MODE.en)
    check_screen(window, SENIOR_MIN_PX)
    shown = [b.text() for b in window.senior.matter_buttons if b.isVisible()]
    assert len(shown) >= 4
    assert shown == window.senior.matter_names()[: len(shown)]  # the most common first
    assert any(" " in name and len(name) > 24 for name in shown)  # a long name, wrapped


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_categories_a_tap_from_the_senior_screen_fit_each_layout_in_large_type(
    window: KioskWindow, layout: str
) -> None:
    window.resize(*LAYOUTS[layout])
    settle()
    tap(window, texts.SENIOR_MODE.zh)
    tap(window, texts.SENIOR_MORE.zh)
    assert window.current_screen_name() == "category"
    assert all(tile.isVisible() for tile in window.category.tiles)
    check_screen(window, SENIOR_MIN_PX)  # every tile inside the window, none cut
