"""ui.widgets' small helpers: discarding a screen's rows, restyling on a property."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.widgets import TextLabel, discard, set_style_property


def test_discarded_widgets_leave_their_layout_at_once_and_are_deleted(qtbot: QtBot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    grid = QGridLayout(page)
    rows = [TextLabel(f"row {index}") for index in range(3)]
    for index, row in enumerate(rows):
        grid.addWidget(row, index, 0)
    kept = TextLabel("kept")
    grid.addWidget(kept, 3, 0)
    destroyed: list[int] = []
    for index, row in enumerate(rows):
        row.destroyed.connect(lambda _=None, index=index: destroyed.append(index))
    discard(rows)
    assert grid.count() == 1  # only `kept` is left in the layout
    assert grid.itemAt(0).widget() is kept
    assert all(row.isHidden() and row.parent() is None for row in rows)
    qtbot.waitUntil(lambda: sorted(destroyed) == [0, 1, 2])


def test_a_style_property_is_set_and_left_alone_when_unchanged(qtbot: QtBot) -> None:
    label = TextLabel("open", "notice")
    qtbot.addWidget(label)
    set_style_property(label, "role", "success")
    assert label.property("role") == "success"
    set_style_property(label, "role", "success")
    assert label.property("role") == "success"
