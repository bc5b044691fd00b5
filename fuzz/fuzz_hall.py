"""The hall API client (kiosk/hall/http.py) on any answer from a hall server: status code
and body of every call, and the event stream (SSE).

A server that answers garbage must make the client raise only HallError or
LinkDown (the hall is unreachable) or fall back to its offline numbers, never
anything else. The server is an httpx.MockTransport in the same process: no
network. Long run: `python -m fuzz hall -max_total_time=60`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import httpx

from fuzz._harness import main_for
from kiosk.clock import FakeClock
from kiosk.hall.base import HallError, QueueState, Reservation, TicketChannel
from kiosk.hall.http import HttpHall
from kiosk.hall.http.event_stream import sse_events
from kiosk.hall.link import HallLink, LinkDown
from kiosk.settings import load_settings
from kiosk.taxpayer import Identity, IdentityKind, TaxpayerProfile

STATUSES = (200, 200, 200, 200, 201, 204, 301, 400, 401, 404, 409, 422, 500, 503)
TIMED = '"server_time": "2026-11-23T01:30:00+00:00", "business_day": "2026-11-23"'
EVENT = '{"id": 7, "kind": "called", "at": "2026-11-23T01:30:00+08:00", "window": 3}'


class FakeServer:
    """What the fake hall server answers next."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""

    def handle(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            self.status, content=self.body, headers={"Content-Type": "application/json"}
        )


def make_hall(folder: Path) -> tuple[HttpHall, FakeServer, FakeClock]:
    """A client of a fake hall server; its state lives in `folder`."""
    settings = load_settings(
        overrides={
            "kiosk": {"id": "K01", "data_dir": str(folder / "data")},
            "hall": {
                "backend": "http",
                "url": "http://hall.fuzz.invalid",
                "token": "fuzz-token",
                "sync_interval_seconds": 0.05,
            },
        }
    )
    server, clock = FakeServer(), FakeClock()
    hall = HttpHall(
        settings,
        folder / "link.sqlite3",
        clock,
        HallLink(clock),
        transport=httpx.MockTransport(server.handle),
    )
    return hall, server, clock


@cache
def _hall() -> tuple[HttpHall, FakeServer, FakeClock]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-hall-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    made = make_hall(folder)
    atexit.register(made[0].close)
    return made


def _events(hall: HttpHall, body: bytes) -> None:
    lines = body.decode("utf-8", errors="replace").splitlines()
    for kind, event_id, data in sse_events(iter(lines)):
        hall.event_stream.on_event(kind, event_id, data)


def _reserve_and_commit(hall: HttpHall) -> None:
    reservation = hall.reserve("green", ["A01"], "K01")
    assert isinstance(reservation, Reservation)
    hall.commit(reservation.ticket_id, TicketChannel.PRINTED)


APPOINTMENT = Identity(IdentityKind.APPOINTMENT_CODE, "YY20261123", "YY20261123")
CALLS: list[Callable[[HttpHall], object]] = [
    lambda hall: _check(hall.queue_states(), dict),
    _reserve_and_commit,
    lambda hall: _check(hall.taxpayer_profile(APPOINTMENT), TaxpayerProfile),
    lambda hall: hall.call_next_at(1),
    lambda hall: hall.probe(),
    lambda hall: hall.maintain(),
    lambda hall: hall.send([]),
    lambda hall: hall.ticket_status("0123456789abcdef"),
    lambda hall: hall.pause_window(2),
]


def _check(value: object, kind: type) -> object:
    assert isinstance(value, kind), f"{type(value).__name__} instead of {kind.__name__}"
    if isinstance(value, dict):
        assert all(isinstance(state, QueueState) for state in value.values())
    return value


SEEDS = [
    bytes([0, 0]) + ("{" + TIMED + ', "queues": []}').encode(),
    bytes([0, 2]) + ("{" + TIMED + ', "known": true, "credit_level": "A"}').encode(),
    bytes([0, 3]) + ("{" + TIMED + f', "event": {EVENT}, "paused": false' + "}").encode(),
    # Valid as InfoOut and LeaseOut at once: maintain() reaches the number leases.
    bytes([0, 5])
    + (
        "{" + TIMED + ', "client_id": "K01", "offline_floor": 900, "catalog_version": "1",'
        ' "timezone": "Asia/Shanghai", "hall_name_zh": "厅", "hall_name_en": "Hall",'
        ' "blocks": [{"queue_code": "green", "prefix": "G", "first": 101, "last": 120}]}'
    ).encode(),
    bytes([7, 1]) + json.dumps({"detail": "queue_code: unknown queue"}).encode(),
    bytes([0, len(CALLS)]) + f"event: called\nid: 7\ndata: {EVENT}\n\n".encode(),
]


def fuzz_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    hall, server, clock = _hall()
    server.status = STATUSES[data[0] % len(STATUSES)]
    server.body = data[2:]
    clock.advance(1.0)  # an offline link is due for a probe again
    call = data[1] % (len(CALLS) + 1)
    if call == len(CALLS):
        _events(hall, data[2:])
        return
    with contextlib.suppress(HallError, LinkDown):
        CALLS[call](hall)


def main() -> None:
    main_for("hall")


if __name__ == "__main__":
    main()
