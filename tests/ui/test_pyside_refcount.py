"""A kiosk runs for months: the Qt binding must not leak or drop references.

PySide6 6.12.0 under Python 3.11 dropped a reference to None on every void
method call, and the interpreter aborted after some ten thousand calls. This
test fails on any binding that does that, so an upgrade cannot bring it back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_and_bool_methods_keep_reference_counts(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    probe = QObject()
    counts = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for index in range(500):
        probe.setObjectName("probe")
        label.setText(str(index))
        label.isVisible()
        probe.signalsBlocked()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    drift = [abs(new - old) for new, old in zip(after, counts, strict=True)]
    assert max(drift) < 50, f"reference counts drifted by {drift} over 500 calls"
