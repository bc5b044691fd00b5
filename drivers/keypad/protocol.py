"""KP1, the evaluation keypad bus protocol (DEVICES.md §4): frames, codec, resync.

Frame: `FF 68 L L 68 A F D... CS 16`, where `L` counts `A`, `F` and the data
bytes (2..255), `CS` = (A + F + sum(D)) mod 256, and a reply sets bit 7 of
`F`. Everything here is pure: bytes in, typed messages out, and the other way
round. The bus master (`drivers.keypad.bus`) and the emulator
(`drivers.sim.keypads`) are both built on it.

Every failure to understand bytes raises `Kp1Error`, never anything else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

FRAME_START = b"\xff\x68"
HEADER_MARK = 0x68
TRAILER = 0x16
REPLY_BIT = 0x80
BROADCAST = 0
MAX_ADDRESS = 32
MIN_LENGTH = 2  # address and function, no data
MAX_LENGTH = 255
MAX_DATA = MAX_LENGTH - 2
HEADER_SIZE = 5  # FF 68 L L 68
MIN_FRAME_SIZE = HEADER_SIZE + MIN_LENGTH + 2  # + CS 16
MAX_TICKET_NUMBER = 8
STATE_PROMPTING = 0x01
STATE_KEY_FAULT = 0x02


class Kp1Error(ValueError):
    """Bytes or values that are not valid KP1."""


class Function(enum.IntEnum):
    POLL = 0x01
    ACK = 0x02
    PROMPT = 0x03
    IDLE = 0x04
    INFO = 0x05


class KeypadEvent(enum.IntEnum):
    """The code of the key a keypad reports (DEVICES.md §4 names them). What a key
    means (a vote's level, a staff key's label) is the kiosk's: `kiosk.evaluation`."""

    NONE = 0x00
    VERY_SATISFIED = 0x01
    SATISFIED = 0x02
    BASICALLY_SATISFIED = 0x03
    DISSATISFIED = 0x04
    VERY_DISSATISFIED = 0x05
    CALL_NEXT = 0x10
    RECALL = 0x11
    PAUSE = 0x12
    RESUME = 0x13
    ASK_EVALUATION = 0x14


@dataclass(frozen=True)
class Kp1Frame:
    address: int
    function: int  # with bit 7 set in a reply
    data: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.address <= 0xFF:
            raise Kp1Error(f"address {self.address} is not a byte")
        if not 0 <= self.function <= 0xFF:
            raise Kp1Error(f"function {self.function} is not a byte")
        if len(self.data) > MAX_DATA:
            raise Kp1Error(f"{len(self.data)} data bytes; at most {MAX_DATA} fit a frame")
        if not isinstance(self.data, bytes):
            object.__setattr__(self, "data", bytes(self.data))

    @property
    def is_reply(self) -> bool:
        return bool(self.function & REPLY_BIT)

    @property
    def command(self) -> int:
        """The function without the reply bit."""
        return self.function & ~REPLY_BIT & 0xFF


def checksum(address: int, function: int, data: bytes) -> int:
    return (address + function + sum(data)) & 0xFF


def encode(frame: Kp1Frame) -> bytes:
    length = len(frame.data) + 2
    return (
        FRAME_START
        + bytes((length, length, HEADER_MARK, frame.address, frame.function))
        + frame.data
        + bytes((checksum(frame.address, frame.function, frame.data), TRAILER))
    )


class Kp1Decoder:
    """Frames out of a byte stream that may be split anywhere and carry noise.

    Bytes before an `FF 68` are skipped. A candidate frame with mismatched `L`
    bytes, a wrong `CS` or no `16` is dropped (counted in `dropped`) and the
    search starts again two bytes after its start, so a good frame that began
    inside a broken one is still found.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.dropped = 0  # candidate frames thrown away (diagnostics)
        self.skipped = 0  # bytes outside any frame

    def reset(self) -> None:
        """Forget buffered bytes (the counters stay)."""
        self._buffer.clear()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def needed(self) -> int:
        """How many more bytes could complete the frame being collected (at least 1)."""
        buffer = self._buffer
        start = buffer.find(FRAME_START)
        if start < 0:
            return MIN_FRAME_SIZE - (1 if buffer.endswith(b"\xff") else 0)
        available = len(buffer) - start
        if available < HEADER_SIZE:
            return MIN_FRAME_SIZE - available
        total = HEADER_SIZE + buffer[start + 2] + 2
        return max(1, total - available)

    def feed(self, data: bytes) -> list[Kp1Frame]:
        self._buffer += data
        frames: list[Kp1Frame] = []
        while (frame := self._next()) is not None:
            if isinstance(frame, Kp1Frame):
                frames.append(frame)
        return frames

    def _next(self) -> Kp1Frame | bool | None:
        """One step: a frame, True after dropping something, None when more bytes are needed."""
        buffer = self._buffer
        start = buffer.find(FRAME_START)
        if start < 0:
            keep = 1 if buffer.endswith(b"\xff") else 0  # maybe the first half of FF 68
            self.skipped += len(buffer) - keep
            del buffer[: len(buffer) - keep]
            return None
        if start:
            self.skipped += start
            del buffer[:start]
        if len(buffer) < HEADER_SIZE:
            return None
        length = buffer[2]
        if buffer[3] != length or buffer[4] != HEADER_MARK or length < MIN_LENGTH:
            return self._drop()
        total = HEADER_SIZE + length + 2
        if len(buffer) < total:
            return None
        address, function = buffer[5], buffer[6]
        data = bytes(buffer[7 : HEADER_SIZE + length])
        if buffer[total - 2] != checksum(address, function, data) or buffer[total - 1] != TRAILER:
            return self._drop()
        del buffer[:total]
        return Kp1Frame(address, function, data)

    def _drop(self) -> bool:
        self.dropped += 1
        self.skipped += 2
        del self._buffer[:2]
        return True


def decode_all(data: bytes) -> list[Kp1Frame]:
    """Every good frame in `data` (a convenience for tests and tools)."""
    return Kp1Decoder().feed(data)


# -- requests ------------------------------------------------------------------


def _check_address(address: int, *, broadcast: bool) -> None:
    low = BROADCAST if broadcast else 1
    if not low <= address <= 0xFF:
        raise Kp1Error(f"address {address} is not allowed here (must be {low}..255)")


def poll(address: int) -> Kp1Frame:
    _check_address(address, broadcast=False)
    return Kp1Frame(address, Function.POLL)


def ack(address: int, seq: int) -> Kp1Frame:
    _check_address(address, broadcast=False)
    _check_seq(seq)
    return Kp1Frame(address, Function.ACK, bytes((seq,)))


def prompt(address: int, ticket_number: str) -> Kp1Frame:
    _check_address(address, broadcast=True)
    return Kp1Frame(address, Function.PROMPT, _ticket_bytes(ticket_number))


def idle(address: int) -> Kp1Frame:
    _check_address(address, broadcast=True)
    return Kp1Frame(address, Function.IDLE)


def info(address: int) -> Kp1Frame:
    _check_address(address, broadcast=False)
    return Kp1Frame(address, Function.INFO)


def _check_seq(seq: int) -> None:
    if not 1 <= seq <= 0xFF:
        raise Kp1Error(f"seq {seq} is not 1..255")


def _ticket_bytes(ticket_number: str) -> bytes:
    if not 1 <= len(ticket_number) <= MAX_TICKET_NUMBER:
        raise Kp1Error(f"ticket number {ticket_number!r} must be 1..{MAX_TICKET_NUMBER} chars")
    if not ticket_number.isascii() or not ticket_number.isprintable():
        raise Kp1Error(f"ticket number {ticket_number!r} must be printable ASCII")
    return ticket_number.encode("ascii")


def parse_ack_request(frame: Kp1Frame) -> int:
    """The seq an ACK asks to forget."""
    _expect(frame, Function.ACK, reply=False)
    if len(frame.data) != 1:
        raise Kp1Error(f"ACK carries {len(frame.data)} data bytes, not 1")
    _check_seq(frame.data[0])
    return frame.data[0]


def parse_prompt_request(frame: Kp1Frame) -> str:
    """The ticket number a PROMPT shows."""
    _expect(frame, Function.PROMPT, reply=False)
    try:
        text = frame.data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise Kp1Error(f"PROMPT ticket number is not ASCII: {frame.data.hex(' ')}") from exc
    _ticket_bytes(text)
    return text


# -- replies -------------------------------------------------------------------


@dataclass(frozen=True)
class PollReply:
    state: int
    seq: int
    event: KeypadEvent
    arg: int = 0

    @property
    def prompting(self) -> bool:
        return bool(self.state & STATE_PROMPTING)

    @property
    def key_fault(self) -> bool:
        return bool(self.state & STATE_KEY_FAULT)

    @property
    def pending(self) -> bool:
        """An event waits for its ACK."""
        return self.event is not KeypadEvent.NONE


@dataclass(frozen=True)
class AckReply:
    seq: int


@dataclass(frozen=True)
class InfoReply:
    model: str
    firmware: str

    def __str__(self) -> str:
        return f"{self.model}/{self.firmware}"


def _expect(frame: Kp1Frame, function: Function, *, reply: bool) -> None:
    wanted = function | REPLY_BIT if reply else function
    if frame.function != wanted:
        kind = "reply" if reply else "request"
        raise Kp1Error(f"expected a {function.name} {kind}, got function 0x{frame.function:02X}")


def parse_poll_reply(frame: Kp1Frame) -> PollReply:
    _expect(frame, Function.POLL, reply=True)
    if len(frame.data) != 4:
        raise Kp1Error(f"POLL reply carries {len(frame.data)} data bytes, not 4")
    state, seq, code, arg = frame.data
    try:
        event = KeypadEvent(code)
    except ValueError:
        raise Kp1Error(f"unknown keypad event 0x{code:02X}") from None
    if (seq == 0) != (event is KeypadEvent.NONE):
        raise Kp1Error(f"POLL reply with seq {seq} and event 0x{code:02X} is inconsistent")
    return PollReply(state, seq, event, arg)


def parse_ack_reply(frame: Kp1Frame) -> AckReply:
    _expect(frame, Function.ACK, reply=True)
    if len(frame.data) != 1:
        raise Kp1Error(f"ACK reply carries {len(frame.data)} data bytes, not 1")
    _check_seq(frame.data[0])
    return AckReply(frame.data[0])


def parse_info_reply(frame: Kp1Frame) -> InfoReply:
    _expect(frame, Function.INFO, reply=True)
    try:
        text = frame.data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise Kp1Error(f"INFO reply is not ASCII: {frame.data.hex(' ')}") from exc
    model, slash, firmware = text.partition("/")
    if not slash or not model or not firmware or not text.isprintable():
        raise Kp1Error(f"INFO reply {text!r} is not model/firmware")
    return InfoReply(model, firmware)


def poll_reply_frame(address: int, reply: PollReply) -> Kp1Frame:
    return Kp1Frame(
        address, Function.POLL | REPLY_BIT, bytes((reply.state, reply.seq, reply.event, reply.arg))
    )


def ack_reply_frame(address: int, seq: int) -> Kp1Frame:
    return Kp1Frame(address, Function.ACK | REPLY_BIT, bytes((seq,)))


def info_reply_frame(address: int, reply: InfoReply) -> Kp1Frame:
    return Kp1Frame(address, Function.INFO | REPLY_BIT, str(reply).encode("ascii"))


def empty_reply_frame(address: int, function: Function) -> Kp1Frame:
    """The data-less confirmation of PROMPT and IDLE."""
    return Kp1Frame(address, function | REPLY_BIT)
