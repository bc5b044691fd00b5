"""The HallBackend interface: the embedded hall (local) and a hall server (http)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, TaxpayerProfile


class HallError(Exception):
    """The hall cannot do what was asked; the message is fit for a technician."""


class TicketChannel(Enum):
    PRINTED = "printed"
    E_TICKET = "e_ticket"


@dataclass(frozen=True)
class QueueState:
    code: str
    waiting: int
    estimated_wait_minutes: int
    windows: tuple[int, ...]


@dataclass(frozen=True)
class Reservation:
    """A number held for a ticket that is not yet printed (not yet in the queue)."""

    ticket_id: str
    number: str
    queue_code: str
    business_day: date
    issued_at: datetime
    people_ahead: int
    estimated_wait_minutes: int


class HallBackend(ABC):
    @abstractmethod
    def queue_states(self) -> dict[str, QueueState]:
        """Every queue's length and waiting estimate, now."""

    @abstractmethod
    def reserve(self, queue_code: str, matter_codes: Sequence[str], kiosk_id: str) -> Reservation:
        """Hold the next number of a queue. Raises HallError."""

    @abstractmethod
    def commit(self, ticket_id: str, channel: TicketChannel) -> None:
        """The taxpayer has the ticket: it joins the queue."""

    @abstractmethod
    def void(self, ticket_id: str, reason: str) -> None:
        """The ticket never reached the taxpayer: it is never called."""

    @abstractmethod
    def ticket_status(self, ticket_id: str) -> str | None:
        """reserved, waiting, called, finished or void; None for a ticket it never issued."""

    @abstractmethod
    def business_day(self) -> date:
        """The hall's day now: numbering restarts when it changes."""

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        """What the hall knows of this taxpayer: credit level, new or not, today's
        appointments, reminders. The empty profile when it knows nothing. Raises
        HallError when it cannot be asked."""
        return UNKNOWN_PROFILE

    def ticket_status_url(self, reservation: Reservation) -> str | None:
        """Where the ticket's QR code leads, when the hall offers a status page."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Release files and connections."""
