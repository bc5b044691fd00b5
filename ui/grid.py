"""Grids of touch targets whose number of columns follows the width they are given."""

from __future__ import annotations

from collections.abc import Callable


class GridColumns:
    """How many columns a grid is laid out in; laid out again only when that changes."""

    def __init__(self, lay_out: Callable[[int], None], columns: int) -> None:
        self._lay_out = lay_out
        self.count = 0
        self.set(columns)

    def set(self, columns: int) -> None:
        if columns != self.count:
            self.count = columns
            self._lay_out(columns)

    def redo(self) -> None:
        """The same columns, laid out again (the grid's widgets changed)."""
        self._lay_out(self.count)
