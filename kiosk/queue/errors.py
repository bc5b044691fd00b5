"""What the queue engine refuses."""

from __future__ import annotations

from datetime import date


class QueueError(Exception):
    """The queue cannot do what was asked; the message is fit for a technician."""


class UnknownQueue(QueueError):
    def __init__(self, code: str) -> None:
        super().__init__(f"no queue has the code {code!r}")
        self.code = code


class UnknownWindow(QueueError):
    def __init__(self, window: int) -> None:
        super().__init__(f"window {window} serves no queue")
        self.window = window


class QueueFull(QueueError):
    def __init__(self, queue_code: str, day: date) -> None:
        super().__init__(f"queue {queue_code} has issued all its numbers of {day.isoformat()}")
        self.queue_code = queue_code
        self.day = day


class WindowPaused(QueueError):
    def __init__(self, window: int) -> None:
        super().__init__(f"window {window} is paused")
        self.window = window
