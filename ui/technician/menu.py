"""The menu: a list of pages at the side, the chosen page beside it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ui import theme
from ui.technician import texts
from ui.technician.pages import PAGE_CLASSES, DevicesPage, MenuContext, Page, SettingsPage
from ui.widgets import TextLabel, TouchButton, finger_scroll_area

NAV_WIDTH = 260


class TechnicianMenu(QWidget):
    close_requested = Signal()
    language_toggled = Signal()

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("technicianMenu")
        row = QHBoxLayout(self)
        row.setContentsMargins(theme.MARGIN_PX, theme.MARGIN_PX, theme.MARGIN_PX, theme.MARGIN_PX)
        row.setSpacing(24)
        nav = QWidget()
        nav_column = QVBoxLayout(nav)
        nav_column.setContentsMargins(0, 0, 0, 0)
        nav_column.setSpacing(10)
        nav_column.addWidget(TextLabel(texts.MENU_TITLE, "subtitle"))
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        self.nav_buttons: dict[str, TouchButton] = {}
        for page_class in PAGE_CLASSES:
            page = page_class(context)
            self.pages[page.key] = page
            if isinstance(page, DevicesPage):
                page.settings_requested.connect(self.show_settings)
            self.stack.addWidget(page)
            button = TouchButton(page.title)
            button.setCheckable(True)
            button.setMinimumWidth(NAV_WIDTH - 20)
            button.clicked.connect(lambda _=False, key=page.key: self.show_page(key))
            nav_column.addWidget(button)
            self.nav_buttons[page.key] = button
        nav_column.addStretch(1)
        self.language_button = TouchButton(texts.LANGUAGE)
        self.language_button.clicked.connect(self.language_toggled)
        self.close_button = TouchButton(texts.CLOSE_MENU, "primary")
        self.close_button.clicked.connect(self.close_requested)
        nav_column.addWidget(self.language_button)
        nav_column.addWidget(self.close_button)
        nav_area = finger_scroll_area(nav)
        nav_area.setFixedWidth(NAV_WIDTH + 20)
        row.addWidget(nav_area)
        row.addWidget(self.stack, 1)
        self.current = ""

    def show_page(self, key: str) -> Page:
        page = self.pages[key]
        self.current = key
        for name, button in self.nav_buttons.items():
            button.setChecked(name == key)
        page.say("")
        self.stack.setCurrentWidget(page)
        page.refresh()
        return page

    def show_settings(self, section: str) -> None:
        settings = self.pages["settings"]
        if isinstance(settings, SettingsPage):
            settings.choose_section(section)
        self.show_page("settings")

    def page(self, key: str) -> Page:
        return self.pages[key]
