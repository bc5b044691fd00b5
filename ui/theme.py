"""The one look of the kiosk: a calm, high-contrast tax-hall blue on white, large type.

Sizes are pixels, not points: the screen is a known 1080 x 1920 panel read from
arm's length, and a pixel size stays the same on every platform plugin.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

BLUE = "#1f5fa8"
BLUE_DARK = "#174a84"
BLUE_PRESSED = "#123b69"
BLUE_PALE = "#e8f0fa"
INK = "#14202e"
MUTED = "#44546a"
WHITE = "#ffffff"
PAGE = "#f4f7fb"
LINE = "#c5d3e4"
GREEN = "#1b7a3e"
GREEN_PALE = "#e3f3e8"
GREEN_INK = "#0f5129"  # green text on GREEN_PALE at 8:1 (GREEN there is 4.7:1)
AMBER_PALE = "#fff4d6"
AMBER_INK = "#6b4a00"

BODY_PX = 30
SMALL_PX = 28
TITLE_PX = 48
DENSE_TITLE_PX = 44  # titles on a wide, short screen (ui.screens.base.set_dense)
HEADLINE_PX = 64
NUMBER_PX = 200
DENSE_NUMBER_PX = 160  # the number on a wide, short screen
BUTTON_PX = 34
TAKE_NUMBER_PX = 72
KEY_FONT_PX = 40  # on-screen code pad keys
CODE_PX = 52  # a code as typed on the code pad
CLOCK_PX = 96  # the idle screen's clock
DENSE_CLOCK_PX = 72

# From this width on (landscape 1920 x 1080, and 1280 x 1024) screens lay their parts out
# side by side: a portrait panel is 1080 wide.
WIDE_PX = 1200

TOUCH_MIN_PX = 96  # every touch target is at least this tall and wide (80 is the floor)
MARGIN_PX = 40

PREFERRED_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
)

STYLESHEET = f"""
QWidget {{
    color: {INK};
    font-size: {BODY_PX}px;
}}
QMainWindow, QWidget#page, QWidget#screen, QScrollArea, QWidget#scrollContent {{
    background: {PAGE};
}}
QWidget#topBar {{
    background: {BLUE};
}}
QLabel#topBarTitle {{
    color: {WHITE};
    font-size: {SMALL_PX}px;
    font-weight: bold;
}}
QLabel[role="title"] {{
    font-size: {TITLE_PX}px;
    font-weight: bold;
    color: {BLUE_DARK};
}}
QLabel[role="headline"] {{
    font-size: {HEADLINE_PX}px;
    font-weight: bold;
    color: {BLUE_DARK};
}}
QWidget[dense="true"] QLabel[role="headline"] {{
    font-size: {TITLE_PX}px;
}}
QWidget[dense="true"] QLabel[role="title"] {{
    font-size: {DENSE_TITLE_PX}px;
}}
QWidget[dense="true"] QLabel[role="number"] {{
    font-size: {DENSE_NUMBER_PX}px;
}}
QWidget[dense="true"] QLabel[role="notice"], QWidget[dense="true"] QLabel[role="success"] {{
    padding: 10px 20px;
}}
QWidget[dense="true"] QLabel[role="clock"] {{
    font-size: {DENSE_CLOCK_PX}px;
}}
QLabel[role="subtitle"] {{
    font-size: {BODY_PX + 4}px;
    font-weight: bold;
}}
QLabel[role="muted"] {{
    color: {MUTED};
}}
QLabel[role="number"] {{
    font-size: {NUMBER_PX}px;
    font-weight: bold;
    color: {BLUE};
}}
QLabel[role="notice"] {{
    background: {AMBER_PALE};
    color: {AMBER_INK};
    border-radius: 16px;
    padding: 20px;
}}
QLabel[role="success"] {{
    background: {GREEN_PALE};
    color: {GREEN};
    border-radius: 16px;
    padding: 20px;
}}
QFrame[role="card"] {{
    background: {WHITE};
    border: 2px solid {LINE};
    border-radius: 24px;
}}
QFrame[role="offer"] {{
    background: {GREEN_PALE};
    border: 3px solid {GREEN};
    border-radius: 24px;
}}
QFrame[role="refusal"] {{
    background: {AMBER_PALE};
    border: 3px solid {AMBER_INK};
    border-radius: 24px;
}}
QWidget#idleScreen {{
    background: {PAGE};
}}
QLabel[role="clock"] {{
    font-size: {CLOCK_PX}px;
    font-weight: bold;
    color: {BLUE_DARK};
}}
QWidget#overlay {{
    background: rgba(10, 25, 45, 170);
}}
QFrame#overlayCard {{
    background: {WHITE};
    border-radius: 32px;
}}
QPushButton {{
    font-size: {BUTTON_PX}px;
    font-weight: bold;
    border-radius: 24px;
    padding: 16px 36px;
    min-height: {TOUCH_MIN_PX - 32}px;
    color: {BLUE};
    background: {WHITE};
    border: 3px solid {BLUE};
}}
QPushButton:pressed {{
    background: {BLUE_PALE};
}}
QPushButton:disabled {{
    color: #8a9ab0;
    border-color: #8a9ab0;
}}
QPushButton[kind="primary"] {{
    color: {WHITE};
    background: {BLUE};
    border: 3px solid {BLUE};
}}
QPushButton[kind="primary"]:pressed {{
    background: {BLUE_PRESSED};
}}
QPushButton[kind="primary"]:disabled {{
    background: #8a9ab0;
    border-color: #8a9ab0;
}}
QPushButton[kind="huge"] {{
    color: {WHITE};
    background: {BLUE};
    border: 3px solid {BLUE};
    border-radius: 48px;
    font-size: {TAKE_NUMBER_PX}px;
    min-height: 200px;
    min-width: 480px;
}}
QPushButton[kind="huge"]:pressed {{
    background: {BLUE_PRESSED};
}}
QPushButton[kind="key"] {{
    font-size: {KEY_FONT_PX}px;
    border-radius: 16px;
    padding: 4px 8px;
    min-height: 72px; /* with padding and border: 86 px, above the 80 px floor */
}}
QLabel[role="code"] {{
    font-size: {CODE_PX}px;
    font-weight: bold;
    color: {BLUE_DARK};
    background: {WHITE};
    border: 2px solid {LINE};
    border-radius: 16px;
    padding: 12px;
}}
QPushButton[kind="bar"] {{
    color: {WHITE};
    background: transparent;
    border: 3px solid {WHITE};
    border-radius: 20px;
    font-size: {SMALL_PX}px;
    padding: 8px 20px;
}}
QPushButton[kind="bar"]:checked {{
    color: {BLUE};
    background: {WHITE};
}}
QScrollBar:vertical {{
    width: 14px;
    background: transparent;
}}
QScrollBar::handle:vertical {{
    background: {LINE};
    border-radius: 7px;
    min-height: 80px;
}}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{
    height: 0px;
}}
QProgressBar {{
    border: 2px solid {LINE};
    border-radius: 12px;
    background: {WHITE};
    min-height: 24px;
    max-height: 24px;
}}
QProgressBar::chunk {{
    background: {BLUE};
    border-radius: 10px;
}}
"""


def cjk_family(font_file: Path | None = None) -> str | None:
    """A font family that has Chinese glyphs: an installed one by preference,
    else the file `drivers.sim.fonts.find_cjk_font()` points to."""
    installed = set(QFontDatabase.families())
    for family in PREFERRED_FAMILIES:
        if family in installed:
            return family
    if font_file is None:
        font_file = _bundled_font_file()
    if font_file is not None:
        font_id = QFontDatabase.addApplicationFont(str(font_file))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        # A Noto TTC lists the Japanese family first: prefer the Simplified Chinese one.
        for family in sorted(families, key=lambda name: "SC" not in name):
            return family
    for family in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return family
    return None


def _bundled_font_file() -> Path | None:
    try:
        from drivers.sim.fonts import find_cjk_font  # optional: another engineer owns it
    except ImportError:
        return None
    try:
        found = find_cjk_font()
    except Exception as error:  # the font is a nicety; never stop the kiosk for it
        log.warning("no CJK font file found: %s", error)
        return None
    return Path(found) if found else None


def supports_chinese(font: QFont) -> bool:
    return QFontMetrics(font).inFontUcs4(ord("税"))


def apply_theme(app: QApplication) -> QFont:
    """Set the application font (a CJK family) and the stylesheet; return the font."""
    family = cjk_family()
    font = QFont(family) if family else QFont()
    if family is None:
        log.warning("no Chinese font found: Chinese text will show as boxes")
    font.setPixelSize(BODY_PX)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
    return font
