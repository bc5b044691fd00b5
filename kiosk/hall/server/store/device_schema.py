"""The kiosks' device health in typed tables (step 4 of the hall server's part of the
database): the latest heartbeat of each kiosk, a column for each thing a heartbeat
tells (kiosk/startup.py makes it: its printer's condition and severity, the card
reader, the scanner, the outbox's backlog, the app's version) and a row per window
keypad it reports; and the device events between heartbeats (device_states: a
keypad's address, window and whether it answers, the printer's condition, the keypad
bus), the newest of each device.

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
TEXT = f"printable text of at most {MAX_TEXT} characters"
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
);
CREATE TABLE IF NOT EXISTS device_states (
    client_id TEXT NOT NULL,
    device TEXT NOT NULL,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    printer TEXT,
    printer_severity TEXT,
    keypad_address INTEGER,
    keypad_window INTEGER,
    keypad_online INTEGER,
    keypad_bus TEXT,
    PRIMARY KEY (client_id, device)
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
        if _text(value) is not None:
            texts[name] = value
        elif value is not None:
            problems.append(f"payload.{name}: {TEXT}")
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


@dataclass(frozen=True)
class DeviceState:
    """One device's state as its newest event told it: `device` is "printer",
    "keypad_bus" or "keypad:ADDRESS"; the columns of the others stay None."""

    device: str
    printer: str | None = None  # the printer's condition
    printer_severity: str | None = None
    keypad_address: int | None = None
    keypad_window: int | None = None
    keypad_online: bool | None = None
    keypad_bus: str | None = None  # ok or lost

    def shown(self) -> dict[str, Any]:
        """The state as /v1/devices shows it."""
        if self.device == "printer":
            return {"printer": self.printer, "printer_severity": self.printer_severity}
        if self.device == "keypad_bus":
            return {"keypad_bus": self.keypad_bus}
        return {
            "address": self.keypad_address,
            "window": self.keypad_window,
            "online": self.keypad_online,
        }


def _number(value: Any, low: int, high: int) -> int | None:
    return value if type(value) is int and low <= value <= high else None


def _text(value: Any) -> str | None:
    """Printable text of at most MAX_TEXT characters (PostgreSQL keeps no NUL)."""
    fits = isinstance(value, str) and len(value) <= MAX_TEXT and value.isprintable()
    return value if fits else None


def read_device_event(kind: str, payload: Any) -> DeviceState | str | None:
    """The state a device event tells; why it cannot be kept (the field named); None
    for a record that is no device event."""
    payload = payload if isinstance(payload, dict) else {}
    if kind in ("keypad.online", "keypad.offline"):
        address, window = _number(payload.get("address"), 0, 255), payload.get("window")
        if address is None:
            return "payload.address: a keypad address 0..255"
        if window is not None and _number(window, 1, 999) is None:
            return "payload.window: a window number 1..999"
        online = kind == "keypad.online"
        return DeviceState(f"keypad:{address}", None, None, address, window, online)
    if kind == "printer.status":
        condition, severity = payload.get("condition"), payload.get("severity")
        if _text(condition) is None:
            return f"payload.condition: {TEXT}"
        if severity is not None and _text(severity) is None:
            return f"payload.severity: {TEXT}"
        return DeviceState("printer", printer=condition, printer_severity=severity)
    if kind in ("keypads.port_lost", "keypads.port_back"):
        return DeviceState("keypad_bus", keypad_bus="ok" if kind == "keypads.port_back" else "lost")
    return None


def state_of_json(device: str, state: Any) -> DeviceState | None:
    """A device's state as step 3 kept it (JSON text), if it still reads as one."""
    state = state if isinstance(state, dict) else {}
    if device == "printer":
        severity = _text(state.get("printer_severity"))
        return DeviceState(device, printer=_text(state.get("printer")), printer_severity=severity)
    if device == "keypad_bus":
        return DeviceState(device, keypad_bus=_text(state.get("keypad_bus")))
    address = _number(state.get("address"), 0, 255)
    if not device.startswith("keypad:") or address is None:
        return None
    online = state.get("online")
    window = _number(state.get("window"), 1, 999)
    return DeviceState(
        device, None, None, address, window, online if isinstance(online, bool) else None
    )


_STATE_COLUMNS = (
    "printer",
    "printer_severity",
    "keypad_address",
    "keypad_window",
    "keypad_online",
    "keypad_bus",
)


def write_device_state(
    tx: Transaction, client_id: str, at: str, received_at: str, state: DeviceState
) -> None:
    """The device's state is this one, unless a newer event told it already."""
    columns = ", ".join(_STATE_COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in _STATE_COLUMNS)
    online = None if state.keypad_online is None else int(state.keypad_online)
    tx.execute(
        f"INSERT INTO device_states (client_id, device, at, received_at, {columns})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id, device) DO UPDATE SET"
        f" at = excluded.at, received_at = excluded.received_at, {updates}"
        " WHERE excluded.at >= device_states.at",
        (
            client_id,
            state.device,
            at,
            received_at,
            state.printer,
            state.printer_severity,
            state.keypad_address,
            state.keypad_window,
            online,
            state.keypad_bus,
        ),
    )


def device_states(tx: Transaction) -> list[tuple[str, str, str, DeviceState]]:
    """(client id, at, received at, state) of every device's newest event, by client
    and device."""
    rows = tx.all(
        f"SELECT client_id, device, at, received_at, {', '.join(_STATE_COLUMNS)}"
        " FROM device_states ORDER BY client_id, device"
    )
    return [
        (
            str(row[0]),
            str(row[2]),
            str(row[3]),
            DeviceState(
                str(row[1]),
                row[4],
                row[5],
                row[6],
                row[7],
                None if row[8] is None else bool(row[8]),
                row[9],
            ),
        )
        for row in rows
    ]


def typed_device_health(tx: SchemaTransaction) -> None:
    """Step 4: the latest heartbeats and device events kept as JSON text (tables
    devices, device_events) move into the typed tables, what each told that a
    heartbeat or an event carries (a malformed field is left out); the old tables go."""
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
    for client_id, device, at, received_at, text in tx.all(
        "SELECT client_id, device, at, received_at, state FROM device_events"
    ):
        try:
            state = state_of_json(str(device), json.loads(str(text)))
        except ValueError:
            state = None
        if state is not None:
            write_device_state(tx, str(client_id), str(at), str(received_at), state)
    tx.script("DROP TABLE devices;\nDROP TABLE device_events")
