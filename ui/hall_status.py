"""The hall link banner: says so when the kiosk works offline.

Hidden while the hall server answers. Offline it tells the taxpayer what matters
to them: numbers still come (from this kiosk's own numbers) and waiting times are
estimates. Since when, and how many records wait to be sent, are a technician's
facts: the technician menu's Hall link page shows them. The link reports from the
sync thread; the banner hears it through a queued signal and also refreshes on a
slow timer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.hall.link import HallLink, LinkStatus
from kiosk.text import Language, text
from ui.widgets import TextLabel

REFRESH_MS = 5000


class HallStatusBanner(QFrame):
    # A LinkStatus, emitted from whichever thread saw the change; queued to the GUI.
    status_changed = Signal(object)

    def __init__(self, link: HallLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hallStatus")
        self.setProperty("role", "notice")
        self._link = link
        center = Qt.AlignmentFlag.AlignHCenter
        self.headline = TextLabel(text("hall_status.offline"), "notice", align=center)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 8, 16, 8)
        column.setSpacing(2)
        column.addWidget(self.headline)
        self.status_changed.connect(self.show_status)
        self._listener = self.status_changed.emit
        link.subscribe(self._listener)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        self.show_status(self._link.status())

    def show_status(self, status: LinkStatus) -> None:
        if status.online:
            self.hide()
            return
        if self.parentWidget() is not None:  # never a window of its own
            self.show()

    def retranslate(self, language: Language) -> None:
        """The labels retranslate themselves; nothing of its own to do."""

    def shutdown(self) -> None:
        self._timer.stop()
        self._link.unsubscribe(self._listener)
