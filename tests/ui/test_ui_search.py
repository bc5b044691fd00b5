"""The search: pinyin initials and English letters on an on-screen keypad, to a route."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from ui.automation import tap, visible_texts
from ui.main_window import KioskWindow

Tap = Callable[..., None]


def test_pinyin_initials_find_the_invoice_matters_and_lead_to_a_route(
    window: KioskWindow, tap_on: Tap
) -> None:
    tap_on("取号", "搜索")
    assert window.current_screen_name() == "search"
    assert "请输入字母" in visible_texts(window)
    tap_on("F", "P")
    names = window.search.result_names()
    assert names[:3] == ["发票领用", "发票代开", "票种核定"]  # short names on the rows
    assert "已输入：FP" in visible_texts(window)
    tap_on("D", "K")
    assert window.search.result_names() == ["发票代开"]
    tap_on("发票代开")
    assert window.current_screen_name() == "route"
    assert [matter.code for matter in window.visit.matters] == ["M0202"]
    assert window.visit.route is not None
    assert window.visit.route.queue.code == "green"
    tap_on("返回")  # back to the matter's own category, as if chosen there
    assert window.current_screen_name() == "matter"
    assert window.matter.title.text() == "发票办理"


def test_delete_clear_and_nothing_found(window: KioskWindow, tap_on: Tap) -> None:
    tap_on("取号", "搜索", "F", "P", "Q", "Q")
    assert window.search.result_names() == []
    assert "没有找到，请换几个字母试试。" in visible_texts(window)
    tap_on("删除", "删除")
    assert window.search.result_names()
    assert "没有找到，请换几个字母试试。" not in visible_texts(window)
    tap_on("清空")
    assert window.search.result_names() == []
    assert "请输入字母" in visible_texts(window)
    tap_on("返回")
    assert window.current_screen_name() == "category"


def test_english_letters_find_by_the_english_name(window: KioskWindow, tap_on: Tap) -> None:
    tap_on("English", "Take a number", "Search", "V", "A", "T")
    names = window.search.result_names()
    assert "VAT return" in names
    assert all(not any("\u4e00" <= c <= "\u9fff" for c in name) for name in names)
    tap(window, "中文")
    QApplication.processEvents()
    assert "增值税申报" in window.search.result_names()


def test_a_new_search_starts_empty(window: KioskWindow, tap_on: Tap) -> None:
    tap_on("取号", "搜索", "F", "P", "返回", "搜索")
    assert window.search.query == ""
    assert window.search.result_names() == []
