"""Identification (实名办税): an ID card on the reader, a scanned code, or a typed code.

The identify screen waits for the card reader and the scanner and offers the
code pad; the code entry screen types a credit code or an appointment code; the
"For you" section greets an identified taxpayer on the category screen with
their pending and frequent matters. None of them shows an ID number whole: an
`Identity` is only ever shown by its `masked` form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk import identity as core
from kiosk.catalog import Matter
from kiosk.taxpayer import CreditLevel, Identity, IdentityKind, TaxpayerProfile
from kiosk.text import Text
from ui import texts, theme
from ui.code_pad import CREDIT_CODE_GROUPS, CodeFormat, CodePad
from ui.screens.base import Screen
from ui.tiles import Badge, MatterRow
from ui.widgets import TextLabel, TouchButton, discard, finger_scroll_area

MAX_RECOMMENDED = 6
BADGE_REMINDER_STYLE = (theme.AMBER_INK, theme.AMBER_PALE)
BADGE_FREQUENT_STYLE = (theme.BLUE_DARK, theme.BLUE_PALE)


APPOINTMENT_CODE_KEYS = "0123456789" + "".join(sorted(set(core.APPOINTMENT_PREFIX)))


def appointment_code_problem(typed: str) -> Text | None:
    """What is wrong with an appointment code as typed; None while it can still be right."""
    prefix = core.APPOINTMENT_PREFIX
    head, tail = typed[: len(prefix)], typed[len(prefix) :]
    if not prefix.startswith(head):
        return texts.fill(texts.APPOINTMENT_CODE_PREFIX_PROBLEM, prefix=prefix)
    if not (tail.isascii() and tail.isdigit()) and tail:
        return texts.fill(texts.APPOINTMENT_CODE_DIGIT_PROBLEM, prefix=prefix)
    return None


def _is_appointment_code(code: str) -> bool:
    found = core.classify_code(code)
    return isinstance(found, Identity) and found.kind is IdentityKind.APPOINTMENT_CODE


def credit_code_format() -> CodeFormat:
    return CodeFormat(
        keys=core.CREDIT_CODE_CHARS,
        min_length=core.CREDIT_CODE_LENGTH,
        max_length=core.CREDIT_CODE_LENGTH,
        hint=texts.CREDIT_CODE_HINT,
        groups=CREDIT_CODE_GROUPS,
        problem=core.credit_code_problem,
        complete=core.is_valid_credit_code,
    )


def appointment_code_format() -> CodeFormat:
    length = len(core.APPOINTMENT_PREFIX) + core.APPOINTMENT_DIGITS
    return CodeFormat(
        keys=APPOINTMENT_CODE_KEYS,
        min_length=length,
        max_length=length,
        hint=texts.fill(
            texts.APPOINTMENT_CODE_HINT,
            prefix=core.APPOINTMENT_PREFIX,
            digits=core.APPOINTMENT_DIGITS,
        ),
        groups=(len(core.APPOINTMENT_PREFIX), 4, 4),
        problem=appointment_code_problem,
        complete=_is_appointment_code,
    )


def greeting(identity: Identity) -> Text:
    """Hello, with the name as the reader masks it and the masked number: never the key."""
    if identity.display_name:
        return texts.fill(texts.GREETING, name=identity.display_name, masked=identity.masked)
    if identity.kind is IdentityKind.APPOINTMENT_CODE:  # a booking, not a verified person
        return texts.fill(texts.GREETING_APPOINTMENT, masked=identity.masked)
    return texts.fill(texts.GREETING_NO_NAME, masked=identity.masked)


def credit_line(profile: TaxpayerProfile) -> Text | None:
    """Only an A level is said on screen (it earns priority); other levels are nobody
    else's business at a public kiosk."""
    return texts.CREDIT_A if profile.credit_level is CreditLevel.A else None


class IdentifyScreen(Screen):
    """Waits for a card or a scan; offers the code pad, and a skip where the hall allows."""

    name = "identify"

    type_credit_code = Signal()
    type_appointment_code = Signal()
    skip = Signal()
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        center = Qt.AlignmentFlag.AlignHCenter
        self.title = TextLabel(texts.IDENTIFY_TITLE, "title", align=center)
        self.reason = TextLabel("", "notice", align=center)
        self.hint = TextLabel(texts.IDENTIFY_HINT, align=center)
        self.status = TextLabel(texts.IDENTIFYING, "success", align=center)
        self.problem = TextLabel("", "notice", align=center)
        self.credit_code_button = TouchButton(texts.TYPE_CREDIT_CODE)
        self.appointment_code_button = TouchButton(texts.TYPE_APPOINTMENT_CODE)
        for button in (self.credit_code_button, self.appointment_code_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMaximumWidth(900)
        self.credit_code_button.clicked.connect(self.type_credit_code)
        self.appointment_code_button.clicked.connect(self.type_appointment_code)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(self.page.spacing())
        column.addStretch(1)
        column.addWidget(self.title)
        column.addWidget(self.reason)
        column.addWidget(self.hint)
        column.addWidget(self.status)
        column.addWidget(self.problem)
        column.addStretch(1)
        for button in (self.credit_code_button, self.appointment_code_button):
            line = QHBoxLayout()
            line.addStretch(1)
            line.addWidget(button, 4)
            line.addStretch(1)
            column.addLayout(line)
        column.addStretch(1)
        self.page.addWidget(finger_scroll_area(content), 1)
        self.back_button = TouchButton(texts.BACK)
        self.skip_button = TouchButton(texts.SKIP)
        row = self.button_row()
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.skip_button)
        self.back_button.clicked.connect(self.back)
        self.skip_button.clicked.connect(self.skip)
        self.prepare(None, can_skip=True, has_reader=True)

    def prepare(self, real_name_matter: Matter | None, *, can_skip: bool, has_reader: bool) -> None:
        """A fresh screen: why identification is asked for, and whether it may be skipped."""
        if real_name_matter is None:
            self.reason.set_text("")
        else:
            self.reason.set_text(texts.fill(texts.REAL_NAME_NEEDED, matter=real_name_matter.name))
        self.reason.setVisible(real_name_matter is not None)
        self.hint.set_text(texts.IDENTIFY_HINT if has_reader else texts.IDENTIFY_NO_READER)
        self.skip_button.setVisible(can_skip)
        self.show_problem(None)
        self.show_busy(False)

    def show_problem(self, problem: Text | None) -> None:
        """A calm line on the screen; the reader and the scanner keep listening."""
        self.problem.set_text(problem or "")
        self.problem.setVisible(problem is not None)
        if problem is not None:
            self.show_busy(False)

    def show_busy(self, busy: bool) -> None:
        self.status.setVisible(busy)
        for button in (self.credit_code_button, self.appointment_code_button, self.skip_button):
            button.setEnabled(not busy)
        if busy:
            self.problem.hide()

    def busy(self) -> bool:
        return not self.status.isHidden()

    def problem_shown(self) -> Text | None:
        if self.problem.isHidden():
            return None
        label = self.problem.label()
        return label if isinstance(label, Text) else None


class CodeEntryScreen(Screen):
    """Types a credit code or an appointment code; OK only when the code can be right."""

    name = "code_entry"

    code_entered = Signal(str)  # the code, of the kind `kind`
    back = Signal()

    def __init__(
        self,
        credit_code: CodeFormat,
        appointment_code: CodeFormat,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = TextLabel("", "title")
        self.pads = {
            IdentityKind.CREDIT_CODE: CodePad(credit_code),
            IdentityKind.APPOINTMENT_CODE: CodePad(appointment_code),
        }
        self._titles = {
            IdentityKind.CREDIT_CODE: texts.CREDIT_CODE_TITLE,
            IdentityKind.APPOINTMENT_CODE: texts.APPOINTMENT_CODE_TITLE,
        }
        self.kind = IdentityKind.CREDIT_CODE
        self.page.addWidget(self.title)
        for pad in self.pads.values():
            self.page.addWidget(pad)
            pad.changed.connect(self._update_ok)
        self.page.addStretch(1)
        self.back_button = TouchButton(texts.BACK)
        self.ok_button = TouchButton(texts.OK, "primary")
        row = self.button_row()
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.ok_button)
        self.back_button.clicked.connect(self.back)
        self.ok_button.clicked.connect(self._ok)
        self.start(IdentityKind.CREDIT_CODE)

    def pad(self) -> CodePad:
        return self.pads[self.kind]

    def start(self, kind: IdentityKind) -> None:
        """Show the pad for `kind`, empty."""
        self.kind = kind
        self.title.set_text(self._titles[kind])
        for pad_kind, pad in self.pads.items():
            pad.clear()
            pad.setVisible(pad_kind is kind)
        self._update_ok()

    def show_problem(self, problem: Text | None) -> None:
        self.pad().show_problem(problem)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.pad().acceptable())

    def _ok(self) -> None:
        if self.pad().acceptable():
            self.code_entered.emit(self.pad().typed())


@dataclass(frozen=True)
class Recommendation:
    matter: Matter
    detail: Text
    badge: Badge


def recommendations(profile: TaxpayerProfile, matters: dict[str, Matter]) -> list[Recommendation]:
    """Reminders first (with their text), then frequent matters; each matter once."""
    shown: list[Recommendation] = []
    seen: set[str] = set()
    for reminder in profile.reminders:
        matter = matters.get(reminder.matter_code)
        if matter is None or matter.code in seen:
            continue
        seen.add(matter.code)
        badge = Badge(texts.BADGE_REMINDER, *BADGE_REMINDER_STYLE)
        shown.append(Recommendation(matter, reminder.text, badge))
    for code in profile.frequent_matters:
        matter = matters.get(code)
        if matter is None or matter.code in seen:
            continue
        seen.add(matter.code)
        badge = Badge(texts.BADGE_FREQUENT, *BADGE_FREQUENT_STYLE)
        shown.append(Recommendation(matter, texts.FREQUENT_DETAIL, badge))
    return shown[:MAX_RECOMMENDED]


class ForYouSection(QWidget):
    """为您推荐: the greeting, the credit level, and the taxpayer's matters as rows.
    Hidden until a taxpayer is identified."""

    matter_chosen = Signal(str)  # the matter's code

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.greeting = TextLabel("", "subtitle")
        self.credit = TextLabel("", "success")
        self.title = TextLabel(texts.FOR_YOU, "title")
        self.rows: list[MatterRow] = []
        self.list = QVBoxLayout(self)
        self.list.setContentsMargins(0, 0, 0, 24)
        self.list.setSpacing(20)
        self.list.addWidget(self.greeting)
        self.list.addWidget(self.credit)
        self.list.addWidget(self.title)
        # The matters one under the other; two side by side on a wide screen.
        self.grid = QGridLayout()
        self.grid.setSpacing(20)
        self.list.addLayout(self.grid)
        self._columns = 1
        self.hide()

    def set_columns(self, columns: int) -> None:
        if columns != self._columns:
            self._columns = columns
            self._lay_out_rows()

    def _lay_out_rows(self) -> None:
        for row in self.rows:
            self.grid.removeWidget(row)
        for index, row in enumerate(self.rows):
            self.grid.addWidget(row, index // self._columns, index % self._columns)
        for column in range(max(2, self.grid.columnCount())):
            self.grid.setColumnStretch(column, 1 if column < self._columns else 0)

    def show_for(
        self, identity: Identity | None, profile: TaxpayerProfile, matters: Sequence[Matter]
    ) -> None:
        """The section for this taxpayer; hidden when there is nobody to greet."""
        self._clear_rows()
        if identity is None:
            self.hide()
            return
        self.greeting.set_text(greeting(identity))
        credit = credit_line(profile)
        self.credit.set_text(credit or "")
        self.credit.setVisible(credit is not None)
        chosen = recommendations(profile, {matter.code: matter for matter in matters})
        self.title.setVisible(bool(chosen))
        for entry in chosen:
            row = MatterRow(entry.matter.name, entry.detail, [entry.badge])
            row.clicked.connect(
                lambda _=False, code=entry.matter.code: self.matter_chosen.emit(code)
            )
            self.rows.append(row)
        self._lay_out_rows()
        self.show()

    def _clear_rows(self) -> None:
        discard(self.rows)
        self.rows = []
