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

# Step 2: ranges are per hall (numbering is: the same number in two halls is two
# tickets), so each hall has its five ranges from 900 up. A range assigned before
# belongs to the hall of its client's token (else to the default hall).
HALL_STEP = """
ALTER TABLE offline_ranges ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
UPDATE offline_ranges SET hall = (
    SELECT tokens.hall FROM tokens WHERE tokens.client_id = offline_ranges.client_id
) WHERE client_id IN (SELECT client_id FROM tokens);
CREATE INDEX IF NOT EXISTS offline_ranges_by_hall ON offline_ranges (hall)
"""

KIOSKS_MIGRATIONS = Migrations(
    "kiosks", (KIOSKS_SCHEMA, HALL_STEP), found_by=("offline_ranges", "first")
)

OfflineRange = tuple[int, int]


def assigned_range(tx: Transaction, client_id: str, hall: str) -> OfflineRange | None:
    row = tx.one(
        "SELECT first, last FROM offline_ranges WHERE client_id = ? AND hall = ?",
        (client_id, hall),
    )
    return None if row is None else (int(row[0]), int(row[1]))


def taken_ranges(tx: Transaction, hall: str) -> set[OfflineRange]:
    """Every range assigned in the hall."""
    rows = tx.all("SELECT first, last FROM offline_ranges WHERE hall = ?", (hall,))
    return {(int(row[0]), int(row[1])) for row in rows}


def offline_range(
    tx: Transaction, client_id: str, hall: str, floor: int, now: datetime
) -> OfflineRange | None:
    """The client's own offline numbers in its hall, assigned on first use: the
    range its id derives (K01: 900-919) when no other kiosk of the hall holds it, so
    that numbers it printed before it ever asked stay valid; else the lowest free
    one. None when every range from the floor up is taken in the hall. A kiosk
    moved to another hall (its token made anew) leaves its range in the old one."""
    found = assigned_range(tx, client_id, hall)
    if found is not None:
        return found
    taken = taken_ranges(tx, hall)
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
    tx.execute("DELETE FROM offline_ranges WHERE client_id = ?", (client_id,))
    tx.execute(
        "INSERT INTO offline_ranges (client_id, hall, first, last, assigned_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (client_id, hall, chosen[0], chosen[1], now.isoformat()),
    )
    return chosen


def _overlap(one: OfflineRange, other: OfflineRange) -> bool:
    return one[0] <= other[1] and other[0] <= one[1]
