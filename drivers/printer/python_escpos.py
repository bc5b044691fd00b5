"""python-escpos, typed: the command constants and the printer capabilities we use from it.

python-escpos ships no type stubs; everything the kiosk takes from it passes
through here with a type. Its printer classes are not used: their `text()`
sends Chinese without `FS &`, their status reads wait for 16 bytes and take
silence for "paper present", and `Serial` cannot open a pyserial URL
(DEVICES.md §1). Chinese text and the one-byte status read are ours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import escpos
from escpos import constants as _constants

# -- command constants (escpos.constants) -------------------------------------------

ESC: bytes = _constants.ESC
GS: bytes = _constants.GS
FS: bytes = _constants.FS
DLE: bytes = _constants.DLE
EOT: bytes = _constants.EOT
ENQ: bytes = _constants.ENQ
DC4: bytes = _constants.DC4
LF: bytes = _constants.CTL_LF
HT: bytes = _constants.CTL_HT
SET_TABS: bytes = _constants.CTL_SET_HT
INIT: bytes = _constants.HW_INIT
FULL_CUT: bytes = _constants.PAPER_FULL_CUT
PARTIAL_CUT: bytes = _constants.PAPER_PART_CUT
CHARACTER_SIZE: bytes = _constants.TXT_SIZE
BOLD_ON: bytes = _constants.TXT_STYLE["bold"][True]
BOLD_OFF: bytes = _constants.TXT_STYLE["bold"][False]
ALIGN_LEFT: bytes = _constants.TXT_STYLE["align"]["left"]
ALIGN_CENTER: bytes = _constants.TXT_STYLE["align"]["center"]
ALIGN_RIGHT: bytes = _constants.TXT_STYLE["align"]["right"]
RASTER_IMAGE: bytes = _constants.S_RASTER_N
STATUS_REQUEST: bytes = _constants.RT_STATUS
# Status bytes as python-escpos compares them: the fixed bits 0x12 with the flag bits.
STATUS_OFFLINE_MASK: int = _constants.RT_MASK_ONLINE
STATUS_PAPER_PRESENT: int = _constants.RT_MASK_PAPER
STATUS_PAPER_LOW: int = _constants.RT_MASK_LOWPAPER
STATUS_PAPER_OUT: int = _constants.RT_MASK_NOPAPER
QR_LEVEL_L: int = _constants.QR_ECLEVEL_L
QR_LEVEL_M: int = _constants.QR_ECLEVEL_M
QR_LEVEL_Q: int = _constants.QR_ECLEVEL_Q
QR_LEVEL_H: int = _constants.QR_ECLEVEL_H
QR_MODEL_2: int = _constants.QR_MODEL_2

# -- capabilities database -----------------------------------------------------------

# The database file python-escpos ships. Read here rather than through
# escpos.capabilities, which at import parses it with YAML into a fresh temporary
# directory (150 to 200 ms at every start) and calls logging.basicConfig(),
# which would add a second handler to the kiosk's logging.
DATABASE = Path(escpos.__file__).parent / "capabilities.json"


@dataclass(frozen=True)
class Capabilities:
    """One printer model in python-escpos's capabilities database."""

    model: str  # the database key, e.g. "TM-T20II"
    vendor: str
    dots: int  # printable width in dots
    font_columns: tuple[int, ...]  # characters per line in font A, B, ...
    code_pages: dict[int, str]  # ESC t n -> code page name
    native_qr: bool  # GS ( k QR codes
    cutter: bool  # GS V: a full or a partial cut


@cache
def _database() -> dict[str, Any]:
    with DATABASE.open(encoding="utf-8") as file:
        profiles: dict[str, Any] = json.load(file)["profiles"]
    return profiles


def capabilities(model: str) -> Capabilities:
    """What the database says about `model`; KeyError for a model it does not list."""
    entry = _database()[model]
    features: dict[str, bool] = entry["features"]
    fonts: dict[str, dict[str, Any]] = entry["fonts"]
    return Capabilities(
        model=model,
        vendor=str(entry["vendor"]),
        dots=int(entry["media"]["width"]["pixels"]),
        font_columns=tuple(int(fonts[key]["columns"]) for key in sorted(fonts, key=int)),
        code_pages={int(number): str(name) for number, name in entry["codePages"].items()},
        native_qr=bool(features.get("qrCode")),
        cutter=bool(features.get("paperPartCut") or features.get("paperFullCut")),
    )
