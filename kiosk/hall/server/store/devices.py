"""The kiosks' device health: the latest heartbeat of each (in typed tables:
store/device_schema.py), and the device events (a keypad gone silent, the printer's
paper) that arrived after it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.hall.server.store.base import StoreBase
from kiosk.hall.server.store.device_schema import (
    DeviceState,
    device_states,
    latest_heartbeats,
    read_device_event,
    read_heartbeat,
    write_device_state,
    write_heartbeat,
)
from kiosk.hall.server.store.record_checks import utc_text
from kiosk.queue import Transaction


def note_heartbeat(
    tx: Transaction, client_id: str, record: dict[str, Any], received: datetime
) -> str | None:
    """Keep the latest heartbeat the server received from the client: a kiosk's clock
    (a heartbeat dated 2031) does not decide which is current. Returns why it cannot
    be kept (a field of the wrong type, named), None when it is."""
    heartbeat, problems = read_heartbeat(record.get("payload"))
    if problems:
        return problems[0]
    write_heartbeat(tx, client_id, _seen_at(record, received), received.isoformat(), heartbeat)
    return None


def _seen_at(record: dict[str, Any], received: datetime) -> str:
    """The record's time (fixed-width UTC text), never later than its receipt."""
    at: str = record["at"]
    now = utc_text(received) or at
    return min(at, now)


def note_device_event(
    tx: Transaction, client_id: str, record: dict[str, Any], received: datetime
) -> str | None:
    """Device events between heartbeats update that device's state in /v1/devices at
    once; the newest event wins (its time no later than its receipt: one dated 2031
    does not stick). Returns why an event cannot be kept (the field named)."""
    state = read_device_event(str(record["kind"]), record.get("payload"))
    if isinstance(state, DeviceState):
        write_device_state(tx, client_id, _seen_at(record, received), received.isoformat(), state)
        return None
    return state


class DeviceHealth(StoreBase):
    def devices(self) -> list[dict[str, Any]]:
        """The latest heartbeat per client, with the device events newer than it
        (payload["keypads"][address] = {address, window, online, at}, "printer", ...)."""
        with self.db.read() as tx:
            rows = latest_heartbeats(tx)
            events = device_states(tx)
        found: dict[str, dict[str, Any]] = {
            r[0]: {"client_id": r[0], "at": r[1], "received_at": r[2], "payload": r[3]}
            for r in rows
        }
        heartbeats_at = {r[0]: r[1] for r in rows}
        for client_id, at, received_at, device_state in events:
            entry = found.setdefault(
                client_id,
                {"client_id": client_id, "at": at, "received_at": received_at, "payload": {}},
            )
            if at > entry["at"]:
                entry["at"], entry["received_at"] = at, received_at
            payload = entry["payload"]
            heartbeat_at = heartbeats_at.get(client_id, "")
            state = device_state.shown()
            if device_state.device.startswith("keypad:"):
                keypads = payload.get("keypads")
                if not isinstance(keypads, dict):
                    keypads = payload["keypads"] = {}
                if at >= heartbeat_at or str(state["address"]) not in keypads:
                    keypads[str(state["address"])] = {**state, "at": at}
            elif at >= heartbeat_at:
                payload.update(state)
        return [found[client_id] for client_id in sorted(found)]
