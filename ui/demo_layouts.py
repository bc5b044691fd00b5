"""`kiosk demo`'s other layouts and the idle screen (issue 18).

After the portrait visits, ui/demo.py plays here: the idle screen with an announcement,
then the same kinds of visit in landscape 1920 x 1080 (`NN-landscape-*.png`) and on a
1280 x 1024 panel (`NN-square-*.png`), through the real widgets, and back to portrait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui import texts
from ui.automation import AutomationError

if TYPE_CHECKING:
    from ui.demo import ScriptedVisit

LAYOUTS = {"landscape": (1920, 1080), "square": (1280, 1024)}


def play_layouts(visit: ScriptedVisit) -> None:
    """The idle screen in portrait, then a visit in each other layout."""
    show_idle_screen(visit, "idle-announcement")
    portrait = (visit.window.width(), visit.window.height())
    for name, size in LAYOUTS.items():
        visit.window.resize(*size)
        play_visit(visit, name)
    visit.window.resize(*portrait)
    visit.home("home-portrait-again")


def show_idle_screen(visit: ScriptedVisit, snap_as: str) -> None:
    """Home left untouched: the idle screen comes, with the day's first announcement,
    then turns to the same announcement in English; a touch ends it."""
    window, clock = visit.window, visit.clock
    visit.wait(lambda: window.current_screen_name() == "home", "the home screen")
    idle = window.idle_screen
    clock.advance(idle.announcements.show_after_seconds + 1)
    window.check_idle()
    visit.wait(window.idle_screen_shown, "the idle screen")
    if idle.current() is None:
        raise AutomationError("the idle screen shows no announcement (config/announcements.toml)")
    visit.snap(snap_as)
    clock.advance(idle.announcements.rotate_seconds)
    window.check_idle()
    visit.snap(f"{snap_as}-english")
    visit.tap_at_idle_screen()
    visit.wait(lambda: not window.idle_screen_shown(), "the idle screen to go")


def play_visit(visit: ScriptedVisit, layout: str) -> None:
    """A green-channel ticket, the self-service offer with its guide slip, a general
    matter's route, identification, the search and the idle screen, in `layout`."""

    def snap(name: str) -> None:
        visit.snap(f"{layout}-{name}")

    visit.home(f"{layout}-home")
    visit.tap(texts.TAKE_NUMBER.zh, f"{layout}-category")
    visit.tap("发票办理", f"{layout}-matter")
    visit.tap("发票代开", f"{layout}-route-green")
    visit.tap(texts.CONFIRM.zh)
    visit.wait(lambda: visit.window.current_screen_name() == "done", "the ticket")
    visit.printed_slips += 1
    snap("done")
    visit.tap(texts.DONE.zh)

    visit.home(f"{layout}-home-again")
    visit.tap(texts.LANGUAGE_NAMES["en"])
    visit.tap(texts.TAKE_NUMBER.en, f"{layout}-category-english")
    visit.tap("Returns and payment")
    visit.tap("VAT return", f"{layout}-self-service-offer")
    visit.tap(texts.PRINT_GUIDE.en)
    visit.wait(
        lambda: visit.window.route.guide_status.text() == texts.GUIDE_PRINTED.en, "the guide slip"
    )
    visit.printed_slips += 1
    snap("guide-slip-printed")
    visit.tap(texts.DONE.en)

    visit.home(f"{layout}-home-after-english")
    visit.tap(texts.LANGUAGE_NAMES["zh"])  # 完成 after the guide slip keeps the language
    visit.tap(texts.TAKE_NUMBER.zh)
    visit.tap("税务登记")
    visit.tap("变更税务登记", f"{layout}-route-comprehensive")
    visit.tap(texts.HOME.zh)

    visit.tap(texts.IDENTIFY.zh, f"{layout}-identify")
    visit.tap(texts.TYPE_CREDIT_CODE.zh)
    for key in "91110105MA":
        visit.tap(key)
    snap("keypad")
    visit.tap(texts.BACK.zh)
    cards = visit.kiosk.card_emulator
    if cards is not None:
        cards.insert("long_term")
        visit.wait(
            lambda: visit.window.current_screen_name() == "category", "the taxpayer's profile"
        )
        cards.remove()
        snap("identified-for-you")
    visit.tap(texts.HOME.zh)

    visit.tap(texts.TAKE_NUMBER.zh)
    visit.tap(texts.SEARCH.zh)
    for key in "FP":
        visit.tap(key)
    snap("search-fp")
    visit.tap(texts.HOME.zh)
    show_idle_screen(visit, f"{layout}-idle")
