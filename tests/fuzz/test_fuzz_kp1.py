"""KP1 parsers on any frame, and the keypad emulator on any bytes: only Kp1Error.

(The decoder on noise and the bus master on noise are in tests/unit/drivers.)
"""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.keypad import protocol as kp1
from drivers.keypad.protocol import Kp1Error, Kp1Frame
from drivers.sim.keypads import KeypadBusEmulator
from fuzz.fuzz_kp1 import PARSERS, fuzz_one_input

frames = st.builds(
    Kp1Frame,
    address=st.integers(0, 0xFF),
    function=st.one_of(st.sampled_from([f | r for f in kp1.Function for r in (0, 0x80)])),
    data=st.binary(max_size=kp1.MAX_DATA),
)


@given(data=st.binary(max_size=800))
@settings(max_examples=100, deadline=None)
def test_the_fuzz_entry_point_holds_on_any_bytes(data: bytes) -> None:
    fuzz_one_input(data)


@given(frame=frames)
@settings(max_examples=300, deadline=None)
def test_every_parser_raises_only_kp1_error(frame: Kp1Frame) -> None:
    parsed = 0
    for parse in PARSERS:
        with contextlib.suppress(Kp1Error):
            parse(frame)
            parsed += 1
    assert parsed <= 1  # a frame is at most one kind of request or reply


@given(requests=st.lists(st.one_of(frames.map(kp1.encode), st.binary(max_size=30)), max_size=12))
@settings(max_examples=150, deadline=None)
def test_the_emulator_answers_any_request_stream_without_raising(requests: list[bytes]) -> None:
    emulator = KeypadBusEmulator([1, 2, 3])
    for request in requests:
        for reply in kp1.decode_all(emulator.feed(request)):
            assert reply.is_reply
            assert reply.address in (1, 2, 3)
