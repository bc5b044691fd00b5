"""What a call says. Chinese calling systems read the ticket number digit by digit
(A012: "A 零 一 二") and the window as a number (12: "十二")."""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGITS = "零一二三四五六七八九"
NUMBER = re.compile(r"^[A-Z][0-9]{3}$")


def chinese_cardinal(value: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (1 to 999)."""
    if not 1 <= value <= 999:
        raise ValueError(f"window {value}: from 1 to 999")
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    spoken = ""
    if hundreds:
        spoken += DIGITS[hundreds] + "百"
        if rest and tens == 0:
            spoken += "零"
    if tens:
        spoken += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    if ones:
        spoken += DIGITS[ones]
    return spoken


@dataclass(frozen=True)
class CallReading:
    """One call: a ticket number (A012) to a window."""

    number: str
    window: int

    def __post_init__(self) -> None:
        if not NUMBER.match(self.number):
            raise ValueError(f"{self.number!r} is not a ticket number (a letter, 3 digits)")
        chinese_cardinal(self.window)

    def chinese_tokens(self) -> list[str]:
        """The call as the pieces a hall records: 请 A 零 一 二 号 到 三 号窗口."""
        letter, digits = self.number[0], self.number[1:]
        window = list(chinese_cardinal(self.window))
        return ["请", letter, *(DIGITS[int(d)] for d in digits), "号", "到", *window, "号窗口"]

    @property
    def chinese(self) -> str:
        """The Chinese sentence, as the display shows it and espeak-ng reads it."""
        letter, digits = self.number[0], self.number[1:]
        spoken = " ".join(DIGITS[int(d)] for d in digits)
        return f"请 {letter} {spoken} 号 到 {self.window} 号窗口"

    @property
    def english(self) -> str:
        letter, digits = self.number[0], self.number[1:]
        return f"Number {letter} {' '.join(digits)}, please go to window {self.window}."
