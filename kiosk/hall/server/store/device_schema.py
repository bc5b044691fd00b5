"""The kiosks' latest heartbeats in typed tables (step 4 of the hall server's part of
the database): a column for each thing a kiosk's heartbeat tells (kiosk/startup.py
makes it: its printer's condition and severity, the card reader, the scanner, the
outbox's backlog, the app's version) and a row per window keypad it reports.

Only the queue's migrations are imported here: the command line upgrades databases
without loading the web server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kiosk.queue import Transaction
from kiosk.queue.storage import SchemaTransaction

# What a heartbeat's payload may hold as text (each a column of device_health).
HEARTBEAT_TEXTS = ("kiosk", "printer", "printer_severity", "card_reader", "scanner", "app_version")
MAX_TEXT = 100
_WINDOW = re.compile(r"^[0-9]{1,3}$")

DEVICE_HEALTH_SCHEMA = """
CREATE TABLE IF NOT EXISTS device_health (
    client_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    kiosk TEXT,
    printer TEXT,
    printer_severity TEXT,
    card_reader TEXT,
    scanner TEXT,
    app_version TEXT,
    pending INTEGER,
    keypads_reported INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS device_keypads (
    client_id TEXT NOT NULL,
    window_number INTEGER NOT NULL,
    online INTEGER NOT NULL,
    PRIMARY KEY (client_id, window_number)
)
"""


@dataclass(frozen=True)
class Heartbeat:
    """What one heartbeat tells; None: it did not say."""

    texts: dict[str, str]  # of HEARTBEAT_TEXTS
    pending: int | None = None  # records in the kiosk's outbox
    keypads: dict[int, bool] | None = None  # online per window ("keypads_online")


def read_heartbeat(payload: Any) -> tuple[Heartbeat, list[str]]:
    """What a heartbeat's payload tells, and the fields it holds malformed (left out).
    Fields a heartbeat does not carry are not kept."""
    payload = payload if isinstance(payload, dict) else {}
    problems: list[str] = []
    texts: dict[str, str] = {}
    for name in HEARTBEAT_TEXTS:
        value = payload.get(name)
        if isinstance(value, str) and len(value) <= MAX_TEXT:
            texts[name] = value
        elif value is not None:
            problems.append(f"payload.{name}: text of at most {MAX_TEXT} characters")
    pending = payload.get("pending")
    if pending is not None and (type(pending) is not int or not 0 <= pending < 2**31):
        problems.append("payload.pending: a count of records")
        pending = None
    keypads: dict[int, bool] | None = None
    online = payload.get("keypads_online")
    if isinstance(online, dict) and all(
        isinstance(window, str) and _WINDOW.match(window) and isinstance(up, bool)
        for window, up in online.items()
    ):
        keypads = {int(window): up for window, up in online.items()}
    elif online is not None:
        problems.append("payload.keypads_online: window numbers to true or false")
    return Heartbeat(texts, pending, keypads), problems


def write_heartbeat(
    tx: Transaction, client_id: str, at: str, received_at: str, heartbeat: Heartbeat
) -> None:
    """The client's latest heartbeat is this one (its keypads replace the last's)."""
    columns = ", ".join(HEARTBEAT_TEXTS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in HEARTBEAT_TEXTS)
    tx.execute(
        f"INSERT INTO device_health (client_id, at, received_at, {columns}, pending,"
        f" keypads_reported) VALUES (?, ?, ?, {', '.join('?' for _ in HEARTBEAT_TEXTS)}, ?, ?)"
        f" ON CONFLICT (client_id) DO UPDATE SET at = excluded.at,"
        f" received_at = excluded.received_at, {updates}, pending = excluded.pending,"
        " keypads_reported = excluded.keypads_reported",
        (
            client_id,
            at,
            received_at,
            *(heartbeat.texts.get(name) for name in HEARTBEAT_TEXTS),
            heartbeat.pending,
            int(heartbeat.keypads is not None),
        ),
    )
    tx.execute("DELETE FROM device_keypads WHERE client_id = ?", (client_id,))
    for window, up in sorted((heartbeat.keypads or {}).items()):
        tx.execute(
            "INSERT INTO device_keypads (client_id, window_number, online) VALUES (?, ?, ?)",
            (client_id, window, int(up)),
        )


def latest_heartbeats(tx: Transaction) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(client id, at, received at, payload) of every client's latest heartbeat, by
    client id: the payload as the heartbeat said it (what it did not say left out)."""
    columns = ", ".join(HEARTBEAT_TEXTS)
    rows = tx.all(
        f"SELECT client_id, at, received_at, {columns}, pending, keypads_reported"
        " FROM device_health ORDER BY client_id"
    )
    keypads: dict[str, dict[str, bool]] = {}
    for client_id, window, up in tx.all(
        "SELECT client_id, window_number, online FROM device_keypads"
        " ORDER BY client_id, window_number"
    ):
        keypads.setdefault(str(client_id), {})[str(window)] = bool(up)
    found = []
    for row in rows:
        client_id, texts = str(row[0]), row[3 : 3 + len(HEARTBEAT_TEXTS)]
        pending, reported = row[3 + len(HEARTBEAT_TEXTS) :]
        payload: dict[str, Any] = {
            name: value
            for name, value in zip(HEARTBEAT_TEXTS, texts, strict=True)
            if value is not None
        }
        if pending is not None:
            payload["pending"] = int(pending)
        if reported:
            payload["keypads_online"] = keypads.get(client_id, {})
        found.append((client_id, str(row[1]), str(row[2]), payload))
    return found


def typed_heartbeats(tx: SchemaTransaction) -> None:
    """Step 4: the latest heartbeats kept as JSON text (table devices) move into the
    typed tables, what each told that a heartbeat carries (a malformed field is left
    out), and devices goes."""
    tx.script(DEVICE_HEALTH_SCHEMA)
    for client_id, at, received_at, text in tx.all(
        "SELECT client_id, at, received_at, payload FROM devices"
    ):
        try:
            payload = json.loads(str(text))
        except ValueError:
            payload = {}
        heartbeat, _malformed = read_heartbeat(payload)
        write_heartbeat(tx, str(client_id), str(at), str(received_at), heartbeat)
    tx.script("DROP TABLE devices")
