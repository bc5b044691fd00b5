"""Printing: shown while the worker thread reserves a number and prints the ticket."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar, QWidget

from ui import texts
from ui.screens.base import Screen
from ui.widgets import TextLabel


class PrintingScreen(Screen):
    name = "printing"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        center = Qt.AlignmentFlag.AlignHCenter
        self.title = TextLabel(texts.PRINTING, "headline", align=center)
        self.hint = TextLabel(texts.PRINTING_HINT, align=center)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: printing takes what it takes
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(600)
        self.page.addStretch(1)
        self.page.addWidget(self.title)
        self.page.addWidget(self.hint)
        self.page.addWidget(self.progress, alignment=center)
        self.page.addStretch(1)
