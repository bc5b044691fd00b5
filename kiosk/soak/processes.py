"""The soak's processes: the hall server and the kiosks (`python -m ui.soak_kiosk`,
started through the kiosk's one root, ui/main.py), each kiosk's emulated devices and
machine file."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.printer import PrinterEmulator
from kiosk.soak.result import SoakError
from kiosk.triage import ALWAYS_OPEN

REPO = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0
STOP_SECONDS = 30.0
# Cards of drivers/sim/cards.toml that the kiosk must refuse.
REFUSED_CARDS = frozenset({"expired", "bad_check"})


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
                # Readers of a child's stdout end with it: no stop to ask for, so no
                # BackgroundThread.
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
        terminate(popen)


def terminate(popen: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it has not ended within STOP_SECONDS."""
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
        terminate(popen)
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


def point_link(link: Path, target: str) -> None:
    """Atomically (re)point the symlink `link` at `target`."""
    temporary = link.with_name(link.name + ".new")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)
