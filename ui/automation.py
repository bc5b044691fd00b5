"""Driving the kiosk by what it says on screen: for the scripted demo and the tests.

Buttons are found by their accessible name, which every TouchButton keeps equal
to its visible label, and tapped with real mouse events. Waiting runs the Qt
event loop (so queued results from the worker thread arrive) until a condition
holds or a deadline passes: there is never a blind sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QScrollArea, QWidget


class AutomationError(Exception):
    """The screen did not offer what the script expected; the message says what."""


def visible_buttons(root: QWidget) -> list[QAbstractButton]:
    """Buttons a taxpayer could see now (not hidden, and not behind another page)."""
    return [button for button in root.findChildren(QAbstractButton) if button.isVisible()]


def visible_texts(root: QWidget) -> list[str]:
    """Every text shown now: labels and button labels."""
    labels = [label.text() for label in root.findChildren(QLabel) if label.isVisible()]
    return [text for text in labels + [b.text() for b in visible_buttons(root)] if text]


def find_button(root: QWidget, name: str) -> QAbstractButton:
    matches = [button for button in visible_buttons(root) if button.accessibleName() == name]
    if not matches:
        shown = ", ".join(sorted({button.accessibleName() for button in visible_buttons(root)}))
        raise AutomationError(f"no visible button called {name!r} (there are: {shown})")
    if len(matches) > 1:
        raise AutomationError(f"{len(matches)} visible buttons are called {name!r}")
    return matches[0]


def tap(root: QWidget, name: str) -> None:
    """Tap the visible, enabled button called `name`, scrolling it into view first."""
    button = find_button(root, name)
    if not button.isEnabled():
        raise AutomationError(f"the button {name!r} is disabled")
    parent = button.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if isinstance(parent, QScrollArea):
        parent.ensureWidgetVisible(button)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def settle() -> None:
    """Let new texts re-flow before looking: each pass of the event loop lays out one
    more level of nested layouts (a word-wrapped label changes its parent's height)."""
    for _ in range(10):
        QApplication.processEvents()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Run the event loop until `condition()` holds; AutomationError after `timeout` s.

    A real QEventLoop, not QTest.qWait: qWait keeps the GIL while it waits, which
    starved the ticket worker thread (90 ms for a 6 ms ticket in the benchmark).
    """
    if condition():
        return
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(2)

    def poll() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    check.timeout.connect(poll)
    check.start()
    loop.exec()
    check.stop()
    if not condition():
        raise AutomationError(f"timed out after {timeout:g} s waiting for {what}")
