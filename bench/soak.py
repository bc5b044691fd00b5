"""Steadiness: idle CPU of the running kiosk (no busy polling) and memory growth
over many tickets (no leak)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import Figure
from kiosk.app import build_kiosk, load_configuration
from kiosk.clock import FakeClock
from kiosk.settings import load_settings
from kiosk.triage import ALWAYS_OPEN, route_visit

IDLE_SECONDS = 60.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _emulator(*args: str) -> tuple[subprocess.Popen[str], str]:
    """`kiosk sim ...` in its own process, as the real device would be; its path."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "sim", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "KIOSK_CONFIG": ""},
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def idle_cpu(seconds: float = IDLE_SECONDS) -> Figure:
    """`kiosk run` on the home screen with its devices (each emulator in its own
    process, as real devices are): the printer checked while idle, the keypad bus
    polled (the kiosk is its master), the card reader quiet; nobody there."""
    windows = sorted({window for queue in load_settings().queues for window in queue.windows})
    with tempfile.TemporaryDirectory() as folder:
        printer, printer_port = _emulator("printer", "--out", folder)
        reader, reader_port = _emulator("idcard")
        keypads, keypad_port = _emulator("keypads", *map(str, windows))
        machine = Path(folder) / "kiosk.toml"
        machine.write_text(
            f'[kiosk]\ndata_dir = "{folder}"\n[printer]\nport = "{printer_port}"\n'
            f'[identification]\nreader_port = "{reader_port}"\n'
            f'[keypads]\nport = "{keypad_port}"\nspeech = false\n'
            "[ui]\nfullscreen = false\n",
            encoding="utf-8",
        )
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "cli", "run", "--config", str(machine)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "KIOSK_CONFIG": "", "QT_QPA_PLATFORM": "offscreen"},
        )
        try:
            time.sleep(5)  # start-up is measured elsewhere; settle first
            before = _cpu_seconds(kiosk.pid)
            time.sleep(seconds)
            used = _cpu_seconds(kiosk.pid) - before
        finally:
            kiosk.terminate()
            kiosk.wait(timeout=30)
            for emulator in (printer, reader, keypads):
                emulator.terminate()
                emulator.wait(timeout=30)
    percent = 100 * used / seconds
    return Figure(
        "idle CPU of the running kiosk",
        "% of a core",
        percent,
        target=2.0,
        samples=1,
        note=f"{used:.2f} s of CPU over {seconds:.0f} s idle, polling {len(windows)} keypads"
        " (emulators in their own processes)",
    )


def memory_growth(small: int = 100, large: int = 5000) -> Figure:
    """Resident memory after `large` tickets against after `small`, in one process."""
    clock = FakeClock()  # a queue issues at most 999 numbers a day: days go by

    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(overrides={"kiosk": {"data_dir": folder}, "routing": ALWAYS_OPEN})
        _, catalog = load_configuration(None)
        # The printer in its own process, as in a hall: its memory is not the kiosk's.
        # Its output goes to a file: a pipe nobody reads would fill and stall it.
        lines = Path(folder) / "printer.out"
        with lines.open("w") as output:
            emulator = subprocess.Popen(
                [sys.executable, "-m", "drivers.sim.printer"],
                stdout=output,
                stderr=subprocess.DEVNULL,
            )
        while not lines.read_text().endswith("\n"):
            time.sleep(0.05)
        device = lines.read_text().splitlines()[0]
        kiosk = build_kiosk(settings, catalog, clock=clock, printer_port=device)
        routes = [route_visit([matter], settings) for matter in catalog.matters]
        try:
            after: dict[int, int] = {}
            for count in range(1, large + 1):
                if count % 900 == 0:
                    clock.advance(24 * 3600)
                kiosk.tickets.issue(routes[count % len(routes)], "zh")
                if count in (small, large):
                    after[count] = _rss_kib()
        finally:
            kiosk.close()
            emulator.terminate()
            emulator.wait(timeout=30)
    growth = 100 * (after[large] - after[small]) / after[small]
    return Figure(
        f"memory after {large} tickets vs after {small}",
        "% growth",
        growth,
        target=10.0,
        samples=1,
        note=f"{after[small] / 1024:.1f} MiB -> {after[large] / 1024:.1f} MiB",
    )


def memory_growth_in_a_fresh_process() -> Figure:
    """The same, in a process of its own: the benchmarks before it (a hall server, an
    outbox of 10,000) would inflate the baseline and hide the growth."""
    code = (
        "import json; from bench.soak import memory_growth; f = memory_growth();"
        " print(json.dumps([f.name, f.median, f.note]))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=900
    )
    name, median, note = json.loads(answer.stdout.strip().splitlines()[-1])
    return Figure(name, "% growth", median, target=10.0, samples=1, note=note)


def run() -> list[Figure]:
    return [idle_cpu(), memory_growth_in_a_fresh_process()]
