"""The hall link banner: says so when the kiosk works offline.

Hidden while the hall server answers. Offline it says that numbers still come
(from this kiosk's own numbers) and that waiting times are estimates, since
when, and, small, for a technician, how many records wait to be sent. The link
reports from the sync thread; the banner hears it through a queued signal and
also refreshes on a slow timer (the pending count moves while offline).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.hall.link import HallLink, LinkStatus
from kiosk.text import Language, text
from ui.texts import fill
from ui.widgets import TextLabel

REFRESH_MS = 5000


class HallStatusBanner(QFrame):
    # A LinkStatus, emitted from whichever thread saw the change; queued to the GUI.
    status_changed = Signal(object)

    def __init__(self, link: HallLink, timezone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hallStatus")
        self.setProperty("role", "notice")
        self._link = link
        self._zone = ZoneInfo(timezone)
        center = Qt.AlignmentFlag.AlignHCenter
        self.headline = TextLabel(text("hall_status.offline"), "notice", align=center)
        self.since = TextLabel("", "muted", align=center)
        self.pending = TextLabel("", "muted", align=center)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 8, 16, 8)
        column.setSpacing(2)
        column.addWidget(self.headline)
        column.addWidget(self.since)
        column.addWidget(self.pending)
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
        since = status.offline_since
        self.since.set_text(
            fill(
                text("hall_status.offline_since"),
                time=since.astimezone(self._zone).strftime("%H:%M"),
            )
            if since is not None
            else ""
        )
        self.pending.set_text(fill(text("hall_status.pending"), count=status.pending))

    def retranslate(self, language: Language) -> None:
        """The labels retranslate themselves; nothing of its own to do."""

    def shutdown(self) -> None:
        self._timer.stop()
        self._link.unsubscribe(self._listener)
