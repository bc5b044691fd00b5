"""The soak orchestrator: the morning rush, the window software, the voters, the
faults, the drain and the audit (the processes are in processes.py)."""

from __future__ import annotations

import contextlib
import logging
import random
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from drivers.background import BackgroundThread
from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.keypads import KeypadBusEmulator
from drivers.sim.printer import PrinterEmulator
from kiosk.hall.server.tokens import create_token
from kiosk.service_windows.opening import all_windows
from kiosk.settings import Settings, load_settings
from kiosk.soak.audit import (
    KioskEvidence,
    audit,
    integrity_ok,
    journal_tickets,
    read_journal,
    read_server,
    slip_number,
)
from kiosk.soak.processes import (
    STOP_SECONDS,
    KioskDevices,
    KioskProcess,
    ServerProcess,
    machine_file,
    point_link,
)
from kiosk.soak.result import SoakError, SoakOptions, SoakResult
from kiosk.soak.staff import Voters, WindowStaff

log = logging.getLogger(__name__)

DRAIN_SECONDS = 90.0
KIOSK_IDS = ("K01", "K02", "K03", "K04", "K05")


class Soak:
    def __init__(self, options: SoakOptions) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        self.settings: Settings = load_settings(None)
        self.stop_event = threading.Event()
        self.arrivals_over = threading.Event()
        self.kiosks: list[KioskProcess] = []
        self.keypads: KeypadBusEmulator | None = None
        self.voters: Voters
        self.window_of: dict[int, int] = {}
        self.injected: list[str] = []
        self.fault_errors: list[str] = []
        self._threads: list[BackgroundThread] = []

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
        self.voters = Voters(self.keypads, self.window_of, options.seed)
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
                point_link(link, reader.start())
                devices = KioskDevices(printer, reader, link, sorted(reader.cards))
                config = machine_file(
                    folder,
                    kiosk_id,
                    self.server.url,
                    create_token(  # the kiosk mastering the keypads acts for their windows
                        db,
                        kiosk_id,
                        self.settings,
                        windows=set(self.window_of.values()) if index == 0 else (),
                    ),
                    printer.start(),
                    link,
                    keypad_path if index == 0 else None,
                )
                self.kiosks.append(
                    KioskProcess(
                        kiosk_id, config, options.rate, options.seed + index, devices, self.rng
                    )
                )
            window_token = create_token(
                db, "WINDOWS", self.settings, windows=set(self.window_of.values())
            )
            for kiosk in self.kiosks:
                kiosk.start()
            self.say(f"{len(self.kiosks)} kiosks up; the morning rush begins")
            started = time.monotonic()
            duration = options.minutes * 60
            staff = WindowStaff(
                self.server.url, window_token, set(self.window_of.values()), options.seed
            )
            pace = options.rate * len(self.kiosks) / 60
            window_software = self._spawn(
                "soak-window-software", lambda stop: staff.work(stop, pace)
            )
            self._spawn("soak-voter", self.voters.vote)
            self._spawn("soak-faults", lambda stop: self._faults(stop, started, duration))
            while time.monotonic() - started < duration:
                time.sleep(0.2)
            self.say("arrivals over; draining")
            self.arrivals_over.set()
            window_software.stop()
            self._finish()
            return self._audit(work, db, printers)
        finally:
            self.arrivals_over.set()
            self._end_rush()
            for kiosk in self.kiosks:
                kiosk.stop()
            self.server.stop()
            for kiosk in self.kiosks:
                kiosk.devices.reader.stop()
            for printer in printers:
                printer.stop()
            self.keypads.stop()

    def _spawn(self, name: str, body: Callable[[threading.Event], None]) -> BackgroundThread:
        thread = BackgroundThread(name, body, join_seconds=STOP_SECONDS)
        thread.start()
        self._threads.append(thread)
        return thread

    def _end_rush(self) -> None:
        """No more votes, window turns or faults; every fault still held is undone now."""
        self.stop_event.set()
        while self._threads:
            self._threads.pop(0).stop()

    # ---- faults ------------------------------------------------------------------------

    def _faults(self, stop: threading.Event, started: float, duration: float) -> None:
        hold = max(5.0, min(30.0, duration * 0.08))
        for fault in self.options.faults:
            delay = started + fault.at * duration - time.monotonic()
            if stop.wait(max(0.0, delay)) or self.arrivals_over.is_set():
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
        def undo(stop: threading.Event) -> None:
            stop.wait(seconds)  # or less: the end of the rush undoes every fault
            action()

        self._spawn("soak-fault-undo", undo)

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
            point_link(devices.reader_link, devices.reader.start())

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
        self._wait(self.voters.settled, deadline, "keypads settled")
        self._end_rush()
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
        pressed = self.voters.votes()
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
