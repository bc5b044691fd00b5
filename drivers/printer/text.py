"""Slip text: what a string prints as, and how it wraps to the paper.

Text is GB18030 in the printer's Chinese (double-byte) mode, limited to the
one- and two-byte part of GB18030: four-byte characters (rare CJK Ext-B name
characters, emoji) do not print on these printers and are replaced by
`SUBSTITUTE` (DEVICES.md §1). python-escpos's `text()` cannot do this: it
sends Chinese without FS & and prints full-width punctuation as "?".

Widths are counted in columns of font A: one column (12 dots) for ASCII,
two (24 dots) for every double-byte character.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque

# A missing-character box: two bytes in GB18030 (A1 F5), in every printer's font.
SUBSTITUTE = "□"
SUBSTITUTE_BYTES = SUBSTITUTE.encode("gb18030")

# Zero-width characters: dropped rather than shown as a box.
_ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_AS_SPACE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
# A line should not start with these; the previous character moves down with them.
_CLOSING_PUNCTUATION = frozenset("，。、；：？！）》」』】〕〉”’…")
# WORD JOINER (Unicode's "no break here"): characters it joins stay on one line, as a
# screen's text layout keeps them; it prints as nothing.
GLUE = "\u2060"
NO_BREAK_SPACE = "\u00a0"  # prints as a space that never breaks
_TOKEN_RE = re.compile(r" +|[\x21-\x7e]+|.", re.DOTALL)  # spaces, an ASCII word, a character


def normalize(text: str) -> str:
    """NFC, control and line-separator characters (and no-break spaces) as spaces,
    zero-width marks dropped."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category in _AS_SPACE_CATEGORIES or ch == NO_BREAK_SPACE:
            out.append(" ")
        elif category not in _ZERO_WIDTH_CATEGORIES:
            out.append(ch)
    return "".join(out)


def _encode_char(ch: str) -> bytes | None:
    """The printable encoding of one normalized character, or None if it must be substituted."""
    if " " <= ch <= "~":
        return ch.encode("ascii")
    if unicodedata.category(ch) == "Co":  # private use: no glyph on any printer
        return None
    try:
        encoded = ch.encode("gb18030")
    except UnicodeEncodeError:  # lone surrogates
        return None
    return encoded if len(encoded) == 2 else None


def _char_width(ch: str) -> int:
    return 1 if " " <= ch <= "~" else 2


def encode_text(text: str) -> tuple[bytes, list[str]]:
    """One line as printer bytes, and the characters that had to be substituted.

    Control characters become spaces; characters with no one- or two-byte
    GB18030 encoding become `SUBSTITUTE` and are listed (once per occurrence).
    """
    parts: list[bytes] = []
    substituted: list[str] = []
    for ch in normalize(text):
        encoded = _encode_char(ch)
        if encoded is None:
            substituted.append(ch)
            encoded = SUBSTITUTE_BYTES
        parts.append(encoded)
    return b"".join(parts), substituted


def display_width(text: str) -> int:
    """Columns `text` takes when printed: 1 per ASCII character, 2 per other character."""
    return sum(_char_width(ch) for ch in normalize(text))


def wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """Break `text` into lines of at most `columns` columns.

    Newlines are hard breaks. Chinese may break between any two characters
    (not before closing punctuation when avoidable); Latin words break at
    spaces, and a word longer than a line is cut. Characters joined by `GLUE`
    stay on one line unless they are longer than a line. Lines after the first
    start with `indent` spaces (a hanging indent; at most half a line). Returned
    lines are normalized (see `encode_text`) and carry no trailing spaces. A
    character two columns wide gets a line of its own when `columns` is 1.
    """
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}")
    indent = max(0, min(indent, columns // 2, columns - 2))  # room for a Chinese character
    lines: list[str] = []
    for paragraph in re.split(r"\r\n|\r|\n", text):
        paragraph = paragraph.replace(NO_BREAK_SPACE, GLUE + " " + GLUE)
        glued = GLUE.join(normalize(piece) for piece in paragraph.split(GLUE))
        lines.extend(_wrap_paragraph(glued, columns, indent))
    return lines


def _wrap_paragraph(paragraph: str, columns: int, indent: int) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    start = width = 0  # the line's indent, and the columns it has taken

    def end_line() -> None:
        nonlocal current, width, start
        lines.append("".join(current).rstrip(" "))
        current, start, width = [], indent, indent

    tokens = deque(_glued_tokens(paragraph))
    while tokens:
        token, glued = tokens.popleft()
        token_width = display_width(token)
        if width + token_width > columns and not "".join(current).strip(" "):
            current, width = [], start  # only spaces before it: they would print alone
        if width + token_width <= columns:
            current.append(token)
            width += token_width
        elif glued and token_width > columns - indent:  # longer than a line: it breaks
            tokens.extendleft(reversed([(plain, False) for plain in _TOKEN_RE.findall(token)]))
        elif token.startswith(" ") and not glued:
            if current:
                end_line()  # the spaces at a break are dropped
        elif token_width > columns - indent and token.isascii():  # nor on an indented line
            for char in token:  # a word longer than a whole line: cut it
                if width + 1 > columns:
                    end_line()
                current.append(char)
                width += 1
        else:
            carried = _carry_for_punctuation(current, token, columns)
            if current:
                end_line()
            current = [*carried, token]
            width = start + display_width("".join(current))
    if current or not lines:
        end_line()
    lines = _drop_leading_spaces(lines)
    return [lines[0], *(" " * indent + line for line in lines[1:])]


def _glued_tokens(paragraph: str) -> list[tuple[str, bool]]:
    """The paragraph's tokens, those joined by GLUE merged into one (marked True)."""
    tokens: list[tuple[str, bool]] = []
    join_next = False
    for token in _TOKEN_RE.findall(paragraph):
        if token == GLUE:
            join_next = bool(tokens)
        elif join_next:
            tokens[-1] = (tokens[-1][0] + token, True)
            join_next = False
        else:
            tokens.append((token, False))
    return tokens


def _carry_for_punctuation(current: list[str], token: str, columns: int) -> list[str]:
    """Move the last character down with a closing punctuation mark, if that helps."""
    if token not in _CLOSING_PUNCTUATION or columns < 4 or len(current) < 2:
        return []
    last = current[-1]
    if len(last) != 1 or last.isascii() or last in _CLOSING_PUNCTUATION:
        return []
    if not "".join(current[:-1]).strip(" "):
        return []
    current.pop()
    return [last]


def _drop_leading_spaces(lines: list[str]) -> list[str]:
    """Continuation lines never start with the space the break happened at."""
    return [lines[0], *(line.lstrip(" ") for line in lines[1:])] if lines else [""]
