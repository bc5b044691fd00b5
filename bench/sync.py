"""After an outage: how long a kiosk takes to deliver an outbox of 10,000 records to
the hall server on loopback, in batches, with their idempotency keys (target < 10 s).

The server runs in this process on a thread (uvicorn, real HTTP); the kiosk side is
the real journal and sync worker with HttpHall as the sender. The outbox holds what an
outage leaves: offline tickets (reserved, printed), evaluations and heartbeats.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.stats import Figure, figure
from kiosk.clock import SystemClock
from kiosk.hall import api
from kiosk.hall.http import HttpHall
from kiosk.hall.link import HallLink
from kiosk.hall.outbox_delivery import OutboxDeliveryWorker
from kiosk.hall.server.runner import start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.journal import Journal
from kiosk.settings import load_settings

RECORDS = 10_000


def _outage_records(
    count: int, day: str, queues: list[tuple[str, str]]
) -> list[tuple[str, dict[str, Any], str | None]]:
    """What a day offline leaves in the outbox: the kiosk's offline tickets (its own
    range, 900-919 for K01, in every queue), then evaluations, heartbeats, guide slips."""
    records: list[tuple[str, dict[str, Any], str | None]] = []
    for code, prefix in queues:
        for seq in range(900, 920):
            ticket_id = f"bench{code}{seq}"
            number = f"{prefix}{seq:03d}"
            reserved = {"number": number, "queue": code, "business_day": day, "kiosk": "K01"}
            records.append(("ticket.reserved", reserved, ticket_id))
            records.append(("ticket.e_ticket", {"number": number, "reason": "bench"}, ticket_id))
    n = 0
    while len(records) < count:
        n += 1
        kind = n % 4
        if kind in (0, 1):
            records.append(
                (
                    "evaluation.recorded",
                    {
                        "evaluation_id": f"bench{n:08d}",
                        "window": n % 8 + 1,
                        "level": n % 5 + 1,
                        "ticket_number": None,
                        "staff_id": None,
                        "channel": "keypad",
                        "attached": False,
                    },
                    None,
                )
            )
        elif kind == 2:
            records.append(("heartbeat", {"printer": "ok", "keypads": {"1": "ok"}}, None))
        else:
            records.append(
                (
                    "guide_slip.printed",
                    {"matters": ["M0103"], "business_day": day},
                    None,
                )
            )
    return records[:count]


def outbox_flush(records: int = RECORDS, runs: int = 3) -> Figure:
    seconds = []
    batches = 0
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        settings = load_settings()
        for run in range(runs):
            db = base / f"server{run}.sqlite3"
            running = start_in_thread(db, settings)
            kiosk_settings = load_settings(
                overrides={
                    "kiosk": {"id": "K01", "data_dir": str(base / f"kiosk{run}")},
                    "hall": {
                        "backend": "http",
                        "url": running.url,
                        "token": create_token(db, "K01", settings),
                    },
                }
            )
            clock = SystemClock()
            journal = Journal(base / f"journal{run}.sqlite3", clock)
            link = HallLink(clock, journal.pending_outbox)
            hall = HttpHall(kiosk_settings, base / f"link{run}.sqlite3", clock, link)
            worker = OutboxDeliveryWorker(journal, hall, link, clock, batch_size=api.MAX_BATCH)
            try:
                day = hall.business_day().isoformat()
                queues = [(queue.code, queue.prefix) for queue in settings.queues]
                journal.record_many(_outage_records(records, day, queues))
                started = time.perf_counter()
                delivered = worker.flush()
                seconds.append(time.perf_counter() - started)
                if delivered != records or journal.pending_outbox() or journal.refused_outbox():
                    raise RuntimeError(f"{delivered} of {records} records were delivered")
                batches = -(-records // worker.batch_size)
            finally:
                hall.close()
                journal.close()
                running.stop()
    return figure(
        f"outbox flush after an outage, {records} records",
        "s",
        seconds,
        target=10.0,
        note=f"{batches} batches of up to {api.MAX_BATCH} to a server on loopback; "
        f"{records / min(seconds):.0f} records/s at best",
    )


def run() -> list[Figure]:
    return [outbox_flush()]


if __name__ == "__main__":
    from bench.stats import table

    print(table(run()))
