"""The KP1 bus master: polls evaluation keypads, acknowledges and de-duplicates their events.

RS-485 is half duplex with one master: every exchange is one request, then
a wait of at most `reply_timeout` for that address's reply, read frame by
frame through a `Kp1Decoder`. Nothing heard on the bus ever raises: noise,
broken frames and malformed replies count as silence. Only the transport's
own `TransportError` (port gone) reaches the caller.

A keypad reports the same seq again when our ACK was lost, so an event is
reported only when its (address, seq) differs from the last one reported for
that address: a vote is never counted twice. Three silent polls in a row mark
a keypad offline; it is then polled every 2nd, 4th, 8th and at most every
16th cycle until it answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from drivers.keypad import protocol as kp1
from drivers.keypad.protocol import (
    InfoReply,
    KeypadEvent,
    Kp1Decoder,
    Kp1Error,
    Kp1Frame,
    PollReply,
)

logger = logging.getLogger(__name__)

OFFLINE_AFTER_SILENT_POLLS = 3
FIRST_BACKOFF_CYCLES = 2
MAX_BACKOFF_CYCLES = 16
DEFAULT_REPLY_TIMEOUT_S = 0.1


class BusTransport(Protocol):
    """What the bus needs from `drivers.transport.Transport`."""

    def write(self, data: bytes) -> None: ...
    def read(self, size: int, timeout: float | None = None) -> bytes: ...
    def reset_input(self) -> None: ...


@dataclass(frozen=True)
class KeypadEventRecord:
    address: int
    seq: int
    event: KeypadEvent
    arg: int = 0


@dataclass(frozen=True)
class KeypadStatus:
    online: bool
    silent_polls: int
    key_fault: bool
    info: str | None
    prompting: bool = False


class _Keypad:
    """What the master knows about one address."""

    def __init__(self) -> None:
        self.online = True
        self.silent_polls = 0
        self.key_fault = False
        self.prompting = False
        self.info: str | None = None
        self.last_reported_seq: int | None = None
        self.backoff = 0  # cycles between polls while offline
        self.next_poll_cycle = 0

    def due(self, cycle: int) -> bool:
        return self.online or cycle >= self.next_poll_cycle

    def silent(self, cycle: int) -> bool:
        """Count a silent poll; True when this one made the keypad go offline."""
        self.silent_polls += 1
        if self.online:
            if self.silent_polls < OFFLINE_AFTER_SILENT_POLLS:
                return False
            self.online = False
            self.backoff = FIRST_BACKOFF_CYCLES
            self.next_poll_cycle = cycle + self.backoff
            return True
        self.backoff = min(self.backoff * 2, MAX_BACKOFF_CYCLES)
        self.next_poll_cycle = cycle + self.backoff
        return False

    def answered(self, reply: PollReply) -> bool:
        """Take a poll reply; True when it brought the keypad back online."""
        came_back = not self.online
        self.online = True
        self.silent_polls = 0
        self.backoff = 0
        self.key_fault = reply.key_fault
        self.prompting = reply.prompting
        return came_back

    def status(self) -> KeypadStatus:
        return KeypadStatus(
            self.online, self.silent_polls, self.key_fault, self.info, self.prompting
        )


class KeypadBus:
    """The master of one KP1 bus. Safe to call from two threads (one exchange at a time)."""

    def __init__(
        self,
        transport: BusTransport,
        addresses: Sequence[int],
        *,
        reply_timeout: float = DEFAULT_REPLY_TIMEOUT_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        for address in addresses:
            if not 1 <= address <= kp1.MAX_ADDRESS:
                raise ValueError(f"keypad address {address} is not 1..{kp1.MAX_ADDRESS}")
        self._transport = transport
        self._addresses = tuple(dict.fromkeys(addresses))
        self._reply_timeout = reply_timeout
        self._monotonic = monotonic
        self._decoder = Kp1Decoder()
        self._keypads = {address: _Keypad() for address in self._addresses}
        self._lock = threading.RLock()
        self._cycle = 0

    @property
    def addresses(self) -> tuple[int, ...]:
        return self._addresses

    @property
    def dropped_frames(self) -> int:
        """Broken frames seen on the bus so far (diagnostics)."""
        return self._decoder.dropped

    def status(self, address: int) -> KeypadStatus:
        return self._keypads[address].status()

    # -- polling -------------------------------------------------------------

    def poll_cycle(
        self, keep: Callable[[KeypadEventRecord], None] | None = None
    ) -> list[KeypadEventRecord]:
        """Poll every address once (offline ones by their back-off); returns new events.

        With `keep`, each new event is handed to it BEFORE the keypad is acknowledged:
        when `keep` raises, the event is not acknowledged and the keypad reports it
        again at the next poll, so an event is never forgotten by both sides (a vote
        survives a kiosk killed between the keypad's ACK and the journal)."""
        with self._lock:
            self._cycle += 1
            cycle = self._cycle
        records: list[KeypadEventRecord] = []
        for address in self._addresses:
            # One keypad at a time: a prompt() from another thread gets in between.
            with self._lock:
                record = self._poll_one(address, cycle, keep)
            if record is not None:
                records.append(record)
        return records

    def seen(self, address: int, seq: int) -> None:
        """The last event of `address` already kept (read back from a journal after a
        restart): that seq reported again is a repeat, acknowledged and dropped."""
        with self._lock:
            self._keypads[address].last_reported_seq = seq

    def _poll_one(
        self,
        address: int,
        cycle: int,
        keep: Callable[[KeypadEventRecord], None] | None = None,
    ) -> KeypadEventRecord | None:
        keypad = self._keypads[address]
        if not keypad.due(cycle):
            return None
        reply = self._poll(address)
        if reply is None:
            if keypad.silent(cycle):
                logger.warning("keypad %d is offline (no answer to 3 polls)", address)
            return None
        if keypad.answered(reply):
            logger.info("keypad %d is back online", address)
        if not reply.pending:
            return None
        record = None
        if keypad.last_reported_seq != reply.seq:
            record = KeypadEventRecord(address, reply.seq, reply.event, reply.arg)
            if keep is not None:
                try:
                    keep(record)
                except Exception:
                    logger.exception(
                        "keypad %d: event seq %d not kept; not acknowledged, it comes again",
                        address,
                        reply.seq,
                    )
                    return None
            keypad.last_reported_seq = reply.seq
        else:
            logger.debug("keypad %d repeats seq %d (ACK lost)", address, reply.seq)
        self._ack(address, reply.seq)
        return record

    def _poll(self, address: int) -> PollReply | None:
        frame = self._exchange(kp1.poll(address))
        if frame is None:
            return None
        try:
            return kp1.parse_poll_reply(frame)
        except Kp1Error as exc:
            logger.warning("keypad %d: bad POLL reply: %s", address, exc)
            return None

    def _ack(self, address: int, seq: int) -> bool:
        frame = self._exchange(kp1.ack(address, seq))
        if frame is None:
            return False
        try:
            return kp1.parse_ack_reply(frame).seq == seq
        except Kp1Error as exc:
            logger.warning("keypad %d: bad ACK reply: %s", address, exc)
            return False

    # -- commands ------------------------------------------------------------

    def prompt(self, address: int, ticket_number: str) -> bool:
        """Show 请评价 and `ticket_number`; True when the keypad confirmed (always for 0)."""
        return self._command(kp1.prompt(address, ticket_number), prompting=True)

    def idle(self, address: int) -> bool:
        """End the prompt; True when the keypad confirmed (always for broadcast 0)."""
        return self._command(kp1.idle(address), prompting=False)

    def _command(self, request: Kp1Frame, *, prompting: bool) -> bool:
        with self._lock:
            reply = self._exchange(request)
            if request.address == kp1.BROADCAST:
                for keypad in self._keypads.values():
                    keypad.prompting = prompting
                return True
            if reply is None or reply.data:
                return False
            addressed = self._keypads.get(request.address)
            if addressed is not None:
                addressed.prompting = prompting
            return True

    def info(self, address: int) -> InfoReply | None:
        """The keypad's model and firmware; None when it does not answer."""
        with self._lock:
            frame = self._exchange(kp1.info(address))
            if frame is None:
                return None
            try:
                reply = kp1.parse_info_reply(frame)
            except Kp1Error as exc:
                logger.warning("keypad %d: bad INFO reply: %s", address, exc)
                return None
            keypad = self._keypads.get(address)
            if keypad is not None:
                keypad.info = str(reply)
            return reply

    def scan(self, addresses: Iterable[int] | None = None) -> dict[int, InfoReply]:
        """Ask every address (default 1..32) for INFO; returns the ones that answered."""
        wanted = range(1, kp1.MAX_ADDRESS + 1) if addresses is None else addresses
        found: dict[int, InfoReply] = {}
        for address in wanted:
            reply = self.info(address)
            if reply is not None:
                found[address] = reply
        return found

    # -- one exchange --------------------------------------------------------

    def _exchange(self, request: Kp1Frame) -> Kp1Frame | None:
        """Send `request` and return the matching reply (None: silence, noise or broadcast)."""
        with self._lock:
            # A late answer to an earlier request must not pass for this one's.
            self._transport.reset_input()
            self._decoder.reset()
            self._transport.write(kp1.encode(request))
            if request.address == kp1.BROADCAST:
                return None
            expected = request.function | kp1.REPLY_BIT
            deadline = self._monotonic() + self._reply_timeout
            while (remaining := deadline - self._monotonic()) > 0:
                chunk = self._transport.read(self._decoder.needed(), remaining)
                if not chunk:
                    break
                for frame in self._decoder.feed(chunk):
                    if frame.address == request.address and frame.function == expected:
                        return frame
                    logger.debug("keypad bus: unexpected %s while waiting for %s", frame, request)
            return None
