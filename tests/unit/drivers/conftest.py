"""Fixtures for driver tests: a printer emulator on a real pty, and leak checks."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.printer.device import Printer
from drivers.printer.profiles import PROFILES
from drivers.sim.printer import PrinterEmulator
from drivers.sim.pty import PtyPort
from drivers.transport import Transport

STATUS_QUERY = b"\x10\x04"


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    """A test that leaves an emulator or responder thread running fails."""
    before = set(threading.enumerate())
    yield
    leaked = [
        thread
        for thread in threading.enumerate()
        if thread not in before
        and thread.is_alive()
        and thread.name.startswith(("printer-", "responder"))
    ]
    assert not leaked, f"threads left running: {leaked}"


def _open_fds() -> dict[int, str]:
    """This process's descriptors and what they point at."""
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            found[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the descriptor listdir itself used, closed by now
            continue
    return found


@pytest.fixture
def no_leaked_fds() -> Iterator[None]:
    """Fails a test that leaves a device, socket or pipe open (opt in: fonts stay open)."""
    before = _open_fds()
    yield
    leaked = {fd: target for fd, target in _open_fds().items() if before.get(fd) != target}
    assert not leaked, f"descriptors left open: {leaked}"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emu = PrinterEmulator(out_dir=tmp_path / "tickets", idle_flush=None)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def transport(emulator: PrinterEmulator) -> Iterator[Transport]:
    port = Transport(emulator.device_path, baudrate=115200)
    yield port
    port.close()


@pytest.fixture
def printer(transport: Transport) -> Printer:
    return Printer(transport, PROFILES["generic80"], status_timeout=0.5)


class StatusResponder:
    """A scripted device on a pty: answers each DLE EOT n with `answer(n)` (any bytes)."""

    def __init__(self, answer: Callable[[int], bytes]) -> None:
        self.answer = answer
        self.port = PtyPort()
        self.queries: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="responder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending = b""
        while not self._stop.is_set():
            pending += self.port.read(0.02)
            while (start := pending.find(STATUS_QUERY)) >= 0 and len(pending) >= start + 3:
                n = pending[start + 2]
                pending = pending[start + 3 :]
                self.queries.append(n)
                self.port.write(self.answer(n))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.port.close()


@pytest.fixture
def responder() -> Iterator[Callable[[Callable[[int], bytes]], StatusResponder]]:
    made: list[StatusResponder] = []

    def make(answer: Callable[[int], bytes]) -> StatusResponder:
        made.append(StatusResponder(answer))
        return made[-1]

    yield make
    for item in made:
        item.close()
