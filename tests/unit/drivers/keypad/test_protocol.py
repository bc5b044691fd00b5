"""KP1 frames: byte tables, typed requests and replies, and the resyncing decoder."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.keypad import protocol as kp1
from drivers.keypad.protocol import (
    AckReply,
    Function,
    InfoReply,
    KeypadEvent,
    Kp1Decoder,
    Kp1Error,
    Kp1Frame,
    PollReply,
)

EXAMPLE_REQUEST = bytes.fromhex("FF 68 02 02 68 03 01 04 16")
EXAMPLE_REPLY = bytes.fromhex("FF 68 06 06 68 03 81 01 07 02 00 8E 16")


@pytest.mark.parametrize(
    ("frame", "wire"),
    [
        (kp1.poll(3), EXAMPLE_REQUEST),
        (Kp1Frame(3, 0x81, bytes((1, 7, 2, 0))), EXAMPLE_REPLY),
        (kp1.ack(3, 7), bytes.fromhex("FF 68 03 03 68 03 02 07 0C 16")),
        (kp1.prompt(1, "A001"), bytes.fromhex("FF 68 06 06 68 01 03 41 30 30 31 D6 16")),
        (kp1.idle(0), bytes.fromhex("FF 68 02 02 68 00 04 04 16")),
        (kp1.info(32), bytes.fromhex("FF 68 02 02 68 20 05 25 16")),
        (Kp1Frame(0xFF, 0xFF, b"\xff"), bytes.fromhex("FF 68 03 03 68 FF FF FF FD 16")),
    ],
)
def test_byte_table(frame: Kp1Frame, wire: bytes) -> None:
    assert kp1.encode(frame) == wire
    assert kp1.decode_all(wire) == [frame]


def test_devices_md_example_round_trips() -> None:
    (request,) = kp1.decode_all(EXAMPLE_REQUEST)
    assert request == kp1.poll(3)
    (reply_frame,) = kp1.decode_all(EXAMPLE_REPLY)
    reply = kp1.parse_poll_reply(reply_frame)
    assert reply == PollReply(state=1, seq=7, event=KeypadEvent.SATISFIED, arg=0)
    assert reply.prompting
    assert not reply.key_fault
    assert reply.pending
    assert kp1.encode(kp1.poll_reply_frame(3, reply)) == EXAMPLE_REPLY


def test_longest_frame() -> None:
    frame = Kp1Frame(1, 0x85, bytes(range(253)))
    wire = kp1.encode(frame)
    assert wire[2:4] == b"\xff\xff"
    assert len(wire) == 262
    assert kp1.decode_all(wire) == [frame]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"address": 256, "function": 1},
        {"address": -1, "function": 1},
        {"address": 1, "function": 256},
        {"address": 1, "function": 1, "data": bytes(254)},
    ],
)
def test_frame_rejects_impossible_values(kwargs: dict[str, int]) -> None:
    with pytest.raises(Kp1Error):
        Kp1Frame(**kwargs)  # type: ignore[arg-type]


def test_reply_bit() -> None:
    reply = kp1.ack_reply_frame(4, 9)
    assert reply.is_reply
    assert reply.command == Function.ACK
    assert not kp1.ack(4, 9).is_reply


@pytest.mark.parametrize("ticket", ["", "123456789", "A0０1", "A\n01"])
def test_prompt_rejects_bad_ticket_numbers(ticket: str) -> None:
    with pytest.raises(Kp1Error, match="ticket number"):
        kp1.prompt(1, ticket)


@pytest.mark.parametrize("seq", [0, 256])
def test_ack_rejects_bad_seq(seq: int) -> None:
    with pytest.raises(Kp1Error, match="seq"):
        kp1.ack(1, seq)


@pytest.mark.parametrize("builder", [kp1.poll, kp1.info])
def test_unicast_requests_refuse_broadcast(builder: object) -> None:
    with pytest.raises(Kp1Error, match="address"):
        builder(0)  # type: ignore[operator]


def test_request_parsers() -> None:
    assert kp1.parse_ack_request(kp1.ack(2, 200)) == 200
    assert kp1.parse_prompt_request(kp1.prompt(2, "B017")) == "B017"
    with pytest.raises(Kp1Error):
        kp1.parse_prompt_request(Kp1Frame(2, Function.PROMPT, b"\xb0\xa1"))
    with pytest.raises(Kp1Error):
        kp1.parse_ack_request(Kp1Frame(2, Function.ACK, b""))


@pytest.mark.parametrize(
    ("data", "reply"),
    [
        (bytes((0, 0, 0, 0)), PollReply(0, 0, KeypadEvent.NONE)),
        (bytes((2, 255, 5, 0)), PollReply(2, 255, KeypadEvent.VERY_DISSATISFIED)),
        (bytes((3, 1, 0x10, 0)), PollReply(3, 1, KeypadEvent.CALL_NEXT)),
        (bytes((0, 9, 0x14, 7)), PollReply(0, 9, KeypadEvent.ASK_EVALUATION, 7)),
    ],
)
def test_poll_reply_table(data: bytes, reply: PollReply) -> None:
    assert kp1.parse_poll_reply(Kp1Frame(5, 0x81, data)) == reply


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (Kp1Frame(5, 0x81, bytes((0, 1, 6, 0))), "unknown keypad event 0x06"),
        (Kp1Frame(5, 0x81, bytes((0, 1, 0x15, 0))), "unknown keypad event"),
        (Kp1Frame(5, 0x81, bytes((0, 0, 1, 0))), "inconsistent"),
        (Kp1Frame(5, 0x81, bytes((0, 4, 0, 0))), "inconsistent"),
        (Kp1Frame(5, 0x81, bytes((0, 1, 1))), "not 4"),
        (Kp1Frame(5, 0x01, bytes((0, 1, 1, 0))), "expected a POLL reply"),
        (Kp1Frame(5, 0x82, bytes((0, 1, 1, 0))), "expected a POLL reply"),
    ],
)
def test_bad_poll_replies(frame: Kp1Frame, message: str) -> None:
    with pytest.raises(Kp1Error, match=message):
        kp1.parse_poll_reply(frame)


def test_ack_and_info_replies() -> None:
    assert kp1.parse_ack_reply(kp1.ack_reply_frame(1, 42)) == AckReply(42)
    info = InfoReply("KP1-SIM", "1.0")
    assert kp1.parse_info_reply(kp1.info_reply_frame(1, info)) == info
    assert str(info) == "KP1-SIM/1.0"
    for data in (b"KP1", b"/1.0", b"KP1/", b"KP\xff/1", b"KP\x01/1"):
        with pytest.raises(Kp1Error, match="INFO"):
            kp1.parse_info_reply(Kp1Frame(1, 0x85, data))
    with pytest.raises(Kp1Error):
        kp1.parse_ack_reply(Kp1Frame(1, 0x82, b"\x00"))


# -- decoder -------------------------------------------------------------------


def test_decoder_byte_by_byte() -> None:
    decoder = Kp1Decoder()
    frames = [frame for byte in EXAMPLE_REPLY for frame in decoder.feed(bytes((byte,)))]
    assert frames == [Kp1Frame(3, 0x81, bytes((1, 7, 2, 0)))]
    assert decoder.buffered == 0


@pytest.mark.parametrize(
    "broken",
    [
        EXAMPLE_REQUEST[:-2] + b"\x05\x16",  # wrong CS
        EXAMPLE_REQUEST[:-1] + b"\x17",  # no 16
        bytes.fromhex("FF 68 02 03 68 03 01 04 16"),  # mismatched L
        bytes.fromhex("FF 68 01 01 68 03 03 16"),  # L below 2
        bytes.fromhex("FF 68 02 02 69 03 01 04 16"),  # no second 68
    ],
)
def test_decoder_drops_broken_frames_and_keeps_the_next(broken: bytes) -> None:
    decoder = Kp1Decoder()
    assert decoder.feed(b"\x00\x16junk" + broken + EXAMPLE_REPLY) == kp1.decode_all(EXAMPLE_REPLY)
    assert decoder.dropped == 1


def test_good_frame_inside_a_truncated_one_is_found() -> None:
    # A frame cut short by a collision: its declared length swallows the next frame.
    truncated = EXAMPLE_REPLY[:7]
    decoder = Kp1Decoder()
    stream = truncated + EXAMPLE_REQUEST + EXAMPLE_REPLY
    assert decoder.feed(stream) == kp1.decode_all(EXAMPLE_REQUEST + EXAMPLE_REPLY)
    assert decoder.dropped == 1


def test_needed_counts_toward_the_frame() -> None:
    decoder = Kp1Decoder()
    assert decoder.needed() == kp1.MIN_FRAME_SIZE
    decoder.feed(b"\x01\xff")
    assert decoder.needed() == kp1.MIN_FRAME_SIZE - 1
    decoder.feed(EXAMPLE_REPLY[1:5])
    assert decoder.needed() == len(EXAMPLE_REPLY) - 5
    decoder.feed(EXAMPLE_REPLY[5:-1])
    assert decoder.needed() == 1
    assert decoder.feed(EXAMPLE_REPLY[-1:])
    decoder.feed(EXAMPLE_REQUEST[:3])
    decoder.reset()
    assert decoder.buffered == 0


frames_strategy = st.builds(
    Kp1Frame,
    address=st.integers(0, 255),
    function=st.integers(0, 255),
    data=st.binary(max_size=40),
)
# Noise that never forms a frame start, and broken frames (bad CS, bad trailer, bad L).
noise_strategy = st.binary(max_size=12).map(lambda b: b.replace(b"\xff", b"\x00"))


@st.composite
def broken_frames(draw: st.DrawFn) -> bytes:
    frame = draw(
        st.builds(
            Kp1Frame,
            address=st.integers(0, 254),
            function=st.integers(0, 254),
            data=st.binary(max_size=10).map(lambda b: b.replace(b"\xff", b"\x00")),
        )
    )
    wire = bytearray(kp1.encode(frame))
    damage = draw(st.sampled_from(["cs", "trailer", "length"]))
    if damage == "cs":
        wire[-2] = (wire[-2] + draw(st.integers(1, 254))) & 0xFF
        wire[-2] = 0 if wire[-2] == 0xFF else wire[-2]
    elif damage == "trailer":
        wire[-1] = draw(st.integers(0, 254).filter(lambda b: b != kp1.TRAILER))
    else:
        wire[3] = draw(st.integers(0, 254).filter(lambda b: b != wire[2]))
    return bytes(wire)


@given(st.binary(max_size=600))
def test_decoder_never_raises(data: bytes) -> None:
    decoder = Kp1Decoder()
    for frame in decoder.feed(data):
        assert kp1.encode(frame) in data
    assert decoder.buffered <= 262


@given(
    st.lists(st.tuples(st.one_of(noise_strategy, broken_frames()), frames_strategy), max_size=8),
    noise_strategy,
    st.lists(st.integers(0, 2000), max_size=10),
)
def test_decoder_finds_every_frame_whatever_the_noise_and_splits(
    items: list[tuple[bytes, Kp1Frame]], tail: bytes, cuts: list[int]
) -> None:
    stream = b"".join(noise + kp1.encode(frame) for noise, frame in items) + tail
    bounds = sorted({0, len(stream), *(cut % (len(stream) + 1) for cut in cuts)})
    decoder = Kp1Decoder()
    decoded = [
        frame
        for start, end in itertools.pairwise(bounds)
        for frame in decoder.feed(stream[start:end])
    ]
    assert decoded == [frame for _, frame in items]


@given(frames_strategy)
def test_encode_decode_round_trip(frame: Kp1Frame) -> None:
    assert kp1.decode_all(kp1.encode(frame)) == [frame]
