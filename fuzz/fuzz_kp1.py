"""KP1 (DEVICES.md §4): the frame decoder, every request/reply parser, the keypad emulator
and the bus master, on arbitrary bytes. Only Kp1Error may come out of a parser.

Long run: `python -m fuzz kp1 -max_total_time=60` (or `python -m fuzz.fuzz_kp1 ...`).
"""

from __future__ import annotations

import contextlib

from drivers.keypad import protocol as kp1
from drivers.keypad.bus import KeypadBus
from drivers.keypad.protocol import Kp1Decoder, Kp1Error, Kp1Frame, PollReply
from drivers.sim.keypads import KeypadBusEmulator
from fuzz._harness import chunks, main_for

PARSERS = (
    kp1.parse_poll_reply,
    kp1.parse_ack_reply,
    kp1.parse_info_reply,
    kp1.parse_ack_request,
    kp1.parse_prompt_request,
)
FUNCTIONS = [function | reply for function in kp1.Function for reply in (0, kp1.REPLY_BIT)]
# The most a decoder may hold: one frame of the longest length, minus its last byte.
MAX_BUFFERED = kp1.HEADER_SIZE + kp1.MAX_LENGTH + 2

SEEDS = [
    b"\x00" + kp1.encode(kp1.poll(1)),
    b"\x03" + kp1.encode(kp1.poll_reply_frame(2, PollReply(1, 7, kp1.KeypadEvent(1), 0))),
    b"\x01" + kp1.encode(kp1.ack_reply_frame(3, 9)) + kp1.encode(kp1.prompt(3, "A012")),
    b"\x07noise\xff\x68" + kp1.encode(kp1.info_reply_frame(1, kp1.InfoReply("KP1", "1.0"))),
]


class _NoiseLink:
    """A bus where every answer is the next piece of fuzz."""

    def __init__(self, answers: list[bytes]) -> None:
        self._answers = answers
        self._pending = b""

    def write(self, data: bytes) -> None:
        self._pending = self._answers.pop(0) if self._answers else b""

    def read(self, size: int, timeout: float | None = None) -> bytes:
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def reset_input(self) -> None:
        self._pending = b""


def _parse_all(frame: Kp1Frame) -> None:
    for parse in PARSERS:
        with contextlib.suppress(Kp1Error):
            parse(frame)


def fuzz_one_input(data: bytes) -> None:
    if not data:
        return
    size, payload = data[0] % 32 + 1, data[1:]
    decoder = Kp1Decoder()
    for piece in chunks(payload, size):
        for frame in decoder.feed(piece):
            assert kp1.encode(frame) in payload, "a frame that was not on the wire"
            _parse_all(frame)
        assert decoder.buffered <= MAX_BUFFERED, f"decoder holds {decoder.buffered} bytes"
        assert decoder.needed() >= 1
    # The payload as the data of every function, request and reply.
    for function in (data[0], *FUNCTIONS):
        _parse_all(Kp1Frame(data[0], function, payload[: kp1.MAX_DATA]))
    # The emulator parses what the master sends; the master parses what keypads answer.
    emulator = KeypadBusEmulator([1, 2, 3])
    for piece in chunks(payload, size):
        emulator.feed(piece)
    # A clock that stands still: the master reads each answer until the link has no more.
    link = _NoiseLink(chunks(payload, size * 3))
    bus = KeypadBus(link, [1, 2, 3], reply_timeout=1.0, monotonic=lambda: 0.0)
    for _ in range(3):
        for record in bus.poll_cycle():
            assert record.address in (1, 2, 3)


def main() -> None:
    main_for("kp1")


if __name__ == "__main__":
    main()
