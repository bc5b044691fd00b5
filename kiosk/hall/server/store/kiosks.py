"""What the hall server keeps per kiosk: the offline range it assigned to it.
Functions on a transaction, so that the records and the info answer compose them
with their own work."""

from __future__ import annotations

from datetime import datetime

from kiosk.hall.api import OFFLINE_RANGE_SIZE
from kiosk.queue import MAX_NUMBER, Migrations, Transaction
from kiosk.settings.offline_range import derived_offline_range

# Step 1 of the "kiosks" part (a change is a new step, never an edit of this).
# An offline range is assigned once to a client id and kept: numbers it printed
# offline stay its own on every later day.
KIOSKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS offline_ranges (
    client_id TEXT PRIMARY KEY,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    assigned_at TEXT NOT NULL
);
"""

KIOSKS_MIGRATIONS = Migrations("kiosks", (KIOSKS_SCHEMA,), found_by=("offline_ranges", "first"))

OfflineRange = tuple[int, int]


def assigned_range(tx: Transaction, client_id: str) -> OfflineRange | None:
    row = tx.one("SELECT first, last FROM offline_ranges WHERE client_id = ?", (client_id,))
    return None if row is None else (int(row[0]), int(row[1]))


def taken_ranges(tx: Transaction) -> set[OfflineRange]:
    """Every range assigned in the hall (one query: the hall's scope goes here)."""
    return {(int(row[0]), int(row[1])) for row in tx.all("SELECT first, last FROM offline_ranges")}


def offline_range(
    tx: Transaction, client_id: str, floor: int, now: datetime
) -> OfflineRange | None:
    """The client's own offline numbers, assigned on first use: the range its id
    derives (K01: 900-919) when no other kiosk holds it, so that numbers it printed
    before it ever asked stay valid; else the lowest free one. None when every
    range from the floor up is taken."""
    found = assigned_range(tx, client_id)
    if found is not None:
        return found
    taken = taken_ranges(tx)
    slots = [
        (first, first + OFFLINE_RANGE_SIZE - 1)
        for first in range(floor, MAX_NUMBER + 1, OFFLINE_RANGE_SIZE)
        if first + OFFLINE_RANGE_SIZE - 1 <= MAX_NUMBER
    ]
    free = [slot for slot in slots if not any(_overlap(slot, other) for other in taken)]
    if not free:
        return None
    derived = derived_offline_range(client_id)
    chosen = derived if derived in free else free[0]
    tx.execute(
        "INSERT INTO offline_ranges (client_id, first, last, assigned_at) VALUES (?, ?, ?, ?)",
        (client_id, chosen[0], chosen[1], now.isoformat()),
    )
    return chosen


def _overlap(one: OfflineRange, other: OfflineRange) -> bool:
    return one[0] <= other[1] and other[0] <= one[1]
