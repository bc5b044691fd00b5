"""好差评 on the kiosk's screen (channel self-service terminal): a served taxpayer
scans the ticket's slip at the kiosk, rates the service, and after 不满意 or 非常不满意
picks the reasons and may add preset phrases as a note. The logic is
kiosk/terminal_evaluation.py; the hall is asked on a worker thread, so a slow hall
server never freezes the screen.

`TerminalEvaluation` is the window's hook: it takes the scanner's results first (a
slip at home opens this screen; everything else goes on to the visit) and returns
home when the taxpayer is done or has left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.evaluation import EvaluationLevel
from kiosk.identity import unknown_code
from kiosk.terminal_backends import terminal_evaluations
from kiosk.terminal_evaluation import (
    NOTE_PHRASES,
    Step,
    TerminalEvaluations,
    TerminalVisit,
    TicketCode,
    message,
)
from kiosk.text import Text
from kiosk.visit import Step as VisitStep
from ui.screens.base import Screen
from ui.widgets import (
    TextLabel,
    TouchButton,
    finger_scroll_area,
    retranslate_tree,
    set_style_property,
)

if TYPE_CHECKING:
    from ui.main_window import KioskWindow

log = logging.getLogger(__name__)

CENTER = Qt.AlignmentFlag.AlignHCenter
CHECK_MS = 500
MESSAGE_STEPS = {
    Step.THANKS: "thanks",
    Step.NOTED: "noted",
    Step.ALREADY: "already",
    Step.RECORDED: "recorded",  # the hall unreachable: kept in the outbox, sent later
}


class EvaluateScreen(Screen):
    name = "evaluate"

    level_chosen = Signal(int)
    reason_toggled = Signal(str)
    phrase_added = Signal(str)
    note_cleared = Signal()
    send = Signal()
    leave = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = TextLabel(message("title"), "title", align=CENTER)
        self.number = TextLabel("", "subtitle", align=CENTER)
        self.problem = TextLabel("", "notice", align=CENTER)
        self.pages = QStackedWidget()
        for widget in (self.title, self.number, self.problem):
            self.page.addWidget(widget)
        self.page.addWidget(self.pages, 1)
        self.levels = self._levels_page()
        self.reasons_page, self.reasons_grid, self.note = self._reasons_page()
        self.message = TextLabel("", "title", align=CENTER)
        self.pages.addWidget(self.message)
        self.reason_buttons: dict[str, TouchButton] = {}
        self.home_button = TouchButton(message("home"))
        self.home_button.clicked.connect(self.leave)
        self.button_row().addWidget(self.home_button)

    def _levels_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setSpacing(24)
        column.addWidget(TextLabel(message("ask"), "subtitle", align=CENTER))
        for level in EvaluationLevel:  # all alike: the screen leans towards no level
            button = TouchButton(level.label)
            button.setObjectName(f"level-{int(level)}")
            button.clicked.connect(
                lambda _=False, chosen=int(level): self.level_chosen.emit(chosen)
            )
            column.addWidget(button)
        column.addStretch(1)
        self.pages.addWidget(page)
        return page

    def _reasons_page(self) -> tuple[QWidget, QGridLayout, TextLabel]:
        content = QWidget()
        layout = QGridLayout(content)
        layout.setSpacing(20)
        layout.addWidget(TextLabel(message("reasons"), "subtitle"), 0, 0, 1, 2)
        reasons = QGridLayout()
        reasons.setSpacing(16)
        layout.addLayout(reasons, 1, 0, 1, 2)
        layout.addWidget(TextLabel(message("note_title"), "subtitle"), 2, 0, 1, 2)
        for index, key in enumerate(NOTE_PHRASES):
            phrase = TouchButton(message(key))
            phrase.clicked.connect(lambda _=False, chosen=key: self.phrase_added.emit(chosen))
            layout.addWidget(phrase, 3 + index // 2, index % 2)
        row = 3 + (len(NOTE_PHRASES) + 1) // 2
        note = TextLabel(message("note_empty"))
        layout.addWidget(note, row, 0, 1, 2)
        clear = TouchButton(message("clear_note"))
        clear.clicked.connect(self.note_cleared)
        layout.addWidget(clear, row + 1, 0)
        send = TouchButton(message("send"), "primary")
        send.setObjectName("send")
        send.clicked.connect(self.send)
        layout.addWidget(send, row + 1, 1)
        page = finger_scroll_area(content)
        self.pages.addWidget(page)
        return page, reasons, note

    def show_visit(self, visit: TerminalVisit, busy: Text | None) -> None:
        """The visit's step as it is now; `busy`: the hall is being asked."""
        number = message("number").format(number=visit.number) if visit.number else ""
        self.number.set_text(number)
        self.problem.set_text(busy or visit.problem)
        self.problem.setVisible(bool(busy) or bool(visit.problem.zh))
        if busy is not None and visit.step not in (Step.LEVELS, Step.REASONS):
            self.message.set_text("")
            self.pages.setCurrentWidget(self.message)
        elif visit.step is Step.LEVELS:
            self.pages.setCurrentWidget(self.levels)
        elif visit.step is Step.REASONS:
            self._show_reasons(visit)
            self.pages.setCurrentWidget(self.reasons_page)
        else:
            key = MESSAGE_STEPS.get(visit.step)
            self.message.set_text(visit.problem if key is None else message(key))
            if key is None:
                self.problem.setVisible(False)
            self.pages.setCurrentWidget(self.message)
        self.pages.setEnabled(busy is None)

    def _show_reasons(self, visit: TerminalVisit) -> None:
        if list(self.reason_buttons) != [reason.code for reason in visit.reasons.reasons]:
            for button in self.reason_buttons.values():
                button.deleteLater()
            self.reason_buttons = {}
            for index, reason in enumerate(visit.reasons.reasons):
                button = TouchButton(reason.name)
                button.setObjectName(f"reason-{reason.code}")
                button.setCheckable(True)
                button.clicked.connect(
                    lambda _=False, code=reason.code: self.reason_toggled.emit(code)
                )
                self.reasons_grid.addWidget(button, index // 2, index % 2)
                self.reason_buttons[reason.code] = button
        for code, button in self.reason_buttons.items():
            button.setChecked(code in visit.chosen)
            set_style_property(button, "kind", "primary" if code in visit.chosen else "secondary")
        self.note.set_text(visit.note or message("note_empty"))


class TerminalEvaluation(QObject):
    """The window's hook: slips scanned at home open the evaluation screen."""

    answered = Signal(object)  # from the worker thread: the call's exception or None

    def __init__(self, window: KioskWindow) -> None:
        super().__init__(window)
        self._window = window
        self.evaluations: TerminalEvaluations | None = terminal_evaluations(window.kiosk)
        self.visit: TerminalVisit | None = None
        self.screen = EvaluateScreen()
        self._busy: Text | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evaluation")
        self.answered.connect(self._on_answered)
        screen = self.screen
        screen.level_chosen.connect(
            lambda level: self._ask("sending", lambda v: v.pick_level(level))
        )
        screen.reason_toggled.connect(lambda code: self._local(lambda v: v.toggle_reason(code)))
        screen.phrase_added.connect(
            lambda key: self._local(lambda v: v.add_phrase(key, window.visit.language))
        )
        screen.note_cleared.connect(lambda: self._local(lambda v: v.clear_note()))
        screen.send.connect(lambda: self._ask("sending", lambda v: v.send_content()))
        screen.leave.connect(self.leave)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self._check_idle)
        self._timer.start()

    def route_scan(self, result: object) -> None:
        """The scanner's result: a slip at home is an evaluation; the rest is the visit's."""
        machine = self._window.visit_machine
        if not isinstance(result, TicketCode):
            machine.code_scanned(result)
            return
        if self.evaluations is None:  # no evaluations kept here: as any unknown code
            machine.code_scanned(unknown_code())
            return
        if machine.step is not VisitStep.HOME or self._busy is not None:
            return  # a slip elsewhere is ignored, as other scans are
        self.visit = TerminalVisit(self.evaluations, self._window.kiosk.clock)
        code = result
        self._window.stack.setCurrentWidget(self.screen)
        self._ask("checking", lambda v: v.begin(code))

    def showing(self) -> bool:
        return self._window.stack.currentWidget() is self.screen

    def leave(self) -> None:
        if self.showing():
            self.visit = None
            self._window.finish_visit()

    def shutdown(self) -> None:
        self._timer.stop()
        self._worker.shutdown(wait=True)

    def _local(self, change: Callable[[TerminalVisit], object]) -> None:
        if self.visit is not None and self._busy is None:
            change(self.visit)
            self._render()

    def _ask(self, busy: str, call: Callable[[TerminalVisit], object]) -> None:
        visit = self.visit
        if visit is None or self._busy is not None:
            return
        self._busy = message(busy)
        self._render()

        def work() -> None:
            try:
                call(visit)
            except Exception as error:  # shown as a calm line, never a frozen screen
                log.exception("the kiosk screen's evaluation failed")
                self.answered.emit(error)
                return
            self.answered.emit(None)

        self._worker.submit(work)

    def _on_answered(self, error: object) -> None:
        self._busy = None
        if error is not None and self.visit is not None:
            self.visit.problem = message("unreachable")
        self._render()

    def _render(self) -> None:
        if self.visit is None:
            return
        self.screen.show_visit(self.visit, self._busy)
        retranslate_tree(self.screen, self._window.visit.language)

    def _check_idle(self) -> None:
        visit = self.visit
        if visit is not None and self._busy is None and self.showing() and visit.idle():
            self.leave()
