"""Category: the catalog's categories as large tiles in a grid that fits the width."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kiosk.catalog import Category
from ui import texts
from ui.grid import GridColumns
from ui.screens.base import WIDE_PX, Screen
from ui.screens.identify import ForYouSection
from ui.tiles import CategoryTile
from ui.widgets import TextLabel, TouchButton, discard, finger_scroll_area

TILE_MIN_WIDTH = 340
FOLD_BELOW_PX = 1600  # 1280 x 1024 folds; 1920 x 1080 has room for both


def grid_columns(width: int, minimum: int = 2, maximum: int = 5) -> int:
    """How many tiles of at least TILE_MIN_WIDTH fit across `width`."""
    return max(minimum, min(maximum, width // TILE_MIN_WIDTH))


class CategoryScreen(Screen):
    name = "category"

    category_chosen = Signal(str)  # the category's code
    back = Signal()
    search = Signal()  # open the search (ui/screens/search.py)

    def __init__(self, categories: Sequence[Category], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = TextLabel(texts.CHOOSE_CATEGORY, "title")
        self.tiles: list[CategoryTile] = []
        content = QWidget()
        # 为您推荐 above the categories, once a taxpayer has identified (ui/screens/identify.py).
        self.for_you = ForYouSection()
        sections = QVBoxLayout(content)
        sections.setContentsMargins(0, 0, 0, 0)
        sections.setSpacing(0)
        sections.addWidget(self.for_you)
        self.tiles_box = tiles = QWidget()
        sections.addWidget(tiles, 1)
        self.grid = QGridLayout(tiles)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(24)
        self._make_tiles(categories)
        self.page.addWidget(self.title)
        self.page.addWidget(finger_scroll_area(content), 1)
        self.back_button = TouchButton(texts.BACK)
        self.search_button = TouchButton(texts.SEARCH)
        # 1280 x 1024 has no room for 为您推荐 and the tiles together: the tiles a tap away.
        self.all_button = TouchButton(texts.ALL_CATEGORIES)
        self.all_button.hide()
        self._unfolded = False
        actions = self.button_row()
        actions.addWidget(self.back_button, 1)
        actions.addWidget(self.all_button, 1)
        actions.addWidget(self.search_button, 1)
        self.all_button.clicked.connect(self._unfold)
        self.back_button.clicked.connect(self.back)
        self.search_button.clicked.connect(self.search)
        self._columns = GridColumns(self._reflow, 3)

    def _make_tiles(self, categories: Sequence[Category]) -> None:
        for category in categories:
            tile = CategoryTile(category.icon or category.name.zh[:1], category.name)
            tile.set_compact(self.width() >= WIDE_PX)
            tile.clicked.connect(
                lambda _=False, code=category.code: self.category_chosen.emit(code)
            )
            self.tiles.append(tile)

    def set_categories(self, categories: Sequence[Category]) -> None:
        """A new catalog version (ui/catalog_updates.py): new tiles, laid out again.
        The caller retranslates the screen."""
        discard(self.tiles)
        self.tiles = []
        self._make_tiles(categories)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self._columns.redo()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_PX
        for tile in self.tiles:
            tile.set_compact(wide)
        self.for_you.set_columns(2 if wide else 1)
        self._columns.set(grid_columns(event.size().width()))
        self._fold()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        self._unfolded = False  # each visit starts with 为您推荐
        self._fold()

    def _fold(self) -> None:
        """On a wide screen narrower than FOLD_BELOW_PX, 为您推荐 shows alone and a
        button brings the tiles in its place."""
        folded = (
            WIDE_PX <= self.width() < FOLD_BELOW_PX
            and self.for_you.isVisibleTo(self)
            and not self._unfolded
        )
        self.tiles_box.setVisible(not folded)
        self.all_button.setVisible(folded)

    def _unfold(self) -> None:
        self._unfolded = True
        self.for_you.hide()
        self._fold()

    def columns(self) -> int:
        return self._columns.count

    def _reflow(self, columns: int) -> None:
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles):
            self.grid.addWidget(tile, index // columns, index % columns)
        for column in range(max(columns, self.grid.columnCount())):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.grid.setRowStretch(len(self.tiles) // columns + 1, 1)
