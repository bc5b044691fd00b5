"""Bearer tokens, without loading the web server (for the command line)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.clock import SystemClock
from kiosk.hall.server.principal import Principal, Role
from kiosk.hall.server.store import HallStore, Location
from kiosk.queue import DEFAULT_HALL
from kiosk.settings import Settings


@contextmanager
def _opened(location: Location, settings: Settings) -> Iterator[HallStore]:
    store = HallStore(location, settings, SystemClock())
    try:
        yield store
    finally:
        store.close()


def create_token(
    location: Location,
    client_id: str,
    settings: Settings,
    *,
    role: Role = "kiosk",
    hall: str = DEFAULT_HALL,
    windows: Iterable[int] = (),
    expires_at: datetime | None = None,
) -> str:
    """A new bearer token for the client (a kiosk id, a display, an admin); it
    replaces any earlier one. Only its hash is stored: show it once. A kiosk acts for
    no window unless `windows` grants them."""
    with _opened(location, settings) as store:
        return store.create_token(client_id, role, hall, windows, expires_at)


def revoke_token(location: Location, client_id: str, settings: Settings) -> bool:
    with _opened(location, settings) as store:
        return store.revoke_token(client_id)


def list_tokens(location: Location, settings: Settings) -> list[tuple[str, str]]:
    with _opened(location, settings) as store:
        return store.tokens()


def list_principals(location: Location, settings: Settings) -> list[tuple[Principal, str]]:
    """Every token's holder (role, hall, windows, expiry) and when it was created."""
    with _opened(location, settings) as store:
        return store.principals()


def expiry_of(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """`--expires`: "90d" or "12h" from now, a day (the token works through it) or a
    local time, in the hall's time zone; ValueError naming the forms else."""
    relative = re.fullmatch(r"([0-9]{1,5})([dh])", text.strip())
    if relative is not None:
        amount = int(relative[1])
        return now + (timedelta(days=amount) if relative[2] == "d" else timedelta(hours=amount))
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
            day = datetime.fromisoformat(text.strip()).date() + timedelta(days=1)
            moment = datetime.combine(day, time(), zone)
        else:
            moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--expires: {text!r} is not 90d, 12h, a day (2027-06-30) or a time (2027-06-30T18:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment <= now:
        raise ValueError(f"--expires: {text!r} is already past")
    return moment
