"""Kiosk bearer tokens, without loading the web server (for the command line)."""

from __future__ import annotations

from kiosk.clock import SystemClock
from kiosk.hall.server.store import HallStore, Location
from kiosk.settings import Settings


def create_token(location: Location, client_id: str, settings: Settings) -> str:
    """A new bearer token for the client (a kiosk id, or a window's software); it
    replaces any earlier one. Only its hash is stored: show it once."""
    store = HallStore(location, settings, SystemClock())
    try:
        return store.create_token(client_id)
    finally:
        store.close()


def revoke_token(location: Location, client_id: str, settings: Settings) -> bool:
    store = HallStore(location, settings, SystemClock())
    try:
        return store.revoke_token(client_id)
    finally:
        store.close()


def list_tokens(location: Location, settings: Settings) -> list[tuple[str, str]]:
    store = HallStore(location, settings, SystemClock())
    try:
        return store.tokens()
    finally:
        store.close()
