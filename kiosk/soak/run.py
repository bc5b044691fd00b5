"""The soak orchestrator: processes, emulators, window software, faults, drain, audit."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from drivers.keypad.protocol import KeypadEvent
from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.keypads import KeypadBusEmulator
from drivers.sim.printer import PrinterEmulator
from kiosk.hall import api
from kiosk.hall.server import create_token
from kiosk.settings import Settings, load_settings
from kiosk.soak.audit import (
    AuditResult,
    KioskEvidence,
    Vote,
    audit,
    integrity_ok,
    journal_tickets,
    read_journal,
    read_server,
    slip_number,
)
from kiosk.soak.faults import Fault
from kiosk.triage import ALWAYS_OPEN
from kiosk.windows import all_windows

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0
STOP_SECONDS = 30.0
DRAIN_SECONDS = 90.0
KIOSK_IDS = ("K01", "K02", "K03", "K04", "K05")
# Cards of drivers/sim/cards.toml that the kiosk must refuse.
REFUSED_CARDS = frozenset({"expired", "bad_check"})


class SoakError(Exception):
    """The soak could not run (not a failed audit); the message says why."""


@dataclass
class SoakOptions:
    minutes: float
    rate: float  # taxpayers per minute at each kiosk
    kiosks: int
    faults: list[Fault]
    seed: int = 1
    keep: Path | None = None
    progress: Callable[[str], None] = field(default=lambda _line: None)


@dataclass
class SoakResult:
    minutes: float
    kiosks: int
    audit: AuditResult
    faults_scheduled: int
    faults_injected: list[str]
    outcomes: dict[str, int]
    work_dir: Path | None

    @property
    def passed(self) -> bool:
        return self.audit.passed and len(self.faults_injected) == self.faults_scheduled

    def verdict(self) -> str:
        a = self.audit
        line = (
            f"soak: {'PASS' if self.passed else 'FAIL'} {self.minutes:.1f} min, "
            f"{self.kiosks} kiosk{'s' if self.kiosks != 1 else ''}, "
            f"{a.tickets} tickets ({a.printed} printed, "
            f"{a.e_tickets} e-tickets, {a.voided} voided"
            + (f", {a.interrupted} cut short by SIGKILL" if a.interrupted else "")
            + f"), {a.duplicates} duplicates, {a.votes_pressed} votes "
            f"({a.votes_at_server} at server), {len(self.faults_injected)} faults"
            f"{self._of_scheduled()}"
            f", journals {'ok' if a.journals_ok else 'DAMAGED'}, "
            f"{'LEAKS' if a.leaks else 'no leaks'}"
        )
        failures = list(a.failures)
        if len(self.faults_injected) != self.faults_scheduled:
            failures.append(
                f"{len(self.faults_injected)} of {self.faults_scheduled} faults were injected"
            )
        return line + "".join(f"\n  - {failure}" for failure in failures)

    def _of_scheduled(self) -> str:
        injected = len(self.faults_injected)
        return "" if injected == self.faults_scheduled else f" of {self.faults_scheduled}"

    def as_json(self) -> dict[str, Any]:
        return {
            **self.audit.as_json(),
            "passed": self.passed,
            "minutes": self.minutes,
            "kiosks": self.kiosks,
            "faults_scheduled": self.faults_scheduled,
            "faults_injected": len(self.faults_injected),
            "faults": self.faults_injected,
            "outcomes": self.outcomes,
            "work_dir": None if self.work_dir is None else str(self.work_dir),
        }


# ---- processes -------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "KIOSK_CONFIG": "",
        "PYTHONUNBUFFERED": "1",
        "QT_QPA_PLATFORM": "offscreen",
    }


class ServerProcess:
    """`kiosk hall serve` on loopback; restarted on the same port after a kill."""

    def __init__(self, db: Path, log_path: Path) -> None:
        self.db = db
        self.log_path = log_path
        self.port = 0
        self.popen: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "cli", "hall", "serve", "--db", str(self.db)]
        deadline = time.monotonic() + START_SECONDS
        while True:
            with self.log_path.open("a", encoding="utf-8") as log_file:
                popen = subprocess.Popen(
                    [*command, "--port", str(self.port)],
                    cwd=REPO,
                    stdout=subprocess.PIPE,
                    stderr=log_file,
                    stdin=subprocess.DEVNULL,
                    text=True,
                    env=_env(),
                )
            assert popen.stdout is not None
            line = popen.stdout.readline().strip()
            if line.startswith("listening on http://127.0.0.1:"):
                self.port = int(line.rsplit(":", 1)[1])
                self.popen = popen
                threading.Thread(target=_drain, args=(popen.stdout,), daemon=True).start()
                return
            popen.wait(timeout=10)
            popen.stdout.close()
            if time.monotonic() > deadline:
                raise SoakError(f"the hall server did not start (see {self.log_path})")
            time.sleep(0.5)  # the port of a killed server may take a moment

    def kill(self) -> None:
        if self.popen is not None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(timeout=10)
            self.popen = None

    def stop(self) -> None:
        popen, self.popen = self.popen, None
        if popen is None:
            return
        popen.terminate()
        try:
            popen.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=10)


def _drain(stream: IO[str]) -> None:
    with contextlib.suppress(OSError, ValueError):
        for _ in stream:
            pass


@dataclass
class KioskDevices:
    printer: PrinterEmulator
    reader: SamReaderEmulator
    reader_link: Path  # the path the kiosk opens: a symlink to the reader's pty (udev-like)
    card_keys: list[str]


class KioskProcess:
    """One kiosk subprocess (`python -m ui.soak_kiosk`) and what it reports."""

    def __init__(
        self,
        kiosk_id: str,
        config: Path,
        rate: float,
        seed: int,
        devices: KioskDevices,
        rng: random.Random,
    ) -> None:
        self.kiosk_id = kiosk_id
        self.config = config
        self.rate = rate
        self.seed = seed
        self.devices = devices
        self.rng = rng
        self.kills = 0
        self.lock = threading.Lock()
        self.pending: int | None = None
        self.pending_at = 0.0
        self.idle = False
        self.ready = threading.Event()
        self.outcomes: dict[str, int] = {}
        self.final: dict[str, Any] | None = None
        self.popen: subprocess.Popen[str] | None = None
        self.log_path = config.parent / "kiosk.log"

    def start(self) -> None:
        self.ready.clear()
        self.final = None
        self.idle = False
        with self.log_path.open("a", encoding="utf-8") as log_file:
            self.popen = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ui.soak_kiosk",
                    "--config",
                    str(self.config),
                    "--rate",
                    str(self.rate),
                    "--seed",
                    str(self.seed + 1000 * self.kills),
                ],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
                env=_env(),
            )
        threading.Thread(target=self._read, args=(self.popen,), daemon=True).start()
        if not self.ready.wait(START_SECONDS):
            raise SoakError(f"kiosk {self.kiosk_id} did not start (see {self.log_path})")

    def _read(self, popen: subprocess.Popen[str]) -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(message, dict):
                continue
            self._on_message(message)

    def _on_message(self, message: dict[str, Any]) -> None:
        devices = self.devices
        if message.get("ready"):
            self.ready.set()
        elif "card" in message:
            if message["card"] == "insert":
                # Mostly good cards; now and then an expired or misprinted one (refused).
                refused = [key for key in devices.card_keys if key in REFUSED_CARDS]
                good = [key for key in devices.card_keys if key not in REFUSED_CARDS]
                pool = refused if refused and self.rng.random() < 0.1 else good
                devices.reader.insert(self.rng.choice(pool or devices.card_keys))
            else:
                devices.reader.remove()
        elif "outcome" in message:
            with self.lock:
                name = str(message["outcome"])
                self.outcomes[name] = self.outcomes.get(name, 0) + 1
        elif "pending" in message:
            with self.lock:
                self.pending = int(message["pending"])
                self.pending_at = time.monotonic()
                self.idle = bool(message.get("idle"))
        elif "stopped" in message:
            self.final = dict(message["stopped"])

    def send(self, command: str) -> None:
        popen = self.popen
        if popen is None or popen.stdin is None:
            return
        with contextlib.suppress(OSError, ValueError):
            popen.stdin.write(command + "\n")
            popen.stdin.flush()

    def kill(self) -> None:
        popen, self.popen = self.popen, None
        if popen is not None:
            popen.send_signal(signal.SIGKILL)
            popen.wait(timeout=10)
            self.kills += 1
            with self.lock:
                self.pending = None

    def stop(self) -> None:
        """SIGTERM: the kiosk stops cleanly and reports its resource counts."""
        popen, self.popen = self.popen, None
        if popen is None:
            return
        popen.terminate()
        try:
            popen.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=10)
        deadline = time.monotonic() + 5
        while self.final is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the reader thread reads the last line


def machine_file(
    folder: Path,
    kiosk_id: str,
    url: str,
    token: str,
    printer: str,
    reader: Path,
    keypads: str | None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    routing = "".join(f"{key} = {json.dumps(value)}\n" for key, value in ALWAYS_OPEN.items())
    text = (
        f'[kiosk]\nid = "{kiosk_id}"\ndata_dir = "{folder / "data"}"\n'
        f'[hall]\nbackend = "http"\nurl = "{url}"\ntoken = "{token}"\n'
        "connect_timeout_seconds = 1\nrequest_timeout_seconds = 3\n"
        "sync_interval_seconds = 0.5\n"
        f'[printer]\nport = "{printer}"\n'
        f'[identification]\nreader_port = "{reader}"\n'
        "[ui]\nfullscreen = false\n"
        f"[routing]\n{routing}"
    )
    if keypads is not None:
        text += f'[keypads]\nport = "{keypads}"\n'
    path = folder / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _point(link: Path, target: str) -> None:
    """Atomically (re)point the symlink `link` at `target`."""
    temporary = link.with_name(link.name + ".new")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


# ---- the run ---------------------------------------------------------------------------


class Soak:
    def __init__(self, options: SoakOptions) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        self.settings: Settings = load_settings(None)
        self.stop_event = threading.Event()
        self.arrivals_over = threading.Event()
        self.kiosks: list[KioskProcess] = []
        self.keypads: KeypadBusEmulator | None = None
        self.window_of: dict[int, int] = {}
        self.pressed: list[Vote] = []
        self.injected: list[str] = []
        self.fault_errors: list[str] = []
        self._threads: list[threading.Thread] = []
        self._vote_lock = threading.Lock()

    def say(self, text: str) -> None:
        self.options.progress(text)

    # ---- set-up ----

    def run(self) -> SoakResult:
        options = self.options
        if not 1 <= options.kiosks <= len(KIOSK_IDS):
            raise SoakError(f"--kiosks is 1..{len(KIOSK_IDS)}")
        keep = options.keep
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix="soak-", dir=keep))
        else:
            work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
        try:
            result = self._run_in(work)
        finally:
            if keep is None:
                shutil.rmtree(work, ignore_errors=True)
        return result

    def _run_in(self, work: Path) -> SoakResult:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per window action
        options = self.options
        db = work / "server.sqlite3"
        self.server = ServerProcess(db, work / "server.log")
        self.server.start()
        self.say(f"hall server on {self.server.url}")
        windows = all_windows(self.settings)
        self.window_of = self.settings.keypads.address_windows(windows)
        self.keypads = KeypadBusEmulator(sorted(self.window_of))
        keypad_path = self.keypads.start()
        printers: list[PrinterEmulator] = []
        try:
            for index in range(options.kiosks):
                kiosk_id = KIOSK_IDS[index]
                folder = work / kiosk_id
                folder.mkdir(parents=True, exist_ok=True)
                printer = PrinterEmulator(out_dir=None)
                printers.append(printer)
                reader = SamReaderEmulator()
                link = folder / "reader"
                _point(link, reader.start())
                devices = KioskDevices(printer, reader, link, sorted(reader.cards))
                config = machine_file(
                    folder,
                    kiosk_id,
                    self.server.url,
                    create_token(db, kiosk_id, self.settings),
                    printer.start(),
                    link,
                    keypad_path if index == 0 else None,
                )
                self.kiosks.append(
                    KioskProcess(
                        kiosk_id, config, options.rate, options.seed + index, devices, self.rng
                    )
                )
            window_token = create_token(db, "WINDOWS", self.settings)
            for kiosk in self.kiosks:
                kiosk.start()
            self.say(f"{len(self.kiosks)} kiosks up; the morning rush begins")
            started = time.monotonic()
            duration = options.minutes * 60
            self._spawn(self._window_software, window_token)
            self._spawn(self._voter)
            self._spawn(self._faults, started, duration)
            while time.monotonic() - started < duration:
                time.sleep(0.2)
            self.say("arrivals over; draining")
            self.arrivals_over.set()
            self._finish()
            return self._audit(work, db, printers)
        finally:
            self.stop_event.set()
            self.arrivals_over.set()
            for thread in self._threads:
                thread.join(timeout=30)
            for kiosk in self.kiosks:
                kiosk.stop()
            self.server.stop()
            for kiosk in self.kiosks:
                kiosk.devices.reader.stop()
            for printer in printers:
                printer.stop()
            self.keypads.stop()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=target.__name__)
        thread.start()
        self._threads.append(thread)

    # ---- window software: call next and finish, so queues drain and keypads prompt ----

    def _window_software(self, token: str) -> None:
        """Each turn a window either finishes the service it holds (the keypad there then
        asks for a vote) or calls the next number of a queue that has people waiting."""
        rng = random.Random(self.options.seed * 7 + 1)
        arrivals_per_second = self.options.rate * len(self.kiosks) / 60
        interval = min(1.0, 1 / max(arrivals_per_second * 3, 0.01))
        serving: set[int] = set()
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=self.server.url, headers=headers, timeout=3) as client:
            while not self.arrivals_over.wait(interval):
                with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                    self._window_turn(client, rng, serving)

    def _window_turn(self, client: httpx.Client, rng: random.Random, serving: set[int]) -> None:
        if serving and rng.random() < 0.5:
            window = rng.choice(sorted(serving))
            reply = client.post(api.PATH_WINDOW_ACTION.format(window=window, action="finish"))
            if reply.status_code == 200:
                serving.discard(window)
            return
        queues = client.get(api.PATH_QUEUES).json()["queues"]
        free = [
            window
            for queue in queues
            if queue["waiting"] > 0
            for window in queue["windows"]
            if window not in serving and window in self.window_of.values()
        ]
        if not free:
            return
        window = rng.choice(free)
        reply = client.post(api.PATH_WINDOW_ACTION.format(window=window, action="call-next"))
        if reply.status_code == 200 and reply.json().get("event") is not None:
            serving.add(window)

    # ---- the taxpayers at the windows: a vote for every prompt -----------------------

    def _voter(self) -> None:
        keypads = self.keypads
        assert keypads is not None
        rng = random.Random(self.options.seed * 11 + 3)
        voted: set[tuple[int, str]] = set()
        while not self.stop_event.wait(0.1):
            for address, window in self.window_of.items():
                number = keypads.prompting(address)
                if number is None or (address, number) in voted:
                    continue
                level = rng.randint(1, 5)
                keypads.press(address, KeypadEvent(level))
                voted.add((address, number))
                with self._vote_lock:
                    self.pressed.append(Vote(window, level))

    def _keypads_settled(self) -> bool:
        keypads = self.keypads
        assert keypads is not None
        return all(
            not keypads.pending(address) and keypads.prompting(address) is None
            for address in self.window_of
        )

    # ---- faults ------------------------------------------------------------------------

    def _faults(self, started: float, duration: float) -> None:
        hold = max(5.0, min(30.0, duration * 0.08))
        for fault in self.options.faults:
            delay = started + fault.at * duration - time.monotonic()
            if self.stop_event.wait(max(0.0, delay)) or self.arrivals_over.is_set():
                return
            try:
                getattr(self, f"_fault_{fault.name}")(hold)
            except Exception as error:  # a fault that could not be injected fails the run
                log.exception("fault %s", fault.name)
                self.fault_errors.append(f"{fault.name}: {error}")
                continue
            self.injected.append(fault.name)
            self.say(f"fault: {fault.describe()}")

    def _later(self, seconds: float, action: Callable[[], None]) -> None:
        def run() -> None:
            self.stop_event.wait(seconds)
            action()

        self._spawn(run)

    def _fault_paper(self, hold: float) -> None:
        printer = self.kiosks[0].devices.printer
        printer.paper_end = True

        def refill() -> None:
            printer.paper_end = False

        self._later(hold, refill)

    def _fault_cover(self, hold: float) -> None:
        printer = self.kiosks[-1].devices.printer
        printer.cover_open = True

        def close() -> None:
            printer.cover_open = False

        self._later(hold, close)

    def _fault_reader(self, hold: float) -> None:
        devices = self.kiosks[0].devices
        devices.reader.stop()
        devices.reader_link.unlink(missing_ok=True)

        def plug_back() -> None:
            _point(devices.reader_link, devices.reader.start())

        self._later(hold, plug_back)

    def _fault_keypad(self, hold: float) -> None:
        keypads = self.keypads
        assert keypads is not None
        addresses = sorted(self.window_of)
        silent = addresses[0]
        keypads.silent.add(silent)
        keypads.corrupt_next_reply(addresses[1 % len(addresses)])

        def answer() -> None:
            keypads.silent.discard(silent)

        self._later(hold, answer)

    def _fault_server(self, hold: float) -> None:
        self.server.kill()
        self.stop_event.wait(min(hold, 10.0))
        self.server.start()

    def _fault_kiosk(self, hold: float) -> None:
        kiosk = self.kiosks[-1]
        kiosk.kill()
        self.stop_event.wait(min(hold, 3.0))
        kiosk.start()

    # ---- the end -----------------------------------------------------------------------

    def _finish(self) -> None:
        for kiosk in self.kiosks:
            kiosk.send("stop")
        deadline = time.monotonic() + DRAIN_SECONDS
        self._wait(lambda: all(k.idle for k in self.kiosks), deadline, "kiosks idle")
        self._wait(self._keypads_settled, deadline, "keypads settled")
        self.stop_event.set()  # no more votes: the voter ends
        last: tuple[int, float] = (-1, time.monotonic())

        def drained() -> bool:
            nonlocal last
            now = time.monotonic()
            with contextlib.suppress(sqlite3.Error):
                count = self._server_records()
                if count != last[0]:
                    last = (count, now)
            fresh = all(k.pending == 0 and k.pending_at > now - 2 for k in self.kiosks)
            return fresh and now - last[1] >= 2.0

        self._wait(drained, deadline, "outboxes drained")
        for kiosk in self.kiosks:
            kiosk.stop()

    def _wait(self, condition: Callable[[], bool], deadline: float, what: str) -> None:
        while not condition():
            if time.monotonic() > deadline:
                self.say(f"not in time: {what}")
                return
            time.sleep(0.1)

    def _server_records(self) -> int:
        raw = sqlite3.connect(f"file:{self.server.db}?mode=ro", uri=True, timeout=5)
        try:
            return int(raw.execute("SELECT COUNT(*) FROM records").fetchone()[0])
        finally:
            raw.close()

    def _audit(self, work: Path, db: Path, printers: list[PrinterEmulator]) -> SoakResult:
        self.server.stop()  # everything it holds is on disk
        evidence: list[KioskEvidence] = []
        integrity: dict[str, bool] = {"server": integrity_ok(db)}
        outcomes: dict[str, int] = {}
        for kiosk, printer in zip(self.kiosks, printers, strict=True):
            printer.flush_ticket()
            journal = kiosk.config.parent / "data" / "journal.sqlite3"
            integrity[f"{kiosk.kiosk_id} journal"] = integrity_ok(journal)
            link = kiosk.config.parent / "data" / "hall-link.sqlite3"
            if link.exists():
                integrity[f"{kiosk.kiosk_id} hall link"] = integrity_ok(link)
            numbers = [slip_number(ticket.text) for ticket in printer.tickets]
            final = kiosk.final
            resources = None
            if final is not None:
                resources = {
                    name: (int(final["before"][name]), int(final["after"][name]))
                    for name in final["before"]
                }
            evidence.append(
                KioskEvidence(
                    kiosk.kiosk_id,
                    journal_tickets(read_journal(journal)) if journal.exists() else [],
                    [number for number in numbers if number is not None],
                    kills=kiosk.kills,
                    resources=resources,
                )
            )
            if final is None:
                self.fault_errors.append(f"{kiosk.kiosk_id} did not stop cleanly")
            elif resources and resources["threads"][1] > resources["threads"][0]:
                left = ", ".join(final.get("threads_left", []))
                self.say(f"{kiosk.kiosk_id}: threads left at the end: {left}")
            for name, count in kiosk.outcomes.items():
                outcomes[name] = outcomes.get(name, 0) + count
        server_tickets, recorded = read_server(db)
        with self._vote_lock:
            pressed = list(self.pressed)
        result = audit(evidence, server_tickets, pressed, recorded, integrity)
        result.failures.extend(self.fault_errors)
        if outcomes.get("stuck"):
            result.failures.append(
                f"{outcomes['stuck']} visit(s) stuck on a screen (see each kiosk.log)"
            )
        return SoakResult(
            self.options.minutes,
            len(self.kiosks),
            result,
            len(self.options.faults),
            list(self.injected),
            outcomes,
            work if self.options.keep is not None else None,
        )


def run_soak(options: SoakOptions) -> SoakResult:
    """Run the soak; SIGTERM (or Ctrl+C) stops it early, stopping every process it
    started, and raises SoakError."""
    if threading.current_thread() is not threading.main_thread():
        return Soak(options).run()

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        return Soak(options).run()
    except KeyboardInterrupt:
        raise SoakError("stopped before the end: no verdict") from None
    finally:
        signal.signal(signal.SIGTERM, previous)
