"""Route: where to go and why, what to bring, how long the wait; then confirm.

When the matter can be done at the self-service terminals, that is offered
first (no number needed, a guide slip, then 完成); the window route and its
confirm button stay under it, one tap away (four taps for a green matter). When the
rules give no ticket (outside hours, quota full) the screen says what to do
instead, with no confirm button. A taxpayer who needs priority service says so
with a button (the visit is routed again), and may add another matter to the
same number (一窗通办).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.hall.base import QueueState
from kiosk.text import Language, Text
from kiosk.tickets import DocumentLine, windows_text
from kiosk.triage import Route
from kiosk.visit import GuideSlip
from ui import texts
from ui.screens.base import WIDE_PX, Screen, queue_area, queue_name, set_dense
from ui.widgets import (
    TextLabel,
    TouchButton,
    card_frame,
    discard,
    finger_scroll_area,
    set_style_property,
)

NARROW_PX = 900


class DocumentLabel(TextLabel):
    """One line of the 一次性告知 list; its wording comes from DocumentLine.describe()."""

    def __init__(self, line: DocumentLine) -> None:
        self.line = line
        super().__init__(self._text(), "notice" if line.deferrable else None)

    def _text(self) -> Text:
        def describe(language: Language) -> str:
            # The mark says 容缺 once: the description leaves it out.
            describe = self.line.describe(language, deferrable=False)
            text = texts.DOCUMENT_LINE.get(language).format(
                name=self.line.name.get(language), describe=describe
            )
            mark = texts.DEFERRABLE_MARK.get(language) if self.line.deferrable else ""
            return text + mark

        return Text(zh=describe("zh"), en=describe("en"))


class RouteScreen(Screen):
    name = "route"

    confirm = Signal()  # issue a ticket for the route's queue
    back = Signal()
    print_guide = Signal()  # print the self-service guide slip
    priority = Signal()  # the taxpayer asks for priority service
    add_matter = Signal()  # one more matter on the same number
    home = Signal()  # leave after a refusal, or done after the guide slip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(24)

        self.offer = card_frame("offer")
        self._offer_layout = offer_layout = QVBoxLayout(self.offer)
        offer_layout.setContentsMargins(36, 32, 36, 32)
        offer_layout.setSpacing(20)
        self.offer_title = TextLabel(texts.SELF_SERVICE_OFFER, "title")
        self.offer_hint = TextLabel(texts.SELF_SERVICE_HINT)
        self.guide_status = TextLabel("", "notice")
        # Side by side on the panel; stacked on a narrow window. Once the guide slip is
        # printed, the taxpayer is done here: 完成 takes them home.
        self.offer_buttons = offer_buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        offer_buttons.setSpacing(24)
        self.print_guide_button = TouchButton(texts.PRINT_GUIDE, "primary")
        self.guide_done_button = TouchButton(texts.DONE, "primary")
        offer_buttons.addWidget(self.print_guide_button, 1)
        offer_buttons.addWidget(self.guide_done_button, 1)
        for widget in (self.offer_title, self.offer_hint, self.guide_status):
            offer_layout.addWidget(widget)
        offer_layout.addLayout(offer_buttons)

        self.where = card_frame()
        self._where_layout = where_layout = QVBoxLayout(self.where)
        where_layout.setContentsMargins(36, 28, 36, 28)
        where_layout.setSpacing(10)
        self.go_to = TextLabel(texts.GO_TO, "muted")
        self.queue_name = TextLabel("", "headline")
        self.windows = TextLabel("", "title")
        self.area = TextLabel("", "subtitle")
        self.people_ahead = TextLabel("")
        self.estimated_wait = TextLabel("", "muted")
        for widget in (
            self.go_to,
            self.queue_name,
            self.windows,
            self.area,
            self.people_ahead,
            self.estimated_wait,
        ):
            where_layout.addWidget(widget)

        self.refusal = card_frame("refusal")
        refusal_layout = QVBoxLayout(self.refusal)
        refusal_layout.setContentsMargins(36, 32, 36, 32)
        refusal_layout.setSpacing(20)
        self.refusal_title = TextLabel(texts.NO_TICKET_TITLE, "title")
        self.refusal_message = TextLabel("", "subtitle")
        self.refusal_action = TextLabel("", "notice")
        self.home_button = TouchButton(texts.BACK_HOME, "primary")
        for widget in (self.refusal_title, self.refusal_message, self.refusal_action):
            refusal_layout.addWidget(widget)
        refusal_layout.addWidget(self.home_button)

        self.matters_line = TextLabel("", "muted")
        self.time_limit = TextLabel("", "subtitle")
        self.why_title = TextLabel(texts.WHY, "subtitle")
        self.reasons = QVBoxLayout()
        self.reasons.setSpacing(8)
        self.documents_title = TextLabel(texts.DOCUMENTS_TITLE, "subtitle")
        self.documents = QVBoxLayout()
        self.documents.setSpacing(8)
        self.deferrable_legend = TextLabel(texts.DEFERRABLE_LEGEND, "muted")
        # Stacked: the priority button's label is long in Chinese.
        self.extras = QWidget()  # in whichever column has room on a wide screen
        self.extra_buttons = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.extras)
        self.extra_buttons.setContentsMargins(0, 0, 0, 0)
        self.extra_buttons.setSpacing(16)
        self.priority_button = TouchButton(texts.PRIORITY_BUTTON)
        self.add_matter_button = TouchButton(texts.ADD_MATTER)
        self.extra_buttons.addWidget(self.priority_button, 3)  # the longer label
        self.extra_buttons.addWidget(self.add_matter_button, 2)

        # One column in portrait; on a wide screen the offer and the window on the left,
        # the matter, the reasons and the documents beside them (base.WIDE_PX).
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.columns.setSpacing(24)
        self._left, self._right = left, right = QVBoxLayout(), QVBoxLayout()
        for side in (left, right):
            side.setSpacing(24)
            self.columns.addLayout(side, 1)
        column.addLayout(self.columns)
        column.addStretch(1)
        left.addWidget(self.refusal)
        left.addWidget(self.offer)
        left.addWidget(self.where)
        left.addStretch(1)
        right.addWidget(self.matters_line)
        right.addWidget(self.time_limit)
        right.addWidget(self.why_title)
        right.addLayout(self.reasons)
        right.addWidget(self.documents_title)
        right.addLayout(self.documents)
        right.addWidget(self.deferrable_legend)
        right.addWidget(self.extras)
        right.addStretch(1)
        self.scroll_area = finger_scroll_area(content)
        self.page.addWidget(self.scroll_area, 1)

        row = self.button_row()
        self.back_button = TouchButton(texts.BACK)
        self.confirm_button = TouchButton(texts.CONFIRM, "primary")
        row.addWidget(self.back_button, 1)
        row.addWidget(self.confirm_button, 2)

        self.back_button.clicked.connect(self.back)
        self.confirm_button.clicked.connect(self.confirm)
        self.print_guide_button.clicked.connect(self.print_guide)
        self.guide_done_button.clicked.connect(self.home)
        self.priority_button.clicked.connect(self.priority)
        self.add_matter_button.clicked.connect(self.add_matter)
        self.home_button.clicked.connect(self.home)
        self._dynamic: list[TextLabel] = []
        self.route: Route | None = None
        self._wide = False

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW_PX
        wide = event.size().width() >= WIDE_PX
        self.columns.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        set_dense(self, wide)
        self.go_to.setVisible(not wide)  # the card says where to go without it
        # The two extra buttons side by side on the portrait panel, stacked in a column.
        side_by_side = not narrow and not wide
        self.extra_buttons.setDirection(
            QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom
        )
        self._wide = wide
        self._place_extras()
        card = 12 if wide else 32
        self.columns.setSpacing(16 if wide else 24)
        for side in (self._left, self._right):
            side.setSpacing(16 if wide else 24)
        self._offer_layout.setContentsMargins(36, card, 36, card)
        self._offer_layout.setSpacing(6 if wide else 20)
        self._where_layout.setContentsMargins(36, card - 8, 36, card - 8)
        self._where_layout.setSpacing(0 if wide else 10)
        # The reasons speak for themselves under the matter on a wide screen.
        self.why_title.setVisible(not wide and not self.refused())
        self.offer_buttons.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )

    def _place_extras(self) -> None:
        """Priority and 再加一项: after the documents, or, on a wide screen, under the
        window card when the column of the documents is the longer one."""
        left = self._wide and not self.offer_shown()
        # With the offer, the left column is the taller: it gets the more width.
        offer_beside = self._wide and self.offer_shown()
        self.columns.setStretch(0, 4 if offer_beside else 1)
        self.columns.setStretch(1, 3 if offer_beside else 1)
        target, other = (self._left, self._right) if left else (self._right, self._left)
        if target.indexOf(self.extras) >= 0:
            return
        other.removeWidget(self.extras)
        target.insertWidget(target.count() - 1, self.extras)  # above the column's stretch

    def show_route(self, route: Route, documents: Sequence[DocumentLine]) -> None:
        """Show a new route: the self-service offer first when the route has one."""
        self.route = route
        queue = route.queue
        self.queue_name.set_text(queue_name(queue))
        self.windows.set_text(windows_text(queue))
        self.area.set_text(queue_area(queue))
        self.area.setVisible(bool(queue.area_zh or queue.area_en))
        self.show_queue_state(None)
        discard(self._dynamic)
        self._dynamic = []
        for reason in route.reasons:
            self._add(self.reasons, TextLabel(texts.fill(texts.BULLET, text=reason)))
        if documents:
            for line in documents:
                self._add(self.documents, DocumentLabel(line))
        else:
            self._add(self.documents, TextLabel(texts.NO_DOCUMENTS))
        self.deferrable_legend.setVisible(any(line.deferrable for line in documents))
        self.time_limit.set_text(texts.fill(texts.TIME_LIMIT_LINE, limit=route.time_limit))
        names = [matter.name for matter in route.matters]
        self.matters_line.set_text(
            texts.fill(
                texts.CHOSEN_MATTERS,
                matters=texts.joined(names),
            )
        )
        self.matters_line.setVisible(bool(names))  # one matter is named too
        self.set_guide_state(GuideSlip.NONE)
        if route.refusal is not None:
            self.refusal_message.set_text(route.refusal.message)
            self.refusal_action.set_text(texts.REFUSAL_ACTIONS[route.refusal.action])
        self.show_offer(route.self_service_offer)
        self.scroll_area.verticalScrollBar().setValue(0)

    def refused(self) -> bool:
        return self.route is not None and self.route.refusal is not None

    def _add(self, layout: QVBoxLayout, label: TextLabel) -> None:
        layout.addWidget(label)
        self._dynamic.append(label)

    def show_offer(self, offered: bool) -> None:
        """The self-service offer first when there is one, and the window route with its
        confirm button under it (one tap to a number either way); after a refusal, only
        what to do instead."""
        refused = self.refused()
        self.refusal.setVisible(refused)
        self.offer.setVisible(offered and not refused)
        self.where.setVisible(not refused)
        self.confirm_button.setVisible(not refused)
        self.why_title.setVisible(not refused and not self._wide)
        for label in self._dynamic:
            if label.parent() is not None and self.reasons.indexOf(label) >= 0:
                label.setVisible(not refused)
        asked = self.route is not None and self.route.rule.startswith("priority")
        self.priority_button.setVisible(not refused and not asked)
        self.add_matter_button.setVisible(not refused)
        self._place_extras()

    def offer_shown(self) -> bool:
        return not self.offer.isHidden()

    def show_queue_state(self, state: QueueState | None) -> None:
        if state is None:
            self.people_ahead.set_text(texts.QUEUES_LOADING)
            self.estimated_wait.set_text("")
            return
        self.people_ahead.set_text(texts.people_ahead(state.waiting))
        minutes = state.estimated_wait_minutes
        self.estimated_wait.set_text(
            texts.fill(texts.ESTIMATED_WAIT, minutes=minutes) if minutes else texts.NO_WAIT
        )

    def set_guide_state(self, state: GuideSlip) -> None:
        status = {
            GuideSlip.PRINTING: (texts.GUIDE_PRINTING, "notice"),
            GuideSlip.PRINTED: (texts.GUIDE_PRINTED, "success"),
            GuideSlip.FAILED: (texts.GUIDE_FAILED, "notice"),
        }.get(state)
        self.guide_status.setVisible(status is not None)
        if status is not None:
            self.guide_status.set_text(status[0])
            set_style_property(self.guide_status, "role", status[1])
        busy = state is GuideSlip.PRINTING
        printed = state is GuideSlip.PRINTED
        self.print_guide_button.setEnabled(not busy and not printed)  # one slip is enough
        self.guide_done_button.setVisible(printed)
        # A wide screen's narrow card: 完成 alone once printed (the status says so).
        self.print_guide_button.setVisible(not (printed and self._wide))
        self.offer_hint.setVisible(not (printed and self._wide))  # the status says what next
        for button in (self.confirm_button, self.back_button):
            button.setEnabled(not busy)
