"""The demo's visit in senior mode (长者模式), screens named `NN-senior-*.png`: the home
screen's button, the hall's most common matters, the search on large keys, priority
offered at once, one-tap help (一键求助), the route, the ticket; and home in normal mode.

SENIOR_VISIT is the script, shared with the test that checks every screen it visits
in every layout (tests/ui/test_ui_senior.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ui import texts


@dataclass(frozen=True)
class SeniorStep:
    tap: str  # the button's accessible name (its visible label)
    screen: str  # the screen it leads to (KioskWindow.current_screen_name())
    snap: str | None = None  # the screenshot's name after NN-senior-; None: none


MATTER = "居民医保缴费"  # ui.senior_matters' first: 城乡居民医保缴费 (M0702)

SENIOR_VISIT = (
    SeniorStep(texts.SENIOR_MODE.zh, "senior", "matters"),
    SeniorStep(texts.SENIOR_SEARCH.zh, "search"),
    SeniorStep("F", "search"),
    SeniorStep("P", "search", "search-fp"),
    SeniorStep(texts.BACK.zh, "senior"),
    SeniorStep(texts.SENIOR_PRIORITY.zh, "senior", "priority-chosen"),
    SeniorStep(MATTER, "route", "route"),
    SeniorStep(texts.HELP.zh, "route", "help-coming"),
    SeniorStep(texts.HELP_CLOSE.zh, "route"),
)
CONFIRM = texts.CONFIRM.zh  # then the printing screen, and the done screen


class DemoSteps(Protocol):
    """What the scripted visit (ui/demo.py) offers this script."""

    def tap(self, name: str, snap_as: str | None = None) -> None: ...

    def snap(self, name: str) -> None: ...

    def home(self, snap_as: str) -> None: ...

    def take_senior_ticket(self) -> None: ...


def play_senior_visit(demo: DemoSteps) -> None:
    for step in SENIOR_VISIT:
        demo.tap(step.tap, None if step.snap is None else f"senior-{step.snap}")
    demo.take_senior_ticket()
    demo.tap(texts.DONE.zh)
    demo.home("senior-home-normal-again")
