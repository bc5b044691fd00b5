"""The hall server under ten kiosks: ticket reserve + commit throughput and latency.

The server runs as `kiosk hall serve` in its own process (as in a hall) on
127.0.0.1; ten simulated kiosks, each a thread with its own token and HTTP
connection, issue tickets as fast as the server answers: reserve (with an
idempotency key) then commit, the two calls a printed ticket costs.

    python -m bench.hall [--tickets-per-kiosk N]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

from bench.stats import Figure, figure, table
from kiosk.hall import api
from kiosk.hall.server.tokens import create_token
from kiosk.settings import load_settings

KIOSKS = 10
TICKETS_PER_KIOSK = 60
QUEUES = ("green", "comprehensive", "priority", "newcomer")
ENV = {**os.environ, "KIOSK_CONFIG": ""}


def _issue(
    client: httpx.Client, queue_code: str, latencies: list[float], numbers: list[str]
) -> None:
    started = time.perf_counter()
    request = api.ReserveIn(queue_code=queue_code, idempotency_key=uuid.uuid4().hex)
    answer = client.post(api.PATH_RESERVE, content=request.model_dump_json())
    answer.raise_for_status()
    reservation = api.ReservationOut.model_validate_json(answer.content)
    commit = client.post(
        api.PATH_COMMIT.format(ticket_id=reservation.ticket_id),
        content=api.CommitIn(channel="printed").model_dump_json(),
    )
    commit.raise_for_status()
    latencies.append((time.perf_counter() - started) * 1000)
    numbers.append(f"{reservation.business_day}/{reservation.number}")


def reserve_commit(tickets_per_kiosk: int = TICKETS_PER_KIOSK) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "hall.sqlite3"
        settings = load_settings()
        tokens = [create_token(db, f"K{index:02d}", settings) for index in range(1, KIOSKS + 1)]
        log = (Path(folder) / "server.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "hall", "serve", "--db", str(db), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=ENV,
        )
        assert server.stdout is not None
        url = server.stdout.readline().strip().removeprefix("listening on ")
        latencies: list[float] = []
        numbers: list[str] = []
        failures: list[str] = []
        start = threading.Barrier(KIOSKS + 1)

        def kiosk(index: int) -> None:
            headers = {
                "Authorization": f"Bearer {tokens[index]}",
                "Content-Type": "application/json",
            }
            with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                client.get(api.PATH_INFO).raise_for_status()  # connected before the clock runs
                start.wait()
                for ticket in range(tickets_per_kiosk):
                    try:
                        _issue(client, QUEUES[(index + ticket) % len(QUEUES)], latencies, numbers)
                    except httpx.HTTPError as error:
                        failures.append(str(error))

        try:
            threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(KIOSKS)]
            for thread in threads:
                thread.start()
            start.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            log.close()
    issued = len(latencies)
    note = (
        f"{KIOSKS} kiosks on loopback, server `kiosk hall serve` (SQLite, synchronous=FULL); "
        f"{issued} tickets in {elapsed:.1f} s, {len(failures)} failed, "
        f"{issued - len(set(numbers))} duplicate numbers"
    )
    return [
        Figure(
            "hall server reserve+commit throughput",
            "tickets/s",
            issued / elapsed,
            samples=issued,
            note=note,
            extra={"failures": len(failures), "duplicates": issued - len(set(numbers))},
        ),
        figure("hall server reserve+commit latency", "ms", latencies, target=100.0),
    ]


def run() -> list[Figure]:
    return reserve_commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets-per-kiosk", type=int, default=TICKETS_PER_KIOSK)
    args = parser.parse_args()
    print(table(reserve_commit(args.tickets_per_kiosk)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
