"""Second-generation ID card reader (二代身份证) over the SAM protocol.

`protocol` frames and decodes, `card` parses the base-info answer into an
`IdCard`, `reader.IdCardReader` drives a reader through a `Transport`.
"""

from drivers.idcard.card import (
    CardFormatError,
    CardType,
    IdCard,
    id_check_digit,
    is_valid_id_number,
)
from drivers.idcard.protocol import SamError, SamFrameError
from drivers.idcard.reader import (
    IdCardReader,
    IdCardReaderError,
    IdCardReadError,
    IdCardTimeoutError,
)

__all__ = [
    "CardFormatError",
    "CardType",
    "IdCard",
    "IdCardReadError",
    "IdCardReader",
    "IdCardReaderError",
    "IdCardTimeoutError",
    "SamError",
    "SamFrameError",
    "id_check_digit",
    "is_valid_id_number",
]
