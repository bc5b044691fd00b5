"""The hall's name breaks between its words on every layout: never "办税服" / "务厅", nor
"Hall No." / "1" (issue 18)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel
from uitest_support import DESKTOP_WINDOW, LANDSCAPE, PORTRAIT

from kiosk.line_breaks import NO_BREAK_SPACE, WORD_JOINER
from ui.automation import settle, tap
from ui.main_window import KioskWindow

PLAIN_NAME = "示范区税务局第一税务分局办税服务厅"
# Where each name may end a line: after its words.
WORDS = {
    "zh": ("示范区", "税务局", "第一税务分局", "办税服务厅"),
    "en": ("Demo", "District", "Tax", "Service", "Hall", "No. 1"),
}


def shown_lines(label: QLabel) -> list[str]:
    """The label's text as its width lays it out, line by line, joiners removed."""
    text = label.text()
    layout = QTextLayout(text, label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(label.contentsRect().width())
        piece = text[line.textStart() : line.textStart() + line.textLength()]
        lines.append(piece.replace(WORD_JOINER, "").replace(NO_BREAK_SPACE, " ").strip())
    layout.endLayout()
    return lines


def ends_at_words(lines: list[str], words: tuple[str, ...]) -> bool:
    ends, at = set(), 0
    joined = "".join(lines) if words is WORDS["zh"] else " ".join(lines)
    separator = "" if words is WORDS["zh"] else " "
    for word in words:
        at += len(word)
        ends.add(at)
        at += len(separator)
    at, breaks = 0, []
    for line in lines[:-1]:
        at += len(line)
        breaks.append(at)
        at += len(separator)
    return joined.replace(" ", "") == "".join(words).replace(" ", "") and set(breaks) <= ends


@pytest.mark.parametrize(
    "size", [PORTRAIT, LANDSCAPE, DESKTOP_WINDOW], ids=["portrait", "landscape", "desktop"]
)
def test_the_hall_name_breaks_only_between_words(
    window: KioskWindow, size: tuple[int, int]
) -> None:
    window.resize(*size)
    for language, switch in (("zh", "中文"), ("en", "English")):
        tap(window, switch)
        settle()
        for label in (window.home.hall_name, window.top_bar.title):
            lines = shown_lines(label)
            assert ends_at_words(lines, WORDS[language]), (size, language, lines)


def test_the_plain_name_would_break_mid_word(window: KioskWindow) -> None:
    """The check above can fail: the name without its joiners breaks inside a word."""
    window.resize(*PORTRAIT)
    settle()
    label = QLabel(PLAIN_NAME)
    label.setFont(window.home.hall_name.font())
    label.setWordWrap(True)
    label.resize(window.home.hall_name.width(), 400)
    assert not ends_at_words(shown_lines(label), WORDS["zh"])
