"""Who is asking, from the bearer token, and what each role may do.

Roles:
- `kiosk`: issues, commits and voids its own tickets (API and outbox records), reads
  its own tickets, records and devices, and acts for the windows granted to it (the
  windows whose keypad bus it masters; none unless granted).
- `display`: read-only pages of its hall (queues, windows, catalog, events, tickets).
- `admin`: everything in its hall, and the server's administration (reload).

Every principal belongs to one hall; nothing of another hall is visible to it. No web
framework here: the store and the command line use it too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kiosk.queue import DEFAULT_HALL, TicketRow

log = logging.getLogger(__name__)

Role = Literal["kiosk", "display", "admin"]
ROLES: tuple[Role, ...] = ("kiosk", "display", "admin")
# A hall's id, as tokens, settings files and URLs name it.
HALL_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
MAX_WINDOW = 999


@dataclass(frozen=True)
class Principal:
    """The holder of a valid token."""

    client_id: str
    role: Role = "kiosk"
    hall: str = DEFAULT_HALL
    windows: frozenset[int] = frozenset()
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @property
    def admin(self) -> bool:
        return self.role == "admin"


class Forbidden(Exception):
    """The principal may not do this; the message names the rule, never a person."""


def role_of(text: str) -> Role:
    for role in ROLES:
        if role == text:
            return role
    raise ValueError(f"role: {text!r} is not one of {', '.join(ROLES)}")


def parse_windows(text: str) -> frozenset[int]:
    """ "1-13", "1,3,5-7" or "" (none) as a set of window numbers; ValueError else."""
    found: set[int] = set()
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = re.fullmatch(r"([0-9]{1,3})(?:-([0-9]{1,3}))?", part)
        if match is None:
            raise ValueError(f"windows: {part!r} is not a window number or a range like 1-13")
        first, last = int(match[1]), int(match[2] or match[1])
        if not 1 <= first <= last <= MAX_WINDOW:
            raise ValueError(f"windows: {part!r} is not a range within 1-{MAX_WINDOW}")
        found.update(range(first, last + 1))
    return frozenset(found)


def windows_text(windows: Iterable[int]) -> str:
    """The stored form of a set of windows: ranges, "1-13,15"."""
    ordered = sorted(set(windows))
    parts: list[str] = []
    start = previous = None
    for window in [*ordered, None]:
        if window is not None and previous is not None and window == previous + 1:
            previous = window
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = window
    return ",".join(parts)


def refuse(principal: Principal, action: str) -> Forbidden:
    """The refusal, logged: the client id and the rule, no personal data."""
    log.warning(
        "refused: %s (%s of hall %s) may not %s",
        principal.client_id,
        principal.role,
        principal.hall,
        action,
    )
    return Forbidden(f"{principal.role} {principal.client_id} may not {action}")


def owns_ticket(client_id: str, ticket: TicketRow) -> bool:
    """Whether the ticket is the client's own (for outbox records too: a kiosk changes
    only the tickets it issued)."""
    return ticket.kiosk_id == client_id


def foreign_ticket(client_id: str, ticket: TicketRow) -> str | None:
    """Why an outbox record of `client_id` may not change the ticket (logged), None
    when it is the client's own."""
    if owns_ticket(client_id, ticket):
        return None
    log.warning("refused: a record of %s for a ticket of another kiosk", client_id)
    return f"ticket_id: ticket {ticket.number} is not a ticket of {client_id}"


def require_role(principal: Principal, action: str, *roles: Role) -> None:
    if principal.role not in roles:
        raise refuse(principal, action)


def require_ticket(principal: Principal, ticket: TicketRow, action: str) -> None:
    """A kiosk acts only on its own tickets; a display reads, an admin does anything
    (within the hall: the hall's store never finds another hall's tickets)."""
    if principal.role == "admin":
        return
    if principal.role == "display" and action == "read a ticket":
        return
    if principal.role != "kiosk" or not owns_ticket(principal.client_id, ticket):
        raise refuse(principal, f"{action} of another kiosk")


def require_window(principal: Principal, window: int) -> None:
    if principal.role == "admin":
        return
    if principal.role != "kiosk" or window not in principal.windows:
        raise refuse(principal, f"act for window {window}")


def require_client(principal: Principal, client_id: str | None, action: str) -> str | None:
    """The client whose data a request may read: a kiosk only its own (None: asked for
    none in particular, answered with its own), others any of their hall."""
    if principal.role != "kiosk":
        return client_id
    if client_id is not None and client_id != principal.client_id:
        raise refuse(principal, f"read {action} of another kiosk")
    return principal.client_id
