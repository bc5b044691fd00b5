"""What the queue engine answers, and what it refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.queue.tickets import TicketRow
from kiosk.settings import QueueSection

MAX_NUMBER = 999
# Queues whose tickets a window calls before any other it serves, in this order.
CALL_FIRST_QUEUES = ("appointment", "priority")


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


@dataclass(frozen=True)
class Issued:
    """A number just reserved, with the people before it and their estimated wait."""

    ticket: TicketRow
    people_ahead: int
    estimated_wait_minutes: int


@dataclass(frozen=True)
class QueueFigures:
    queue: QueueSection
    waiting: int
    estimated_wait_minutes: int
    issued_today: int = 0  # numbers issued today, voided ones aside (the quotas count them)
    open_windows: tuple[int, ...] = ()  # the queue's windows that are not paused


@dataclass(frozen=True)
class WindowChange:
    """What a window action did."""

    kind: str  # called, finished, window_paused, window_resumed
    ticket: TicketRow | None = None
    recall: bool = False


@dataclass(frozen=True)
class WindowState:
    window: int
    paused: bool
    number: str | None  # the number being served, None when none
    ticket_id: str | None
