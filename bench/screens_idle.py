"""200 phone pages and 5 calling displays watching an idle hall: the server's CPU.

A `kiosk hall serve` process of its own; 200 tickets waiting; each ticket's phone page
holds its event stream (`/t/{id}/events`, as the page's EventSource does) and five
displays hold theirs (`/display/events`). Once every stream has its first state, the
server's CPU time (parent and workers, from /proc) is read over a quiet period. All
streams come from this one client process over loopback, so the per-address cap is
raised for the bench (phones in a hall come from 200 addresses).

    python -m bench.screens_idle [--phones N] [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

from bench.hall_load import Server
from bench.stats import Figure, figure, table
from kiosk.hall import api
from tests.helpers.hall_process import kiosk_tokens

PHONES = 200
DISPLAYS = 5
IDLE_SECONDS = 30.0
PERIODS = 6  # the idle time in periods: a median and a p95 of the CPU share
WAIT = 60.0
QUEUES = ("green", "comprehensive", "priority", "newcomer")


def _tickets(url: str, token: str, count: int) -> list[str]:
    """`count` tickets reserved and committed: waiting, spread over four queues."""
    headers = {"Authorization": f"Bearer {token}"}
    ids = []
    with httpx.Client(base_url=url, headers=headers, timeout=WAIT) as client:
        for index in range(count):
            body = {"queue_code": QUEUES[index % len(QUEUES)], "idempotency_key": uuid.uuid4().hex}
            answer = client.post(api.PATH_RESERVE, json=body)
            answer.raise_for_status()
            ticket_id = str(answer.json()["ticket_id"])
            client.post(api.PATH_COMMIT.format(ticket_id=ticket_id), json={}).raise_for_status()
            ids.append(ticket_id)
    return ids


class Watchers:
    """The streams, held open on an event loop of their own until `close`."""

    def __init__(self, url: str, paths: list[str]) -> None:
        self._url = url
        self._paths = paths
        self.first_states = 0
        self.failures: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._run(),))
        self._thread.start()

    async def _watch(self, client: httpx.AsyncClient, path: str, stop: asyncio.Event) -> None:
        try:
            async with client.stream("GET", path) as events:
                events.raise_for_status()
                counted = False
                async for line in events.aiter_lines():
                    if not counted and line.startswith("event: state"):
                        counted = True
                        self.first_states += 1
                    if stop.is_set():
                        return
        except httpx.HTTPError as error:
            if not stop.is_set():
                self.failures.append(f"{path}: {error!r}")

    async def _run(self) -> None:
        self._stop = stop = asyncio.Event()
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        async with httpx.AsyncClient(base_url=self._url, limits=limits, timeout=None) as client:
            tasks = [asyncio.create_task(self._watch(client, path, stop)) for path in self._paths]
            await stop.wait()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def close(self) -> None:
        stop = self._stop
        if stop is not None:
            self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout=WAIT)
        self._loop.close()


def run(phones: int = PHONES, seconds: float = IDLE_SECONDS) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-screens-idle-") as temp:
        folder = Path(temp)
        location = folder / "hall.sqlite3"
        token = kiosk_tokens(location, 1)["K01"]
        with (folder / "server.log").open("w") as log:
            server = Server(location, log, "--max-streams-per-address", str(phones + 50))
            watchers: Watchers | None = None
            try:
                ids = _tickets(server.url, token, phones)
                paths = [api.PATH_STATUS_EVENTS.format(ticket_id=i) for i in ids]
                paths += ["/display/events"] * DISPLAYS
                watchers = Watchers(server.url, paths)
                deadline = time.monotonic() + WAIT
                while watchers.first_states < len(paths) and not watchers.failures:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{watchers.first_states} of {len(paths)} streams")
                    time.sleep(0.1)
                if watchers.failures:
                    raise RuntimeError(watchers.failures[0])
                shares, cpu, elapsed = [], 0.0, 0.0
                for _ in range(PERIODS):  # the hall is idle: what does watching it cost?
                    before, started = server.cpu_seconds(), time.perf_counter()
                    time.sleep(seconds / PERIODS)
                    used = server.cpu_seconds() - before
                    took = time.perf_counter() - started
                    shares.append(used / took * 100)
                    cpu, elapsed = cpu + used, elapsed + took
                open_streams = len(paths) - len(watchers.failures)
            finally:
                if watchers is not None:
                    watchers.close()
                server.stop()
    return [
        figure(
            f"{phones} phone pages and {DISPLAYS} displays watching an idle hall",
            "% of a core",
            shares,
            target=5,
            note=f"server CPU {cpu:.2f} s over {elapsed:.0f} s ({PERIODS} periods),"
            f" {open_streams} event streams open, kiosk hall serve on SQLite",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.screens_idle", description=__doc__)
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--seconds", type=float, default=IDLE_SECONDS)
    args = parser.parse_args()
    print(table(run(args.phones, args.seconds)))


if __name__ == "__main__":
    main()
