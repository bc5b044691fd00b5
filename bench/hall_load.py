"""Kiosks issuing tickets against a hall server process, for bench/hall.py.

A kiosk is a thread with its own token and HTTP connection, issuing a whole ticket
(reserve with an idempotency key, then commit) as fast as the server answers. Many
kiosks are spread over several client processes, so the client's own GIL does not
become what is measured. The server is `kiosk hall serve` in a session of its own.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import IO

import httpx

from kiosk.hall import api
from tests.helpers.hall_process import HallProcess

QUEUES = ("green", "comprehensive", "priority", "newcomer")
# 10 halls x 10 kiosks on PostgreSQL (issue 14): each hall numbers its queues apart.
HALL_GROUPS = 10


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # ms per whole ticket
    numbers: list[str] = field(default_factory=list)  # hall / business day / number
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def duplicates(self) -> int:
        return len(self.numbers) - len(set(self.numbers))


class Server(HallProcess):
    """`kiosk hall serve` with its options; when it was started, its CPU time."""

    def __init__(self, location: Path | str, log: IO[str], *options: str) -> None:
        self.started = time.perf_counter()
        super().__init__(location, log, *options)

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks


def issue(client: httpx.Client, queue_code: str, load: Load, hall: str = "main") -> None:
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
    load.latencies.append((time.perf_counter() - started) * 1000)
    load.numbers.append(f"{hall}/{reservation.business_day}/{reservation.number}")


def _kiosks(
    url: str,
    kiosks: list[tuple[str, str]],
    tickets: int,
    start: Barrier,
    results: Queue[tuple[list[float], list[str], list[str]]],
    interval: float,
) -> None:
    """One client process: a thread per (token, queue) kiosk."""
    load = Load()
    ready = threading.Barrier(len(kiosks) + 1)

    def kiosk(token: str, queue_code: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            info = client.get(api.PATH_INFO)  # connected before the clock runs
            info.raise_for_status()
            hall = api.InfoOut.model_validate_json(info.content).hall  # numbering's scope
            ready.wait()
            # Paced kiosks start spread over one interval, as taxpayers arrive.
            due = time.perf_counter() + random.uniform(0, interval)
            for _ in range(tickets):
                if interval:
                    time.sleep(max(0.0, due - time.perf_counter()))
                    due += interval
                try:
                    issue(client, queue_code, load, hall)
                except httpx.HTTPError as error:
                    load.failures.append(str(error))

    threads = [threading.Thread(target=kiosk, args=kiosk_of) for kiosk_of in kiosks]
    for thread in threads:
        thread.start()
    ready.wait()
    start.wait()
    for thread in threads:
        thread.join()
    results.put((load.latencies, load.numbers, load.failures))


def run_load(
    url: str,
    kiosks: list[tuple[str, str]],
    tickets_per_kiosk: int,
    processes: int = 1,
    interval: float = 0.0,
) -> Load:
    """Every kiosk (token, queue) issues `tickets_per_kiosk` tickets at once: as fast
    as answered, or one every `interval` seconds."""
    context = multiprocessing.get_context("fork")
    processes = max(1, min(processes, len(kiosks)))
    start = context.Barrier(processes + 1)
    results: Queue[tuple[list[float], list[str], list[str]]] = context.Queue()
    shares = [kiosks[index::processes] for index in range(processes)]
    workers = [
        context.Process(
            target=_kiosks, args=(url, share, tickets_per_kiosk, start, results, interval)
        )
        for share in shares
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    load = Load()
    for _ in workers:
        latencies, numbers, failures = results.get(timeout=600)
        load.latencies += latencies
        load.numbers += numbers
        load.failures += failures
    load.elapsed = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return load
