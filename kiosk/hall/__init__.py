"""The hall: queues, numbering and waiting estimates, behind one interface."""

from kiosk.hall.base import HallBackend, HallError, QueueState, Reservation, TicketChannel

__all__ = ["HallBackend", "HallError", "QueueState", "Reservation", "TicketChannel"]
