"""好差评 on the kiosk's screen (channel self-service terminal, 自助终端): a taxpayer
who was served scans the ticket's QR code at the kiosk and evaluates there.

The slip's QR code holds the ticket's status page (`…/t/{ticket id}`): the id is all
the kiosk needs, as the phone page (kiosk/qr_evaluation.py, the hall server's
/t/{id}/evaluation). No personal data: a ticket number and a level.

`TerminalVisit` is the screen's logic, without Qt: the five levels when no vote is
known yet; after 不满意 or 非常不满意 (from the window's keypad or this screen) the
reasons (one or more) and an optional note made of preset phrases; then thanks. One
service, one evaluation: a service evaluated already is told so, and the hall keeps
any second vote as a repeat. The visit ends after `IDLE_SECONDS` without a touch.

When the hall server cannot be reached the vote is not lost: what the kiosk can check
(the slip's id, the level, the reasons from the hall's list) it checks, then keeps the
evaluation in its outbox (`TerminalEvaluations.keep`), step RECORDED; the server decides
on delivery what only it knows (served? evaluated already?). The evaluation's id is
made here, before the first call, so the online call and a delivery from the outbox
name the same evaluation: the server keeps it once.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from kiosk.clock import Clock
from kiosk.evaluation import EvaluationLevel
from kiosk.evaluation_reasons import MAX_NOTE, ReasonList
from kiosk.evaluation_state import EvaluationState
from kiosk.sqlite import StorageError
from kiosk.text import Language, Text, text

IDLE_SECONDS = 60.0
DONE_SECONDS = 15.0  # a message (thanks, a problem) stays this long
NO_PROBLEM = Text(zh="", en="")
# The status page's address as the slip's QR code holds it (kiosk/hall/api.py).
_TICKET_URL = re.compile(r"^https?://[^\s/]+(?:/[^\s?#]*)?/t/([A-Za-z0-9_-]{1,64})/?(?:[?#]\S*)?$")
# Phrases a taxpayer may add to the note with a tap (no keyboard on a kiosk).
NOTE_PHRASES = ("phrase_explain", "phrase_wait", "phrase_again", "phrase_thanks_staff")


@dataclass(frozen=True)
class TicketCode:
    """A scanned slip: the ticket it names (the id only, no personal data)."""

    ticket_id: str


def ticket_code(scanned: str) -> TicketCode | None:
    """The ticket a scanned code names, or None when it is no slip's QR code."""
    found = _TICKET_URL.match(scanned.strip())
    return None if found is None else TicketCode(found[1])


class TerminalRefused(Exception):
    """The hall did not take it: 404 unknown ticket, 409 not served or evaluated
    already, 422 a bad reason or note; 0: the hall cannot be reached."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class TerminalEvaluations(Protocol):
    """The hall's side (kiosk/terminal_backends.py): the embedded hall's journal, or the
    hall server's /t/{id}/evaluation with the kiosk's token."""

    @property
    def reasons(self) -> ReasonList: ...

    def state(self, ticket_id: str) -> EvaluationState: ...

    def give(
        self,
        ticket_id: str,
        level: int | None,
        reasons: list[str],
        note: str,
        evaluation_id: str | None = None,
    ) -> EvaluationState: ...

    @property
    def keeps_offline(self) -> bool:
        """Whether an evaluation can be kept for later when the hall is unreachable."""
        ...

    def keep(
        self, ticket_id: str, level: int | None, reasons: list[str], note: str, evaluation_id: str
    ) -> None:
        """Keep the evaluation in the kiosk's outbox, delivered when the hall answers
        (StorageError when it cannot be written)."""
        ...

    def kept(self, ticket_id: str) -> bool:
        """Whether an evaluation of the ticket was kept here already."""
        ...


class Step(Enum):
    LEVELS = "levels"  # not evaluated yet: the five levels
    REASONS = "reasons"  # a 差评: the reasons and the note
    THANKS = "thanks"  # evaluated here: thanks
    NOTED = "noted"  # a 差评 with its content: it will be followed up
    ALREADY = "already"  # evaluated before (one service, one evaluation)
    RECORDED = "recorded"  # the hall unreachable: kept in the outbox, sent later
    PROBLEM = "problem"  # not served yet, unknown ticket, hall unreachable


def message(key: str) -> Text:
    return text(f"terminal_evaluation.{key}")


class TerminalVisit:
    """One taxpayer's evaluation at the kiosk's screen, from the scan to the thanks."""

    def __init__(self, evaluations: TerminalEvaluations, clock: Clock) -> None:
        self._evaluations = evaluations
        self._clock = clock
        self.ticket_id: str | None = None
        self.number = ""
        self.step = Step.PROBLEM
        self.problem: Text = NO_PROBLEM
        self.level: int | None = None  # picked here, not sent yet (a 差评's reasons first)
        self.chosen: list[str] = []
        self.note = ""
        self.offline = False  # the hall did not answer the scan: the kiosk checks alone
        self.evaluation_id = uuid.uuid4().hex  # the same online and from the outbox
        self._touched = clock.monotonic()

    @property
    def reasons(self) -> ReasonList:
        return self._evaluations.reasons

    def begin(self, code: TicketCode) -> Step:
        """A scanned slip: what the hall says of its evaluation decides the step."""
        self.ticket_id, self.level, self.chosen, self.note = code.ticket_id, None, [], ""
        self.number = ""
        self.evaluation_id = uuid.uuid4().hex
        self.touch()
        self.offline = False
        try:
            state = self._evaluations.state(code.ticket_id)
        except TerminalRefused as refused:
            if refused.status == 0 and self._evaluations.keeps_offline:
                self.offline = True  # the five levels; the hall decides on delivery
                kept = self._evaluations.kept(code.ticket_id)
                return self._go(Step.ALREADY if kept else Step.LEVELS)
            return self._problem(refused)
        self.number = state.number
        if not state.served:
            return self._set_problem(message("not_served"))
        if state.wants_content:
            return self._go(Step.REASONS)
        if state.level is not None:
            return self._go(Step.ALREADY)
        return self._go(Step.LEVELS)

    def pick_level(self, level: int) -> Step:
        self.touch()
        if self.step is not Step.LEVELS:
            return self.step
        if EvaluationLevel(level).is_negative:
            self.level = level
            return self._go(Step.REASONS)
        return self._send(level, [], "")

    def toggle_reason(self, code: str) -> None:
        self.touch()
        self.reasons.reason(code)  # KeyError for a code not in the list
        if code in self.chosen:
            self.chosen.remove(code)
        else:
            self.chosen.append(code)
        self.problem = NO_PROBLEM

    def add_phrase(self, key: str, language: Language) -> None:
        """A preset phrase onto the note (each once), as the taxpayer read it."""
        self.touch()
        shown = message(key).get(language)
        if shown not in self.note and len(self.note) + len(shown) + 1 <= MAX_NOTE:
            self.note = f"{self.note} {shown}".strip()

    def clear_note(self) -> None:
        self.touch()
        self.note = ""

    def send_content(self) -> Step:
        """The reasons (and the note); at least one reason is needed."""
        self.touch()
        if self.step is not Step.REASONS:
            return self.step
        if not self.chosen:
            self.problem = message("pick_one")
            return self.step
        return self._send(self.level, list(self.chosen), self.note)

    def touch(self) -> None:
        self._touched = self._clock.monotonic()

    def idle(self) -> bool:
        """True once nobody touched the screen for IDLE_SECONDS (DONE_SECONDS on a
        message): back home."""
        waited = self._clock.monotonic() - self._touched
        asking = self.step in (Step.LEVELS, Step.REASONS)
        return waited >= (IDLE_SECONDS if asking else DONE_SECONDS)

    def _send(self, level: int | None, reasons: list[str], note: str) -> Step:
        assert self.ticket_id is not None
        if self.offline:
            return self._keep(level, reasons, note)
        try:
            state = self._evaluations.give(self.ticket_id, level, reasons, note, self.evaluation_id)
        except TerminalRefused as refused:
            if refused.status == 409:
                return self._go(Step.ALREADY)  # voted meanwhile (keypad, phone)
            if refused.status == 0:
                return self._keep(level, reasons, note)
            return self._problem(refused)
        self.level = None
        negative = state.level is not None and state.level >= EvaluationLevel.DISSATISFIED
        return self._go(Step.NOTED if negative else Step.THANKS)

    def _keep(self, level: int | None, reasons: list[str], note: str) -> Step:
        """The hall cannot be reached: checked here, kept in the outbox."""
        assert self.ticket_id is not None
        if not self._evaluations.keeps_offline:
            self.problem = message("unreachable")  # the same step: try again
            return self.step
        negative = level is None or EvaluationLevel(level).is_negative
        try:  # what the hall would refuse, refused here (the reasons: the hall's list)
            if negative:
                self.reasons.checked(reasons, note)
            elif reasons or note.strip():
                raise ValueError("reasons: only a 差评 has reasons")
        except ValueError:
            self.problem = message("refused")
            return self.step
        try:
            self._evaluations.keep(self.ticket_id, level, reasons, note, self.evaluation_id)
        except StorageError:
            self.problem = message("unreachable")
            return self.step
        self.level = None
        return self._go(Step.RECORDED)

    def _problem(self, refused: TerminalRefused) -> Step:
        key = {404: "unknown_ticket", 0: "unreachable"}.get(refused.status, "refused")
        return self._set_problem(message(key))

    def _set_problem(self, problem: Text) -> Step:
        self.problem = problem
        self.step = Step.PROBLEM
        return self.step

    def _go(self, step: Step) -> Step:
        self.step = step
        self.problem = NO_PROBLEM
        return step
