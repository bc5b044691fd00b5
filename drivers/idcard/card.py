"""The base-info answer of an ID card reader, parsed into an `IdCard` (DEVICES.md §2).

The 256-byte text block is UCS-2 little endian, fields padded with spaces.
A card type byte at offset 248 tells the layouts apart: space or 0 the
resident identity card, `I` the foreigner's permanent residence card (2017),
`J` the Hong Kong/Macau/Taiwan residence permit *(assumed)*, `Y` the
foreigner's permanent residence card of 2023 *(assumed: read with the 2017
layout, but with an 18-character number field)*.

Privacy: the photo is dropped here and never kept; `IdCard.__repr__` masks
the ID number and leaves out the name and address; `CardFormatError`
messages never quote a field's content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from drivers.idcard.protocol import SamError

TEXT_SIZE = 0x0100
PHOTO_SIZE = 0x0400
CARD_TYPE_OFFSET = 248
LONG_TERM = "长期"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

NATIONS: dict[str, str] = {
    f"{index:02d}": name
    for index, name in enumerate(
        [
            "汉",
            "蒙古",
            "回",
            "藏",
            "维吾尔",
            "苗",
            "彝",
            "壮",
            "布依",
            "朝鲜",
            "满",
            "侗",
            "瑶",
            "白",
            "土家",
            "哈尼",
            "哈萨克",
            "傣",
            "黎",
            "傈僳",
            "佤",
            "畲",
            "高山",
            "拉祜",
            "水",
            "东乡",
            "纳西",
            "景颇",
            "柯尔克孜",
            "土",
            "达斡尔",
            "仫佬",
            "羌",
            "布朗",
            "撒拉",
            "毛南",
            "仡佬",
            "锡伯",
            "阿昌",
            "普米",
            "塔吉克",
            "怒",
            "乌孜别克",
            "俄罗斯",
            "鄂温克",
            "德昂",
            "保安",
            "裕固",
            "京",
            "塔塔尔",
            "独龙",
            "鄂伦春",
            "赫哲",
            "门巴",
            "珞巴",
            "基诺",
        ],
        start=1,
    )
} | {"97": "其他", "98": "外国血统中国籍人士"}

GENDERS: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}


class CardFormatError(SamError):
    """The reader's answer is not a card we can parse. The message names no personal data."""


class CardType(Enum):
    RESIDENT = "resident"  # 居民身份证
    FOREIGN_PERMANENT_2017 = "I"  # 外国人永久居留身份证 (2017)
    RESIDENCE_PERMIT = "J"  # 港澳台居民居住证
    FOREIGN_PERMANENT_2023 = "Y"  # 外国人永久居留身份证 (2023)

    @property
    def type_byte(self) -> int:
        return 0x20 if self is CardType.RESIDENT else ord(self.value)


_TYPES_BY_BYTE = {0x00: CardType.RESIDENT, 0x20: CardType.RESIDENT} | {
    ord(kind.value): kind for kind in CardType if kind is not CardType.RESIDENT
}

# Field -> (start, end) in bytes, per layout.
_RESIDENT_LAYOUT: dict[str, tuple[int, int]] = {
    "name": (0, 30),
    "gender": (30, 32),
    "nation": (32, 36),
    "birth": (36, 52),
    "address": (52, 122),
    "id_number": (122, 158),
    "authority": (158, 188),
    "valid_from": (188, 204),
    "valid_to": (204, 220),
}
_PERMIT_LAYOUT = {key: span for key, span in _RESIDENT_LAYOUT.items() if key != "nation"} | {
    "pass_number": (220, 238),
    "issue_count": (238, 242),
}
_FOREIGN_2017_LAYOUT: dict[str, tuple[int, int]] = {
    "english_name": (0, 120),
    "gender": (120, 122),
    "id_number": (122, 152),
    "nationality": (152, 158),
    "name": (158, 188),
    "valid_from": (188, 204),
    "valid_to": (204, 220),
    "birth": (220, 236),
    "version": (236, 240),
    "authority": (240, 248),
}
_FOREIGN_2023_LAYOUT = {
    key: span for key, span in _FOREIGN_2017_LAYOUT.items() if key != "nationality"
} | {"id_number": (122, 158)}

LAYOUTS: dict[CardType, dict[str, tuple[int, int]]] = {
    CardType.RESIDENT: _RESIDENT_LAYOUT,
    CardType.RESIDENCE_PERMIT: _PERMIT_LAYOUT,
    CardType.FOREIGN_PERMANENT_2017: _FOREIGN_2017_LAYOUT,
    CardType.FOREIGN_PERMANENT_2023: _FOREIGN_2023_LAYOUT,
}


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def is_valid_id_number(number: str) -> bool:
    """True for 17 digits followed by the right GB 11643 check character (x accepted)."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def mask_id_number(number: str) -> str:
    """Keep the first 3 and last 4 characters, star the rest (all stars when too short),
    as DEVICES.md §2 requires wherever a number is shown or logged."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


_FOREIGN_NUMBER_2017 = re.compile(r"[A-Z]{3}\d{12}")


@dataclass(frozen=True, repr=False)
class IdCard:
    """One card's text fields. Personal fields stay out of repr; the photo is never kept."""

    card_type: CardType
    name: str
    gender_code: str
    birth_date: date
    id_number: str
    valid_from: date
    valid_to: date | None  # None: 长期, never expires
    authority: str = ""
    address: str = ""
    nation_code: str = ""  # resident cards only
    english_name: str = ""  # foreigner's cards
    nationality: str = ""  # foreigner's cards, ISO 3166 alpha-3
    pass_number: str = ""  # residence permits: the travel permit number
    issue_count: str = ""  # residence permits
    version: str = ""  # foreigner's cards

    def __repr__(self) -> str:
        return (
            f"IdCard(card_type={self.card_type.name}, "
            f"id_number={self.masked_id_number()!r}, valid_to={self.valid_to})"
        )

    __str__ = __repr__

    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def gender(self) -> str:
        return GENDERS.get(self.gender_code, "未知")

    @property
    def nation(self) -> str:
        """The nation's name (汉, 蒙古, ...); "" when the card has none or an unknown code."""
        return NATIONS.get(self.nation_code, "")

    @property
    def id_number_valid(self) -> bool:
        """The number's check digit (GB 11643) or, for 2017 foreigner's cards, its shape."""
        if self.card_type is CardType.FOREIGN_PERMANENT_2017:
            return _FOREIGN_NUMBER_2017.fullmatch(self.id_number) is not None
        return is_valid_id_number(self.id_number)

    @property
    def long_term(self) -> bool:
        return self.valid_to is None

    def is_expired(self, today: date) -> bool:
        """True after the last valid day; a 长期 card never expires."""
        return self.valid_to is not None and today > self.valid_to

    def age_on(self, day: date) -> int:
        """Completed years of age on `day`."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


# -- parsing ----------------------------------------------------------------


def parse_base_info(data: bytes) -> IdCard:
    """Parse the data of a read-base-info answer (after SW1 SW2 SW3).

    Layout: text length (2 bytes BE, 0x0100), photo length (2 bytes BE,
    0x0400), the text block, the photo. The photo is discarded here.
    """
    if len(data) < 4:
        raise CardFormatError(f"base info too short ({len(data)} bytes)")
    text_size = int.from_bytes(data[0:2], "big")
    photo_size = int.from_bytes(data[2:4], "big")
    if text_size != TEXT_SIZE:
        raise CardFormatError(f"text length is {text_size}, expected {TEXT_SIZE}")
    if len(data) < 4 + text_size + photo_size:
        raise CardFormatError(
            f"base info has {len(data)} bytes, lengths announce {4 + text_size + photo_size}"
        )
    return parse_text_block(bytes(data[4 : 4 + text_size]))


def card_type_of(block: bytes) -> CardType:
    if len(block) != TEXT_SIZE:
        raise CardFormatError(f"text block has {len(block)} bytes, expected {TEXT_SIZE}")
    kind = _TYPES_BY_BYTE.get(block[CARD_TYPE_OFFSET])
    if kind is None:
        raise CardFormatError(f"unknown card type byte 0x{block[CARD_TYPE_OFFSET]:02X}")
    return kind


def _text(block: bytes, span: tuple[int, int], name: str) -> str:
    try:
        value = block[span[0] : span[1]].decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardFormatError(f"field {name} is not valid UCS-2") from None
    return value.strip(" \x00")


def _date(value: str, name: str) -> date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise CardFormatError(f"field {name} is not a YYYYMMDD date")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CardFormatError(f"field {name} is not a valid date") from None


def parse_text_block(block: bytes) -> IdCard:
    """Parse the 256-byte text block; raises CardFormatError (and nothing else)."""
    kind = card_type_of(block)
    fields = {name: _text(block, span, name) for name, span in LAYOUTS[kind].items()}
    gender = fields["gender"]
    if gender not in GENDERS:
        raise CardFormatError("field gender holds an unknown code")
    if not fields["id_number"]:
        raise CardFormatError("field id_number is empty")
    valid_to_text = fields["valid_to"]
    valid_to = None if valid_to_text == LONG_TERM else _date(valid_to_text, "valid_to")
    return IdCard(
        card_type=kind,
        name=fields["name"],
        gender_code=gender,
        birth_date=_date(fields["birth"], "birth"),
        id_number=fields["id_number"],
        valid_from=_date(fields["valid_from"], "valid_from"),
        valid_to=valid_to,
        authority=fields["authority"],
        address=fields.get("address", ""),
        nation_code=fields.get("nation", ""),
        english_name=fields.get("english_name", ""),
        nationality=fields.get("nationality", ""),
        pass_number=fields.get("pass_number", ""),
        issue_count=fields.get("issue_count", ""),
        version=fields.get("version", ""),
    )


# -- building (the emulator and tests) --------------------------------------

_Getter = Callable[[IdCard], str]
_FIELD_VALUES: dict[str, _Getter] = {
    "name": lambda card: card.name,
    "gender": lambda card: card.gender_code,
    "nation": lambda card: card.nation_code,
    "birth": lambda card: card.birth_date.strftime("%Y%m%d"),
    "address": lambda card: card.address,
    "id_number": lambda card: card.id_number,
    "authority": lambda card: card.authority,
    "valid_from": lambda card: card.valid_from.strftime("%Y%m%d"),
    "valid_to": lambda card: (
        LONG_TERM if card.valid_to is None else card.valid_to.strftime("%Y%m%d")
    ),
    "english_name": lambda card: card.english_name,
    "nationality": lambda card: card.nationality,
    "pass_number": lambda card: card.pass_number,
    "issue_count": lambda card: card.issue_count,
    "version": lambda card: card.version,
}


def text_block_for(card: IdCard) -> bytes:
    """The 256-byte text block a card holds: the inverse of `parse_text_block`."""
    block = bytearray(" ".encode("utf-16-le") * (TEXT_SIZE // 2))
    for name, (start, end) in LAYOUTS[card.card_type].items():
        encoded = _FIELD_VALUES[name](card).encode("utf-16-le")
        if len(encoded) > end - start:
            raise CardFormatError(f"field {name} does not fit in {end - start} bytes")
        block[start : start + len(encoded)] = encoded
    block[CARD_TYPE_OFFSET] = card.card_type.type_byte
    block[CARD_TYPE_OFFSET + 1] = 0
    return bytes(block)


def base_info_for(card: IdCard, photo: bytes = b"\x00" * PHOTO_SIZE) -> bytes:
    """The data of a read-base-info answer (lengths, text, photo) for `card`."""
    if len(photo) != PHOTO_SIZE:
        raise CardFormatError(f"photo must be {PHOTO_SIZE} bytes")
    return (
        TEXT_SIZE.to_bytes(2, "big") + PHOTO_SIZE.to_bytes(2, "big") + text_block_for(card) + photo
    )
