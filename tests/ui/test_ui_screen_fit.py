"""tests/helpers/screen_fit.py itself: it passes a window that fits and names what does not."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.helpers.screen_fit import assert_screen_fits, screen_fit_problems


def _font(pixels: int) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    return font


def _window(qtbot: QtBot, *children: QWidget) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    window.setFont(_font(30))
    window.setStyleSheet("QWidget { font-size: 30px; }")  # whatever the application's
    top = 10
    for child in children:
        child.setParent(window)
        height = child.heightForWidth(580) if child.hasHeightForWidth() else 60
        child.setGeometry(10, top, 580, height)
        top += child.height() + 10
    window.resize(600, 400)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_window_that_fits_passes(qtbot: QtBot) -> None:
    label = QLabel("办税服务厅 Tax hall")
    wrapped = QLabel("一段会换行的说明文字 " * 3)
    wrapped.setWordWrap(True)
    window = _window(qtbot, label, wrapped, QPushButton("取号"))
    assert screen_fit_problems(window, 28) == []
    assert_screen_fits(window, 28)


def test_small_text_is_named(qtbot: QtBot) -> None:
    small = QLabel("小字")
    small.setStyleSheet("font-size: 20px;")  # above any application stylesheet
    window = _window(qtbot, small)
    with pytest.raises(AssertionError, match=r"QLabel '小字' is 20 px < 28 px"):
        assert_screen_fits(window, 28)


def test_an_elided_label_and_an_outside_button_are_named(qtbot: QtBot) -> None:
    window = _window(qtbot)
    long_label = QLabel("这是一行非常非常非常非常非常非常长的文字", window)
    long_label.setGeometry(10, 10, 200, 50)
    button = QPushButton("确认", window)
    button.setGeometry(550, 350, 120, 80)
    long_label.show()
    button.show()
    problems = screen_fit_problems(window, 28)
    assert any("这是一行" in problem and "elided" in problem for problem in problems)
    assert any("'确认'" in problem and "not inside the window" in problem for problem in problems)


def test_wrapped_text_taller_than_its_label_is_named(qtbot: QtBot) -> None:
    window = _window(qtbot)
    wrapped = QLabel("第一句话很长很长。第二句话也很长很长。第三句话还是很长。", window)
    wrapped.setWordWrap(True)
    wrapped.setGeometry(10, 10, 200, 40)
    wrapped.show()
    problems = screen_fit_problems(window, 28)
    assert any("wrapped" in problem and "第一句话" in problem for problem in problems)
