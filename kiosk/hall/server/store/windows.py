"""Window actions from a window's software: call next, recall, finish, pause."""

from __future__ import annotations

from kiosk.hall.server.store.base import StoreBase
from kiosk.queue import WindowChange
from kiosk.settings import QueueSection


class WindowActions(StoreBase):
    def window_queues(self, window: int) -> list[QueueSection]:
        with self.refusals():
            return self.engine.window_queues(window)

    def window_paused(self, window: int) -> bool:
        self.window_queues(window)
        with self.db.read() as tx:
            return self.engine.window_paused(tx, window)

    def call_next(self, window: int) -> list[WindowChange]:
        """Finish the window's current number, if any, then call the next one waiting
        in the window's queues by the engine's order. 409 when the window is paused."""
        with self.refusals(), self.db.transaction() as tx:
            return self.engine.call_next(tx, window)

    def recall(self, window: int) -> list[WindowChange]:
        with self.refusals(), self.db.read() as tx:
            change = self.engine.recall(tx, window)
        return [] if change is None else [change]

    def finish(self, window: int) -> list[WindowChange]:
        with self.refusals(), self.db.transaction() as tx:
            return self.engine.finish_window(tx, window)

    def set_paused(self, window: int, paused: bool) -> list[WindowChange]:
        with self.refusals(), self.db.transaction() as tx:
            change = self.engine.set_paused(tx, window, paused)
        return [] if change is None else [change]
