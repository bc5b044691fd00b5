"""The System page: restart the application or leave kiosk mode."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.technician import texts
from ui.technician.pages.base import MenuContext, Page
from ui.widgets import TouchButton


class SystemPage(Page):
    key = "system"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.add_line(texts.SYSTEM_NOTE)
        self.restart_button = TouchButton(texts.RESTART)
        self.restart_button.clicked.connect(self.context.restart)
        self.leave_button = TouchButton(texts.LEAVE_KIOSK)
        self.leave_button.clicked.connect(self.context.leave_kiosk_mode)
        self.body.addWidget(self.restart_button)
        self.body.addWidget(self.leave_button)
        self.body.addStretch(1)
