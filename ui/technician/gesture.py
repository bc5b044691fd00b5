"""The hidden way into the technician menu: five taps in the top-left corner within 3 s.

The filter only watches: it never consumes an event, so the taxpayer's taps reach
their buttons as before. A tap anywhere else, or on a button in the corner (首页),
starts the count again: a taxpayer tapping 首页 five times never meets the PIN pad.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Signal
from PySide6.QtGui import QInputDevice, QMouseEvent, QTouchEvent, QWindow
from PySide6.QtWidgets import QAbstractButton, QWidget

CORNER_PX = 140
TAPS = 5
WITHIN_SECONDS = 3.0


class CornerTapGesture(QObject):
    """Install on the QApplication; `triggered` fires on the fifth quick corner tap."""

    triggered = Signal()

    def __init__(
        self,
        window: QWidget,
        monotonic: Callable[[], float],
        *,
        corner_px: int = CORNER_PX,
        taps: int = TAPS,
        within_seconds: float = WITHIN_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._monotonic = monotonic
        self.corner_px = corner_px
        self.taps = taps
        self.within_seconds = within_seconds
        self._times: list[float] = []
        self.enabled = True

    def reset(self) -> None:
        self._times.clear()

    def count(self) -> int:
        return len(self._times)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        # Each press reaches the window's QWindow once, before Qt hands it to a widget.
        if not isinstance(watched, QWindow) or watched is not self._window.windowHandle():
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            device = event.device()
            if device is not None and device.type() == QInputDevice.DeviceType.TouchScreen:
                return False  # Qt's mouse event made from a touch already counted
            self._press(event.position())
        elif kind == QEvent.Type.TouchBegin and isinstance(event, QTouchEvent):
            points = event.points()
            if points:
                self._press(points[0].position())
        return False

    def _press(self, position: QPointF) -> None:
        if not self.enabled:
            return
        outside = position.x() > self.corner_px or position.y() > self.corner_px
        if outside or self._on_button(position):
            self._times.clear()
            return
        now = self._monotonic()
        self._times = [t for t in self._times if now - t <= self.within_seconds]
        self._times.append(now)
        if len(self._times) >= self.taps:
            self._times.clear()
            self.triggered.emit()

    def _on_button(self, position: QPointF) -> bool:
        widget = self._window.childAt(position.toPoint())
        while widget is not None:
            if isinstance(widget, QAbstractButton):
                return True
            widget = widget.parentWidget()
        return False
