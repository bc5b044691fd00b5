"""Device benchmarks over real ptys against the paced emulators: the KP1 poll cycle
against its wire limit, and the time from a card on the reader to its identity."""

from __future__ import annotations

import time

from bench.stats import Figure, figure
from drivers.idcard.reader import IdCardReader
from drivers.keypad import protocol as kp1
from drivers.keypad.bus import KeypadBus
from drivers.sim.idcard import SamReaderEmulator
from drivers.sim.keypads import KeypadBusEmulator
from drivers.transport import Transport

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


def card_to_identity(reads: int = 30) -> Figure:
    emulator = SamReaderEmulator(baud=CARD_BAUD)
    transport = Transport(emulator.start(), baudrate=CARD_BAUD, timeout=0.2)
    transport.open()
    emulator.insert("resident")
    try:
        reader = IdCardReader(transport)
        milliseconds = []
        for _ in range(reads):
            started = time.perf_counter()
            card = reader.read_card()
            milliseconds.append((time.perf_counter() - started) * 1000)
            assert card is not None
    finally:
        transport.close()
        emulator.stop()
    return figure(
        f"card on reader to identity @{CARD_BAUD}",
        "ms",
        milliseconds,
        note="find, select, read base info (1295-byte answer); emulator paced",
    )


def run() -> list[Figure]:
    return [keypad_poll_cycle(), card_to_identity()]
