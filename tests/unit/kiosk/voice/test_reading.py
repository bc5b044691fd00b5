"""A call read the Chinese way: the number digit by digit, the window as a number."""

from __future__ import annotations

import pytest

from kiosk.voice import CallReading, chinese_cardinal


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        (1, "一"),
        (3, "三"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (999, "九百九十九"),
    ],
)
def test_windows_are_read_as_numbers(value: int, spoken: str) -> None:
    assert chinese_cardinal(value) == spoken


def test_a_call_is_read_digit_by_digit_then_the_window() -> None:
    reading = CallReading("A012", 3)
    assert reading.chinese == "请 A 零 一 二 号 到 3 号窗口"
    assert reading.chinese_tokens() == ["请", "A", "零", "一", "二", "号", "到", "三", "号窗口"]
    assert reading.english == "Number A 0 1 2, please go to window 3."
    assert CallReading("G100", 12).chinese_tokens()[-3:] == ["十", "二", "号窗口"]


@pytest.mark.parametrize(
    ("number", "window"), [("A12", 1), ("a012", 1), ("A012", 0), ("A012", 1000)]
)
def test_what_is_not_a_call_is_refused(number: str, window: int) -> None:
    with pytest.raises(ValueError, match=r"ticket number|from 1 to 999"):
        CallReading(number, window)
