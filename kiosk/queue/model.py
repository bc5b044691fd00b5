"""What the queue engine answers."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.queue.tickets import TicketRow
from kiosk.settings import QueueSection


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
