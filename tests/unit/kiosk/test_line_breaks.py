"""A name breaks between its words: on the screen (Qt) and on the slip (the printer's wrap)."""

from __future__ import annotations

from drivers.printer.text import wrap
from kiosk.line_breaks import (
    NO_BREAK_SPACE,
    WORD_JOINER,
    keep_together,
    keep_words,
    keep_words_text,
)
from kiosk.text import Text

HALL_ZH = "示范区税务局第一税务分局办税服务厅"
HALL_EN = "Demo District Tax Service Hall No. 1"


def test_a_chinese_hall_name_breaks_only_after_its_units() -> None:
    kept = keep_words(HALL_ZH)
    assert kept.replace(WORD_JOINER, "") == HALL_ZH  # nothing visible added
    # 58 mm paper: 32 columns; the plain name leaves 厅 alone on the second line.
    assert wrap(HALL_ZH, 32) == [HALL_ZH[:16], "厅"]
    assert wrap(kept, 32) == ["示范区税务局第一税务分局", "办税服务厅"]
    assert wrap(kept, 20) == ["示范区税务局", "第一税务分局", "办税服务厅"]


def test_a_number_stays_with_the_word_before_it() -> None:
    kept = keep_words(HALL_EN)
    assert kept.replace(WORD_JOINER, "").replace(NO_BREAK_SPACE, " ") == HALL_EN
    assert wrap(kept, 34) == ["Demo District Tax Service Hall", "No. 1"]
    assert wrap(HALL_EN, 34) == ["Demo District Tax Service Hall No.", "1"]


def test_both_languages_and_a_word_longer_than_a_line() -> None:
    kept = keep_words_text(Text(zh=HALL_ZH, en=HALL_EN))
    assert kept.zh == keep_words(HALL_ZH)
    assert kept.en == keep_words(HALL_EN)
    assert wrap(keep_together("办税服务厅"), 4) == ["办税", "服务", "厅"]
