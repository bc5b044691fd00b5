"""A bus of KP1 evaluation keypads (DEVICES.md §4) on a pseudo-terminal.

The bus master opens `device_path` like the RS-485 adapter. Each emulated
keypad keeps a queue of pending events (what `press` scripts), answers POLL
with the oldest one not yet acknowledged, forgets it on the ACK of its seq,
shows a prompt from PROMPT until IDLE, and answers INFO with `KP1-SIM/1.0`.
Broadcast frames and frames with a bad checksum get no answer.

Faults for tests: `silent` (addresses that never answer), `corrupt_next_reply`,
`lose_next_ack`, `slow` (answers arrive late, without holding up the others)
and `set_key_fault`.

Run it by hand: `python -m drivers.sim.keypads 1 2 3`, then type `press 2 1`
(keypad 2 votes 非常满意) or `help` on stdin.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from drivers.keypad import protocol as kp1
from drivers.keypad.protocol import (
    Function,
    InfoReply,
    KeypadEvent,
    Kp1Decoder,
    Kp1Error,
    Kp1Frame,
    PollReply,
)
from drivers.sim.pty import PtyEmulator, PtyPort
from drivers.sim.serving import serve_until, stop_on_signals

logger = logging.getLogger(__name__)

SIM_INFO = InfoReply("KP1-SIM", "1.0")
MAX_REQUESTS_KEPT = 10_000
MAX_PENDING = 64  # events a keypad holds; far below 255 so seqs never collide


@dataclass(frozen=True)
class PendingEvent:
    seq: int
    event: KeypadEvent
    arg: int = 0


@dataclass
class _Keypad:
    address: int
    pending: deque[PendingEvent] = field(default_factory=deque)
    next_seq: int = 1
    prompting: bool = False
    ticket_number: str | None = None
    key_fault: bool = False
    corrupt_next: bool = False
    lose_next_ack: bool = False
    delay: float = 0.0
    acks: int = 0  # ACKs that removed an event

    @property
    def state(self) -> int:
        return (kp1.STATE_PROMPTING if self.prompting else 0) | (
            kp1.STATE_KEY_FAULT if self.key_fault else 0
        )


class KeypadBusEmulator(PtyEmulator):
    thread_name = "keypad-emulator"
    title = "keypad bus emulator"

    def __init__(self, addresses: Sequence[int], *, baud: int | None = None) -> None:
        super().__init__()
        for address in addresses:
            if not 1 <= address <= 0xFF:
                raise ValueError(f"keypad address {address} is not 1..255")
        self.baud = baud
        self.silent: set[int] = set()  # addresses that never answer
        self._keypads = {address: _Keypad(address) for address in addresses}
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._decoder = Kp1Decoder()
        # Good frames received, oldest first (bounded: the emulator may run for days).
        self.requests: deque[Kp1Frame] = deque(maxlen=MAX_REQUESTS_KEPT)
        # Late answers: (due time, order, bytes).
        self._outbox: list[tuple[float, int, bytes]] = []
        self._order = itertools.count()

    def _serve(self, port: PtyPort) -> None:
        while not self._stop.is_set():
            wait = self._send_due(port)
            try:
                chunk = port.read(wait)
            except OSError as exc:
                logger.error("keypad emulator: read failed, stopping: %s", exc)
                return
            if not chunk:
                continue
            if self.baud:
                time.sleep(len(chunk) * 10 / self.baud)  # the request's time on the wire
            try:
                replies = self._handle(chunk)
            except Exception:  # an emulator bug must not kill the thread silently
                logger.exception("keypad emulator failed to handle input")
                continue
            now = time.monotonic()
            with self._lock:
                for delay, wire in replies:
                    heapq.heappush(self._outbox, (now + delay, next(self._order), wire))

    def _send_due(self, port: PtyPort) -> float:
        """Write the answers that are due; returns how long to wait for the next one."""
        while True:
            with self._lock:
                if not self._outbox:
                    return 0.05
                due, _, wire = self._outbox[0]
                wait = due - time.monotonic()
                if wait > 0:
                    return min(wait, 0.05)
                heapq.heappop(self._outbox)
            if self.baud:
                time.sleep(len(wire) * 10 / self.baud)
            port.write(wire)

    @property
    def addresses(self) -> tuple[int, ...]:
        return tuple(self._keypads)

    # -- scripting -----------------------------------------------------------

    def press(self, address: int, event: KeypadEvent, arg: int = 0) -> int:
        """A key pressed on keypad `address`; returns the seq it will be reported with."""
        if event is KeypadEvent.NONE:
            raise ValueError("a key press needs an event")
        with self._changed:
            keypad = self._keypads[address]
            if len(keypad.pending) >= MAX_PENDING:
                raise ValueError(f"keypad {address} already holds {MAX_PENDING} events")
            seq = keypad.next_seq
            keypad.next_seq = seq % 0xFF + 1
            keypad.pending.append(PendingEvent(seq, event, arg))
            self._changed.notify_all()
            return seq

    def corrupt_next_reply(self, address: int) -> None:
        with self._lock:
            self._keypads[address].corrupt_next = True

    def lose_next_ack(self, address: int) -> None:
        with self._lock:
            self._keypads[address].lose_next_ack = True

    def slow(self, address: int, seconds: float) -> None:
        """Answer `seconds` late from now on (0: on time)."""
        with self._lock:
            self._keypads[address].delay = seconds

    def set_key_fault(self, address: int, fault: bool = True) -> None:
        with self._lock:
            self._keypads[address].key_fault = fault

    # -- inspection ----------------------------------------------------------

    def pending(self, address: int) -> list[PendingEvent]:
        with self._lock:
            return list(self._keypads[address].pending)

    def prompting(self, address: int) -> str | None:
        """The ticket number keypad `address` shows, None when idle."""
        with self._lock:
            keypad = self._keypads[address]
            return keypad.ticket_number if keypad.prompting else None

    def acks(self, address: int) -> int:
        with self._lock:
            return self._keypads[address].acks

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` (checked on every change) holds; False on timeout."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    # -- protocol ------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Handle bytes from the master in-process; returns the answers (delays ignored)."""
        return b"".join(wire for _, wire in self._handle(data))

    def _handle(self, data: bytes) -> list[tuple[float, bytes]]:
        replies: list[tuple[float, bytes]] = []
        with self._changed:
            for frame in self._decoder.feed(data):
                self.requests.append(frame)
                reply = self._answer(frame)
                self._changed.notify_all()
                if reply is None:
                    continue
                keypad = self._keypads[frame.address]
                wire = kp1.encode(reply)
                if keypad.corrupt_next:
                    keypad.corrupt_next = False
                    wire = wire[:-2] + bytes((wire[-2] ^ 0xFF,)) + wire[-1:]
                replies.append((keypad.delay, wire))
        return replies

    def _answer(self, frame: Kp1Frame) -> Kp1Frame | None:
        if frame.is_reply:
            return None  # another device's answer
        if frame.address == kp1.BROADCAST:
            for keypad in self._keypads.values():
                self._apply(keypad, frame)
            return None
        addressed = self._keypads.get(frame.address)
        if addressed is None or frame.address in self.silent:
            return None
        return self._apply(addressed, frame)

    def _apply(self, keypad: _Keypad, frame: Kp1Frame) -> Kp1Frame | None:
        try:
            return self._execute(keypad, frame)
        except Kp1Error as exc:
            logger.debug("keypad %d ignores %s: %s", keypad.address, frame, exc)
            return None

    def _execute(self, keypad: _Keypad, frame: Kp1Frame) -> Kp1Frame | None:
        address = keypad.address
        if frame.function == Function.POLL:
            oldest = keypad.pending[0] if keypad.pending else PendingEvent(0, KeypadEvent.NONE)
            reply = PollReply(keypad.state, oldest.seq, oldest.event, oldest.arg)
            return kp1.poll_reply_frame(address, reply)
        if frame.function == Function.ACK:
            seq = kp1.parse_ack_request(frame)
            if keypad.lose_next_ack:
                keypad.lose_next_ack = False
                return None
            if keypad.pending and keypad.pending[0].seq == seq:
                keypad.pending.popleft()
                keypad.acks += 1
            return kp1.ack_reply_frame(address, seq)
        if frame.function == Function.PROMPT:
            keypad.ticket_number = kp1.parse_prompt_request(frame)
            keypad.prompting = True
            return kp1.empty_reply_frame(address, Function.PROMPT)
        if frame.function == Function.IDLE:
            keypad.prompting = False
            keypad.ticket_number = None
            return kp1.empty_reply_frame(address, Function.IDLE)
        if frame.function == Function.INFO:
            return kp1.info_reply_frame(address, SIM_INFO)
        return None


# -- command line ----------------------------------------------------------------

COMMANDS_HELP = (
    "press ADDR EVENT [ARG] (EVENT: 1..5 levels, 16..20 staff keys), silent ADDR, "
    "answer ADDR, corrupt ADDR, lose-ack ADDR, slow ADDR SECONDS, fault ADDR, ok ADDR, "
    "show ADDR"
)


def run_command(emulator: KeypadBusEmulator, line: str) -> str:
    """Carry out one stdin command; returns the line to print."""
    words = line.split()
    if not words or words[0] == "help":
        return COMMANDS_HELP
    name, args = words[0], words[1:]
    try:
        address = int(args[0])
        if address not in emulator.addresses:
            return f"no keypad {address}"
        return _run(emulator, name, address, args[1:])
    except (IndexError, ValueError) as exc:
        return f"bad command {line.strip()!r} ({exc}); {COMMANDS_HELP}"


def _run(emulator: KeypadBusEmulator, name: str, address: int, args: list[str]) -> str:
    if name == "press":
        arg = int(args[1]) if len(args) > 1 else 0
        seq = emulator.press(address, KeypadEvent(int(args[0], 0)), arg)
        return f"ok: keypad {address} holds seq {seq}"
    if name == "show":
        return f"keypad {address}: pending {emulator.pending(address)}, prompting " + repr(
            emulator.prompting(address)
        )
    actions: dict[str, Callable[[], None]] = {
        "silent": lambda: emulator.silent.add(address),
        "answer": lambda: emulator.silent.discard(address),
        "corrupt": lambda: emulator.corrupt_next_reply(address),
        "lose-ack": lambda: emulator.lose_next_ack(address),
        "slow": lambda: emulator.slow(address, float(args[0])),
        "fault": lambda: emulator.set_key_fault(address, True),
        "ok": lambda: emulator.set_key_fault(address, False),
    }
    if name not in actions:
        raise ValueError(f"unknown command {name!r}")
    actions[name]()
    return f"ok: {name} {address}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m drivers.sim.keypads",
        description="Emulate a bus of KP1 evaluation keypads on a pseudo-terminal. Prints the "
        f"device path. Commands on stdin: {COMMANDS_HELP}.",
    )
    parser.add_argument("addresses", nargs="+", type=int, help="keypad addresses (1..32)")
    parser.add_argument("--baud", type=int, help="pace answers like a serial line at this rate")
    args = parser.parse_args(argv)
    emulator = KeypadBusEmulator(args.addresses, baud=args.baud)
    stop = stop_on_signals()

    def read_commands() -> None:
        for line in sys.stdin:
            print(run_command(emulator, line), flush=True)

    print(emulator.start(), flush=True)
    threading.Thread(target=read_commands, daemon=True).start()
    return serve_until(stop, emulator.stop)


if __name__ == "__main__":
    raise SystemExit(main())
