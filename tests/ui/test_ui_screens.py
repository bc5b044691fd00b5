"""Every screen: the language switch, touch target sizes, accessible names, type sizes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontInfo, QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget
from uitest_support import DESKTOP_WINDOW, LANDSCAPE, PORTRAIT, SCREEN_OF, TAPS

from kiosk.text import Text
from ui.automation import settle, tap, visible_buttons, visible_texts
from ui.main_window import KioskWindow
from ui.screens.matter import matter_detail
from ui.tiles import CategoryTile, MatterRow
from ui.widgets import TextLabel

Reach = Callable[[str], None]

# One text of each screen in both languages, to check the switch really happened.
SAMPLES = {
    "home": ("取号", "Take a number"),
    "category": ("发票办理", "Invoices"),
    "matter": ("发票代开", "Invoice issued by the tax office"),
    "route": ("确认取号", "Confirm and print"),
    "offer": ("打印指引单", "Print a guide slip"),
    "printing": ("正在出票…", "Printing your ticket…"),
    "done": ("请取走您的排队票", "Please take your ticket"),
    "eticket": (
        "打印机暂时无法出票，请拍下或记住您的号码。",
        "The printer cannot print right now: please photograph or note your number.",
    ),
    "failed": ("返回首页", "Back to the start"),
    "identify": ("请刷身份证或扫码", "Place your ID card or scan a code"),
    "code_entry": ("输入统一社会信用代码", "Type the unified social credit code"),
    "checkin": ("预约签到", "Appointment check-in"),
    "for_you": ("为您推荐", "For you"),
    "search": ("搜索事项", "Find a matter"),
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MIN_TOUCH_PX = 80
BODY_MIN_PX = 28
TITLE_MIN_PX = 44
NUMBER_MIN_PX = 160


def test_every_screen_is_covered() -> None:
    assert set(SAMPLES) == set(TAPS)


@pytest.mark.parametrize("screen", list(SAMPLES))
def test_language_switch_retranslates_every_visible_text(
    window: KioskWindow, reach: Reach, screen: str
) -> None:
    reach(screen)
    chinese, english = SAMPLES[screen]
    before = visible_texts(window)
    assert chinese in before

    tap(window, "English")
    after = visible_texts(window)
    assert window.visit.language == "en"
    assert english in after
    assert chinese not in after
    untranslated = [text for text in after if CHINESE.search(text) and text != "中文"]
    assert not untranslated, f"still in Chinese: {untranslated}"
    assert window.current_screen_name() == SCREEN_OF.get(screen, screen)  # no navigating

    tap(window, "中文")
    assert window.visit.language == "zh"
    assert visible_texts(window) == before


def _inside_a_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _rect_in_window(window: KioskWindow, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _label_min_px(label: QLabel) -> int:
    role = label.property("role")
    if role == "number":
        return NUMBER_MIN_PX
    if role in ("title", "headline"):
        return TITLE_MIN_PX
    return BODY_MIN_PX


def _check_buttons(window: KioskWindow) -> None:
    frame = window.rect()
    buttons = visible_buttons(window)
    assert buttons
    for button in buttons:
        label = button.text()
        assert label, "a button without a label"
        assert button.accessibleName() == label
        assert button.width() >= MIN_TOUCH_PX, f"{label!r} is {button.width()} px wide"
        assert button.height() >= MIN_TOUCH_PX, f"{label!r} is {button.height()} px tall"
        if not _inside_a_scroll_area(button):
            assert frame.contains(_rect_in_window(window, button)), f"{label!r} is cut off"
        if isinstance(button, CategoryTile | MatterRow):  # they wrap their own text
            needed = button.heightForWidth(button.width())
            assert needed <= button.height(), f"{label!r} does not fit its tile"
        else:
            advance = QFontMetrics(button.font()).horizontalAdvance(label)
            assert advance <= button.width() - 24, f"{label!r} does not fit its button"


def _check_labels(window: KioskWindow) -> None:
    frame = window.rect()
    for area in window.findChildren(QScrollArea):
        if area.isVisible():  # nothing hidden beyond the right edge
            assert area.widget().width() <= area.viewport().width()
    for text_label in window.findChildren(TextLabel):
        if not text_label.isVisible() or not text_label.text():
            continue
        pixels = QFontInfo(text_label.font()).pixelSize()
        assert pixels >= _label_min_px(text_label), f"{text_label.text()!r} is {pixels} px"
        needed = text_label.heightForWidth(text_label.width())
        assert needed <= text_label.height() + 2, f"{text_label.text()!r} is clipped"
        if text_label.minimumSizeHint().width() > text_label.width():
            pytest.fail(f"{text_label.text()!r} is wider than its place")
        if not _inside_a_scroll_area(text_label):
            assert frame.contains(_rect_in_window(window, text_label))


@pytest.mark.parametrize(
    "size", [PORTRAIT, LANDSCAPE, DESKTOP_WINDOW], ids=["portrait", "landscape", "desktop"]
)
@pytest.mark.parametrize("screen", list(SAMPLES))
def test_touch_targets_names_and_type_sizes(
    window: KioskWindow, reach: Reach, screen: str, size: tuple[int, int]
) -> None:
    window.resize(*size)
    reach(screen)
    for language in ("English", "中文"):  # English is longer; Chinese is the default
        tap(window, language)
        settle()
        assert (window.width(), window.height()) == size  # nothing forced the window larger
        _check_buttons(window)
        _check_labels(window)


def test_category_grid_fits_its_columns_to_the_width(window: KioskWindow, reach: Reach) -> None:
    reach("category")
    QApplication.processEvents()
    portrait_columns = window.category.columns()
    window.resize(*LANDSCAPE)
    QApplication.processEvents()
    assert portrait_columns == 3
    assert window.category.columns() == 5
    assert len(window.category.tiles) == 9


def test_a_matter_shown_by_its_short_name_has_its_full_name_in_its_detail(
    window: KioskWindow,
) -> None:
    matter = window.kiosk.catalog.matter("M0101")
    assert matter.short_name is not None
    limit = matter.time_limit_text
    assert matter_detail(matter) == Text(
        zh=f"新办纳税人套餐 · 办理时限：{limit.zh}",
        en=f"New taxpayer package · Time limit: {limit.en}",
    )
