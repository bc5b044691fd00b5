"""A QR code on screen (the e-ticket's), drawn from its module matrix: no image files."""

from __future__ import annotations

import qrcode
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from kiosk.text import Language, Text
from ui import theme


def _pick(label: Text | str, language: Language) -> str:
    return label if isinstance(label, str) else label.get(language)


class QrCodeWidget(QWidget):
    """A QR code drawn from its module matrix: no image files involved."""

    QUIET_ZONE = 4  # modules of white around the code, as the standard asks

    def __init__(
        self,
        data: str = "",
        side: int = 360,
        *,
        name: Text | str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._name: Text | str = name
        self.setAccessibleName(_pick(name, "zh"))
        self._data = ""
        self._matrix: list[list[bool]] = []
        self.setFixedSize(side, side)
        self.set_data(data)

    def set_data(self, data: str) -> None:
        self._data = data
        self._matrix = qr_matrix(data) if data else []
        self.update()

    def data(self) -> str:
        return self._data

    def retranslate(self, language: Language) -> None:
        self.setAccessibleName(_pick(self._name, language))

    def matrix(self) -> list[list[bool]]:
        return self._matrix

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.WHITE))
        if self._matrix:
            count = len(self._matrix) + 2 * self.QUIET_ZONE
            module = min(self.width(), self.height()) // count
            offset_x = (self.width() - module * len(self._matrix)) // 2
            offset_y = (self.height() - module * len(self._matrix)) // 2
            black = QColor("#000000")
            for row, line in enumerate(self._matrix):
                for column, dark in enumerate(line):
                    if dark:
                        painter.fillRect(
                            offset_x + column * module,
                            offset_y + row * module,
                            module,
                            module,
                            black,
                        )
        painter.end()


def qr_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]
