"""The hall link's guarantees, with real processes, real SQLite files and real HTTP on
loopback: kiosks online and offline at overlapping times never issue the same number on
a day; after any outage every ticket and evaluation reaches the server exactly once;
a kiosk killed with SIGKILL in the middle of a sync, or the server killed and
restarted, loses nothing committed.

Each kiosk reaches the server through its own switchable TCP proxy, so one kiosk can
be cut off while another stays online.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from kiosk.app import Kiosk, build_kiosk, load_configuration
from kiosk.evaluation import EvaluationLevel, EvaluationRecorder
from kiosk.hall import api
from kiosk.hall.http import HttpHall
from kiosk.hall.link import LinkDown
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import load_settings
from kiosk.triage import route_visit
from tests.helpers.waiting import wait_for as wait_until

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "KIOSK_CONFIG": "", "PYTHONUNBUFFERED": "1"}


def wait_for(condition: Callable[[], object], seconds: float = 30.0, what: str = "") -> None:
    wait_until(condition, seconds, what)


class LinkProxy:
    """A TCP proxy on loopback that a test switches off (connections cut, new ones
    refused) and on again: one kiosk's network cable."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.up = True
        self.lose_answers = 0  # answers to swallow (the request reaches the server)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink, answers in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(
                    target=self._pump, args=(source, sink, answers), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, answers: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if answers and self._swallow():
                    break  # the server did the work; the kiosk never hears of it
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            self._cut(source, sink)

    def _swallow(self) -> bool:
        with self._lock:
            if self.lose_answers <= 0:
                return False
            self.lose_answers -= 1
            return True

    def _cut(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            with self._lock:
                self._open.discard(sock)

    def down(self) -> None:
        self.up = False
        with self._lock:
            connections = list(self._open)
        self._cut(*connections)

    def retarget(self, port: int) -> None:
        self.target_port = port

    def close(self) -> None:
        self.down()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)


class ServerView:
    """What the hall server holds, read through its API with a token of the test's own."""

    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def records(self, kind: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            reply = self.client.get(
                api.PATH_RECORDS, params={"kind": kind, "limit": 1000, "offset": len(found)}
            )
            reply.raise_for_status()
            page = reply.json()
            found += page["records"]
            if len(found) >= page["total"] or not page["records"]:
                return found

    def total(self, client_id: str) -> int:
        reply = self.client.get(api.PATH_RECORDS, params={"client": client_id, "limit": 1})
        reply.raise_for_status()
        return int(reply.json()["total"])

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        reply = self.client.get(api.PATH_TICKET.format(ticket_id=ticket_id))
        if reply.status_code == 404:
            return None
        reply.raise_for_status()
        return dict(reply.json())

    def close(self) -> None:
        self.client.close()


def machine_file(folder: Path, kiosk_id: str, url: str, token: str, **hall: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    extra = "".join(f"{key} = {json.dumps(value)}\n" for key, value in hall.items())
    path = folder / "kiosk.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            [kiosk]
            id = "{kiosk_id}"
            data_dir = "{folder / "data"}"
            [hall]
            backend = "http"
            url = "{url}"
            token = "{token}"
            connect_timeout_seconds = 1
            request_timeout_seconds = 5
            sync_interval_seconds = 0.05
            """
        )
        + extra
        + '[printer]\nport = "/nonexistent/printer"\n',
        encoding="utf-8",
    )
    return path


def one_matter_per_queue() -> dict[str, str]:
    settings, catalog = load_configuration(None)
    chosen: dict[str, str] = {}
    for matter in catalog.matters:
        chosen.setdefault(route_visit([matter], settings).queue.code, matter.code)
    return chosen


def issue(kiosk: Kiosk, matter_code: str) -> dict[str, str]:
    route = route_visit([kiosk.catalog.matter(matter_code)], kiosk.settings)
    ticket = kiosk.tickets.issue(route, "zh")
    reservation = ticket.reservation
    return {
        "ticket_id": reservation.ticket_id,
        "number": reservation.number,
        "queue": reservation.queue_code,
        "day": reservation.business_day.isoformat(),
    }


def assert_unique_numbers(tickets: list[dict[str, str]]) -> None:
    counts = Counter((ticket["day"], ticket["queue"], ticket["number"]) for ticket in tickets)
    assert [key for key, count in counts.items() if count > 1] == []


def assert_exactly_once(
    view: ServerView, tickets: list[dict[str, str]], evaluations: list[str]
) -> None:
    reserved = Counter(record["ticket_id"] for record in view.records("ticket.reserved"))
    assert {ticket["ticket_id"]: reserved[ticket["ticket_id"]] for ticket in tickets} == {
        ticket["ticket_id"]: 1 for ticket in tickets
    }
    voted = Counter(
        record["payload"]["evaluation_id"] for record in view.records("evaluation.recorded")
    )
    assert {evaluation: voted[evaluation] for evaluation in evaluations} == dict.fromkeys(
        evaluations, 1
    )
    for ticket in tickets:
        held = view.ticket(ticket["ticket_id"])
        assert held is not None, ticket
        assert (held["number"], held["queue_code"]) == (ticket["number"], ticket["queue"])
        assert held["status"] == "waiting"


# ---- two and three kiosks, in this process; the server on a thread -------------------


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[tuple[RunningHall, Path]]:
    db = tmp_path / "server.sqlite3"
    running = start_in_thread(db, load_settings())
    yield running, db
    running.stop()


def test_kiosks_offline_at_overlapping_times_never_share_a_number_and_all_arrives_once(
    hall_server: tuple[RunningHall, Path], tmp_path: Path
) -> None:
    running, db = hall_server
    settings = load_settings()
    port = int(running.url.rsplit(":", 1)[1])
    matters = one_matter_per_queue()
    kiosks: dict[str, Kiosk] = {}
    proxies: dict[str, LinkProxy] = {}
    desks: dict[str, EvaluationRecorder] = {}
    for kiosk_id in ("K01", "K02", "K03"):
        proxies[kiosk_id] = LinkProxy(port)
        if kiosk_id == "K03":
            proxies[kiosk_id].down()  # K03 never connects before its tickets
        file = machine_file(
            tmp_path / kiosk_id,
            kiosk_id,
            proxies[kiosk_id].url,
            create_token(db, kiosk_id, settings),
            lease_size=4,
        )
        kiosk_settings, catalog = load_configuration(file)
        kiosks[kiosk_id] = build_kiosk(kiosk_settings, catalog)
        desks[kiosk_id] = EvaluationRecorder(
            kiosks[kiosk_id].journal, kiosks[kiosk_id].clock, timezone="Asia/Shanghai"
        )
    view = ServerView(running.url, create_token(db, "TEST", settings, role="admin"))
    tickets: list[dict[str, str]] = []
    evaluations: list[str] = []

    def take(kiosk_id: str, count: int, queue: str = "green") -> None:
        for _ in range(count):
            tickets.append(issue(kiosks[kiosk_id], matters[queue]))

    def vote(kiosk_id: str) -> None:
        evaluation = desks[kiosk_id].vote(3, EvaluationLevel.DISSATISFIED)
        evaluations.append(evaluation.evaluation_id)

    try:
        for kiosk in kiosks.values():
            kiosk.start_background()
        k01, k02 = kiosks["K01"].hall, kiosks["K02"].hall
        assert isinstance(k01, HttpHall)
        assert isinstance(k02, HttpHall)
        wait_for(lambda: k01.leased_left("green") and k02.leased_left("green"), what="leases")
        take("K01", 2)
        take("K02", 2)
        take("K03", 3)  # never connected: its own range
        proxies["K01"].down()
        take("K01", 6)  # the leased block of 4, then its own range
        take("K02", 2)  # online meanwhile
        vote("K01")
        proxies["K02"].down()
        proxies["K01"].up = True
        proxies["K03"].up = True
        take("K02", 6)  # offline: its block, then its own range
        take("K01", 3)
        take("K03", 2, "comprehensive")
        vote("K02")
        vote("K03")
        proxies["K02"].up = True
        take("K02", 2, "comprehensive")
        assert_unique_numbers(tickets)
        numbers = {ticket["number"] for ticket in tickets if ticket["queue"] == "green"}
        assert {"G900", "G920", "G940"} <= numbers  # every kiosk worked offline
        for kiosk in kiosks.values():
            wait_for(lambda kiosk=kiosk: kiosk.journal.pending_outbox() == 0, what="outbox")
            assert kiosk.journal.refused_outbox() == []
            status = kiosk.hall_link_status()
            assert status is not None
            assert status.online
        assert_exactly_once(view, tickets, evaluations)
        devices = view.client.get(api.PATH_DEVICES).json()["devices"]
        health = {device["client_id"]: device["payload"] for device in devices}
        assert set(health) >= {"K01", "K02", "K03"}  # each kiosk's heartbeat arrived
        assert health["K01"]["printer"] in {"unknown", "offline"}  # no printer at this kiosk
        assert health["K01"]["kiosk"] == "K01"
        # The server's own numbering skipped every leased block and offline range.
        after = issue(kiosks["K01"], matters["green"])
        assert after["number"] not in numbers
    finally:
        view.close()
        for kiosk in kiosks.values():
            kiosk.close()
        for proxy in proxies.values():
            proxy.close()


def test_lost_answers_are_repeated_with_their_keys_and_change_nothing_twice(
    hall_server: tuple[RunningHall, Path], tmp_path: Path
) -> None:
    running, db = hall_server
    settings = load_settings()
    proxy = LinkProxy(int(running.url.rsplit(":", 1)[1]))
    file = machine_file(tmp_path / "K01", "K01", proxy.url, create_token(db, "K01", settings))
    kiosk = build_kiosk(*load_configuration(file))
    view = ServerView(running.url, create_token(db, "TEST", settings, role="admin"))
    matter = one_matter_per_queue()["green"]
    try:
        first = issue(kiosk, matter)
        proxy.lose_answers = 1  # the reservation is made, its answer lost: asked again
        second = issue(kiosk, matter)
        third = issue(kiosk, matter)
        assert [first["number"], second["number"], third["number"]] == ["G001", "G002", "G003"]
        evaluation = EvaluationRecorder(kiosk.journal, kiosk.clock, timezone="Asia/Shanghai").vote(
            1, EvaluationLevel.SATISFIED
        )
        sync = kiosk.outbox_delivery
        assert sync is not None
        proxy.lose_answers = 1  # the batch is stored, its answer lost: sent again later
        with pytest.raises(LinkDown):
            sync.flush()
        assert kiosk.journal.pending_outbox() > 0
        wait_for(lambda: sync.cycle() and kiosk.journal.pending_outbox() == 0, what="flush")
        assert_exactly_once(view, [first, second, third], [evaluation.evaluation_id])
    finally:
        view.close()
        kiosk.close()
        proxy.close()


# ---- processes: a kiosk and the server killed with SIGKILL ---------------------------

DRIVER = """
import json, sys, threading
from pathlib import Path
from kiosk.app import build_kiosk, load_configuration
from kiosk.evaluation import EvaluationLevel, EvaluationRecorder
from kiosk.triage import route_visit

config = Path(sys.argv[1])
count, votes, batch = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
matters = sys.argv[5].split(",")
settings, catalog = load_configuration(config)
kiosk = build_kiosk(settings, catalog)
kiosk.outbox_delivery.batch_size = batch
kiosk.start_background()
desk = EvaluationRecorder(kiosk.journal, kiosk.clock, timezone=settings.kiosk.timezone)
for n in range(count):
    route = route_visit([catalog.matter(matters[n % len(matters)])], settings)
    reservation = kiosk.tickets.issue(route, "zh").reservation
    print(json.dumps({"ticket_id": reservation.ticket_id, "number": reservation.number,
                      "queue": reservation.queue_code,
                      "day": reservation.business_day.isoformat()}), flush=True)
for n in range(votes):
    print(json.dumps({"evaluation_id": desk.vote(n % 8 + 1, EvaluationLevel(n % 5 + 1))
                      .evaluation_id}), flush=True)
print(json.dumps({"done": True}), flush=True)
threading.Event().wait()
"""


class Process:
    def __init__(self, args: list[str], log: Path, cwd: Path = REPO) -> None:
        self.log = log
        self._log_file = log.open("a", encoding="utf-8")
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            env=ENV,
        )
        assert self.popen.stdout is not None
        self.stdout: IO[str] = self.popen.stdout

    def line(self) -> str:
        line = self.stdout.readline()
        assert line, f"the process ended: {self.log.read_text(encoding='utf-8')[-2000:]}"
        return line.strip()

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.stdout.close()
        self._log_file.close()


def start_server(db: Path, port: int = 0) -> tuple[Process, int]:
    server = Process(
        [sys.executable, "-m", "cli", "hall", "serve", "--db", str(db), "--port", str(port)],
        db.parent / "server.log",
    )
    line = server.line()
    assert line.startswith("listening on http://127.0.0.1:"), line
    return server, int(line.rsplit(":", 1)[1])


def start_kiosk(
    driver: Path, config: Path, count: int, votes: int, batch: int, matters: list[str]
) -> Process:
    return Process(
        [
            sys.executable,
            str(driver),
            str(config),
            str(count),
            str(votes),
            str(batch),
            ",".join(matters),
        ],
        config.parent / "kiosk.log",
    )


def read_issued(kiosk: Process) -> tuple[list[dict[str, str]], list[str]]:
    tickets: list[dict[str, str]] = []
    evaluations: list[str] = []
    while True:
        item = json.loads(kiosk.line())
        if item.get("done"):
            return tickets, evaluations
        if "evaluation_id" in item:
            evaluations.append(item["evaluation_id"])
        else:
            tickets.append(item)


def pending(journal: Path) -> int:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5) as raw:
        return int(
            raw.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
        )


@pytest.fixture
def driver(tmp_path: Path) -> Path:
    path = tmp_path / "driver.py"
    path.write_text(DRIVER, encoding="utf-8")
    return path


def test_a_kiosk_killed_in_the_middle_of_a_sync_loses_nothing(
    hall_server: tuple[RunningHall, Path], tmp_path: Path, driver: Path
) -> None:
    running, db = hall_server
    settings = load_settings()
    proxy = LinkProxy(int(running.url.rsplit(":", 1)[1]))
    proxy.down()
    view = ServerView(running.url, create_token(db, "TEST", settings, role="admin"))
    config = machine_file(tmp_path / "K01", "K01", proxy.url, create_token(db, "K01", settings))
    journal = tmp_path / "K01" / "data" / "journal.sqlite3"
    matters = list(one_matter_per_queue().values())[:3]
    kiosk = start_kiosk(driver, config, 30, 10, 2, matters)
    try:
        tickets, evaluations = read_issued(kiosk)  # all offline
        expected = len(tickets) * 2 + len(evaluations)  # reserved + e_ticket, votes
        assert pending(journal) >= expected
        proxy.up = True
        wait_for(lambda: view.total("K01") > 0, what="the sync to begin")
        kiosk.kill()  # in the middle of it: batches of two records
        assert view.total("K01") < expected
        assert pending(journal) > 0
        kiosk = start_kiosk(driver, config, 0, 0, 500, matters)
        assert read_issued(kiosk) == ([], [])
        wait_for(lambda: pending(journal) == 0, what="the outbox to empty after the restart")
        assert_unique_numbers(tickets)
        assert_exactly_once(view, tickets, evaluations)
    finally:
        kiosk.stop()
        view.close()
        proxy.close()


def test_a_server_killed_and_restarted_keeps_its_numbering_and_everything_committed(
    tmp_path: Path,
) -> None:
    settings = load_settings()
    db = tmp_path / "server.sqlite3"
    server, port = start_server(db)
    config = machine_file(
        tmp_path / "K01",
        "K01",
        f"http://127.0.0.1:{port}",
        create_token(db, "K01", settings),
        lease_size=3,
    )
    view = ServerView(f"http://127.0.0.1:{port}", create_token(db, "TEST", settings, role="admin"))
    matters = list(one_matter_per_queue().values())[:2]
    kiosk_settings, catalog = load_configuration(config)
    kiosk = build_kiosk(kiosk_settings, catalog)
    desk = EvaluationRecorder(kiosk.journal, kiosk.clock, timezone="Asia/Shanghai")
    hall = kiosk.hall
    assert isinstance(hall, HttpHall)
    try:
        kiosk.start_background()
        online = [issue(kiosk, matters[n % 2]) for n in range(6)]
        votes = [desk.vote(2, EvaluationLevel.SATISFIED).evaluation_id for _ in range(3)]
        wait_for(lambda: all(hall.leased_left(t["queue"]) for t in online), what="leases")
        server.kill()  # whatever the kiosk was sending at that moment
        offline = [issue(kiosk, matters[n % 2]) for n in range(10)]
        votes += [desk.vote(3, EvaluationLevel.VERY_SATISFIED).evaluation_id for _ in range(2)]
        assert not hall.link.online
        assert {ticket["number"][1:] for ticket in offline} & {"900", "901"}  # own range
        server.stop()
        server, _ = start_server(db, port)
        wait_for(lambda: kiosk.journal.pending_outbox() == 0, what="the outbox after restart")
        tickets = online + offline
        assert_unique_numbers(tickets)
        assert_exactly_once(view, tickets, votes)
        # The restarted server kept its numbering: the next number is past all of them.
        queue = online[0]["queue"]
        issued = [int(t["number"][1:]) for t in tickets if t["queue"] == queue]
        after = issue(kiosk, matters[0])
        assert after["queue"] == queue
        assert max(n for n in issued if n < 900) < int(after["number"][1:]) < 900
    finally:
        kiosk.close()
        view.close()
        server.stop()
