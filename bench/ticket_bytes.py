"""Bytes of a standard ticket per printer profile, and its time on the wire."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from bench.stats import Figure
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES
from kiosk.clock import FakeClock
from kiosk.hall.local import LocalHall
from kiosk.journal import Journal
from kiosk.tickets import TicketService, required_documents
from kiosk.triage import route_visit
from tests.helpers.fakes import default_catalog, make_settings

BITS_PER_BYTE = 10  # 8N1: a start bit, eight data bits, a stop bit


def standard_ticket_bytes(native_qr: bool) -> dict[str, int]:
    """The demo's green-channel ticket (发票代开, two documents) on every profile."""
    with tempfile.TemporaryDirectory() as folder:
        settings = make_settings(Path(folder))
        catalog = default_catalog(settings)
        clock = FakeClock()
        hall = LocalHall(Path(folder) / "hall.sqlite3", settings, clock)
        journal = Journal(Path(folder) / "journal.sqlite3", clock)
        service = TicketService(settings, catalog, hall, journal, None)
        route = route_visit([catalog.matter("M0202")], settings)
        reservation = hall.reserve(route.queue.code, ["M0202"], "K01")
        documents = required_documents(route.matters, catalog)
        slip = service.ticket_document(
            reservation, route, documents, service.qr_url(reservation, route.matters), "zh"
        )
        hall.close()
        journal.close()
    sizes = {}
    for name, profile in PROFILES.items():
        sizes[name] = len(render(slip, dataclasses.replace(profile, native_qr=native_qr)).data)
    return sizes


def run() -> list[Figure]:
    figures = []
    for native in (True, False):
        for name, size in standard_ticket_bytes(native).items():
            profile = PROFILES[name]
            kind = "native QR" if native else "raster QR"
            figures.append(
                Figure(
                    f"ticket bytes {name}, {kind}",
                    "bytes",
                    float(size),
                    target=2048.0 if native else None,
                    samples=1,
                    extra={"profile": name, "native_qr": native},
                )
            )
            for baud in (9600, 115200):
                seconds = size * BITS_PER_BYTE / baud
                figures.append(
                    Figure(
                        f"wire time {name}, {kind} @{baud}",
                        "ms",
                        seconds * 1000,
                        samples=1,
                        extra={"profile": name, "baud": baud, "default_baud": profile.default_baud},
                    )
                )
    return figures
