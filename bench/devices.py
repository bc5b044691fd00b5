"""Device benchmarks over real ptys against the paced emulators: the KP1 poll cycle
against its wire limit, and the time from a card on the reader to its identity."""

from __future__ import annotations

import queue
import random
import time
from datetime import date

from bench.stats import Figure, figure
from drivers.keypad import protocol as kp1
from drivers.keypad.bus import KeypadBus
from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.keypads import KeypadBusEmulator
from drivers.transport import Transport
from kiosk.device_watchers import CardResult, CardWatcher
from kiosk.taxpayer import Identity

BITS_PER_BYTE = 10
KEYPAD_BAUD = 9600
CARD_BAUD = 115200


def keypad_poll_cycle(cycles: int = 15, keypads: int = 32) -> Figure:
    addresses = list(range(1, keypads + 1))
    emulator = KeypadBusEmulator(addresses, baud=KEYPAD_BAUD)
    transport = Transport(emulator.start(), baudrate=KEYPAD_BAUD, timeout=0.1)
    transport.open()
    idle_reply = kp1.poll_reply_frame(1, kp1.PollReply(0, 0, 0, 0))
    on_wire = keypads * (len(kp1.encode(kp1.poll(1))) + len(kp1.encode(idle_reply)))
    wire_limit = on_wire * BITS_PER_BYTE / KEYPAD_BAUD
    try:
        bus = KeypadBus(transport, addresses, reply_timeout=0.1)
        seconds = []
        for _ in range(cycles):
            started = time.perf_counter()
            bus.poll_cycle()
            seconds.append(time.perf_counter() - started)
    finally:
        transport.close()
        emulator.stop()
    ratios = [value / wire_limit for value in seconds]
    return figure(
        f"KP1 poll cycle, {keypads} keypads @{KEYPAD_BAUD} / wire limit",
        "ratio",
        ratios,
        target=1.3,
        note=f"wire limit {wire_limit * 1000:.0f} ms ({on_wire} bytes); "
        f"median cycle {sorted(seconds)[len(seconds) // 2] * 1000:.0f} ms",
    )


def card_to_identity(reads: int = 30, poll_interval: float = 0.3) -> Figure:
    """A card laid on the paced reader emulator until the CardWatcher delivers its
    Identity: the poll wait (the card lands at a random moment of the poll cycle)
    plus find, select and read base info (a 1295-byte answer at 115200 baud)."""
    emulator = SamReaderEmulator(baud=CARD_BAUD)
    watcher = CardWatcher(
        Transport(emulator.start(), baudrate=CARD_BAUD, timeout=0.2),
        date.today,
        poll_interval=poll_interval,
    )
    delivered: queue.Queue[CardResult] = queue.Queue()
    watcher.set_listener(delivered.put)
    phase = random.Random(4)
    milliseconds = []
    try:
        watcher.start()
        watcher.start_watching()
        for _ in range(reads):
            time.sleep(phase.uniform(0, poll_interval))
            started = time.perf_counter()
            emulator.insert("resident")
            result = delivered.get(timeout=10)
            milliseconds.append((time.perf_counter() - started) * 1000)
            assert isinstance(result, Identity)
            emulator.remove()
            assert watcher.wait_until(lambda: not watcher.card_present, 10)
    finally:
        watcher.close()
        emulator.stop()
    return figure(
        f"card on reader to Identity via CardWatcher @{CARD_BAUD}",
        "ms",
        milliseconds,
        note=f"poll every {poll_interval * 1000:.0f} ms; find, select, read base info "
        "(1295-byte answer); emulator paced",
    )


def run() -> list[Figure]:
    return [keypad_poll_cycle(), card_to_identity()]
