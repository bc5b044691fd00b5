"""Where a name may break across lines: between its words, never inside one.

A Chinese hall name has no spaces ("示范区税务局第一税务分局办税服务厅"): a screen or a
slip would break it anywhere, leaving "办税服" on one line and "务厅" on the next. Its
words end with an administrative unit (区, 局, 所, 厅...), so it may break after each.
Latin text breaks at spaces, and a number stays with the word before it ("Hall No. 1",
never "Hall No." / "1"). The characters of a word are joined by WORD JOINER (U+2060),
its spaces made no-break spaces, which Qt's text layout and the slip's wrapping
(drivers.printer.text) both honour; the joiner shows as nothing.
"""

from __future__ import annotations

import re

from kiosk.text import Text

WORD_JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"  # a space inside a word: Qt breaks at a space even when joined

# After these a Chinese name may break: the end of a unit of the administration.
_AFTER_UNIT = re.compile(r"(?<=[省市区县局所厅处站])|(?<=中心)")


def keep_together(text: str) -> str:
    """`text` that no line break splits (unless it is longer than a whole line)."""
    return WORD_JOINER.join(text.replace(" ", NO_BREAK_SPACE))


def _latin_words(name: str) -> list[str]:
    words: list[str] = []
    for word in name.split(" "):
        if words and word[:1].isdigit():  # "No. 1": the number goes with its word
            words[-1] += " " + word
        elif word:
            words.append(word)
    return words


def keep_words(name: str) -> str:
    """`name` as shown or printed: it may break between its words, never inside one."""
    return " ".join(
        "".join(keep_together(piece) for piece in _AFTER_UNIT.split(word) if piece)
        for word in _latin_words(name)
    )


def keep_words_text(name: Text) -> Text:
    """A bilingual name, each language kept whole word by word (`keep_words`)."""
    return Text(zh=keep_words(name.zh), en=keep_words(name.en))
