"""The KP1 bus master against the keypad emulator: in-process and over a real pty."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.keypad import protocol as kp1
from drivers.keypad.bus import KeypadBus, KeypadEventRecord, KeypadStatus
from drivers.keypad.protocol import Function, InfoReply, KeypadEvent
from drivers.sim.keypads import SIM_INFO, KeypadBusEmulator, PendingEvent, run_command
from drivers.transport import Transport, TransportError

E = KeypadEvent


class EmulatorLink:
    """A transport that hands every write to the emulator in-process: no pty, no waiting.

    `noise` is put before each answer; `chunk` is how many bytes one read returns.
    """

    def __init__(self, emulator: KeypadBusEmulator, *, noise: bytes = b"", chunk: int = 0) -> None:
        self.emulator = emulator
        self.noise = noise
        self.chunk = chunk
        self.inbox = bytearray()
        self.reads = 0

    def write(self, data: bytes) -> None:
        answer = self.emulator.feed(data)
        self.inbox += self.noise + answer if answer else b""

    def read(self, size: int, timeout: float | None = None) -> bytes:
        self.reads += 1
        size = min(size, self.chunk) if self.chunk else size
        data = bytes(self.inbox[:size])
        del self.inbox[:size]
        return data

    def reset_input(self) -> None:
        self.inbox.clear()


def in_process(addresses: list[int], **link_options: object) -> tuple[KeypadBusEmulator, KeypadBus]:
    emulator = KeypadBusEmulator(addresses)
    link = EmulatorLink(emulator, **link_options)  # type: ignore[arg-type]
    return emulator, KeypadBus(link, addresses, reply_timeout=1.0)


PtyBusFactory = Callable[..., tuple[KeypadBusEmulator, KeypadBus]]


@pytest.fixture
def pty_bus() -> Iterator[PtyBusFactory]:
    made: list[tuple[KeypadBusEmulator, Transport]] = []

    def make(
        addresses: list[int], *, reply_timeout: float = 0.2, baud: int | None = None
    ) -> tuple[KeypadBusEmulator, KeypadBus]:
        # Generous timeouts where no silence is expected: a loaded CI machine must not
        # turn a slow emulator thread into a missed answer.
        emulator = KeypadBusEmulator(addresses, baud=baud)
        transport = Transport(emulator.start(), baudrate=9600)
        made.append((emulator, transport))
        return emulator, KeypadBus(transport, addresses, reply_timeout=reply_timeout)

    yield make
    for emulator, transport in made:
        transport.close()
        emulator.stop()
    leaked = [t for t in threading.enumerate() if t.name == "keypad-emulator"]
    assert not leaked


def cycles_until(bus: KeypadBus, count: int, limit: int) -> list[KeypadEventRecord]:
    """Poll until `count` events came in (or `limit` cycles passed)."""
    records: list[KeypadEventRecord] = []
    for _ in range(limit):
        records += bus.poll_cycle()
        if len(records) >= count:
            break
    return records


# -- emulator on its own -------------------------------------------------------


def test_emulator_answers_the_devices_md_example() -> None:
    emulator = KeypadBusEmulator([3])
    for _ in range(6):
        emulator.press(3, E.CALL_NEXT)
        emulator.feed(kp1.encode(kp1.ack(3, emulator.pending(3)[0].seq)))
    assert emulator.press(3, E.SATISFIED) == 7
    emulator.feed(kp1.encode(kp1.prompt(3, "A001")))
    answer = emulator.feed(bytes.fromhex("FF 68 02 02 68 03 01 04 16"))
    assert answer == bytes.fromhex("FF 68 06 06 68 03 81 01 07 02 00 8E 16")


def test_emulator_ignores_bad_frames_broadcasts_and_strangers() -> None:
    emulator = KeypadBusEmulator([1])
    assert emulator.feed(bytes.fromhex("FF 68 02 02 68 01 01 03 16")) == b""  # bad CS
    assert emulator.feed(kp1.encode(kp1.poll(2))) == b""
    assert emulator.feed(kp1.encode(kp1.prompt(0, "A1"))) == b""
    assert emulator.prompting(1) == "A1"
    assert emulator.feed(kp1.encode(kp1.Kp1Frame(1, 0x09))) == b""  # unknown function
    assert emulator.feed(kp1.encode(kp1.Kp1Frame(1, 0x81, bytes(4)))) == b""  # a reply
    assert emulator.feed(kp1.encode(kp1.info(1))) == kp1.encode(kp1.info_reply_frame(1, SIM_INFO))
    assert len(emulator.requests) == 5


def test_emulator_seq_wraps_to_1() -> None:
    emulator = KeypadBusEmulator([1])
    seqs = []
    for _ in range(256):
        seqs.append(emulator.press(1, E.PAUSE))
        emulator.feed(kp1.encode(kp1.ack(1, seqs[-1])))
    assert seqs[253:] == [254, 255, 1]
    assert emulator.pending(1) == []
    with pytest.raises(ValueError, match="needs an event"):
        emulator.press(1, E.NONE)


def test_emulator_keeps_an_event_until_its_own_seq_is_acked() -> None:
    emulator = KeypadBusEmulator([1])
    emulator.press(1, E.SATISFIED)
    emulator.press(1, E.RECALL, arg=4)
    assert emulator.feed(kp1.encode(kp1.ack(1, 2))) == kp1.encode(kp1.ack_reply_frame(1, 2))
    assert emulator.pending(1) == [PendingEvent(1, E.SATISFIED), PendingEvent(2, E.RECALL, 4)]


def test_emulator_commands() -> None:
    emulator = KeypadBusEmulator([2])
    assert run_command(emulator, "press 2 1") == "ok: keypad 2 holds seq 1"
    assert run_command(emulator, "press 2 0x11 3") == "ok: keypad 2 holds seq 2"
    assert emulator.pending(2) == [PendingEvent(1, E.VERY_SATISFIED), PendingEvent(2, E.RECALL, 3)]
    assert run_command(emulator, "silent 2") == "ok: silent 2"
    assert emulator.silent == {2}
    run_command(emulator, "answer 2")
    assert emulator.silent == set()
    for line in ("corrupt 2", "lose-ack 2", "slow 2 0.5", "fault 2", "ok 2"):
        assert run_command(emulator, line).startswith("ok")
    assert "pending" in run_command(emulator, "show 2")
    assert run_command(emulator, "press 3 1") == "no keypad 3"
    for bad in ("press 2 9", "press x 1", "jump 2", "slow 2", "press 2"):
        assert run_command(emulator, bad).startswith("bad command")
    assert "press ADDR" in run_command(emulator, "help")


# -- bus master, in process ----------------------------------------------------


def test_bus_rejects_bad_addresses() -> None:
    emulator = KeypadBusEmulator([1])
    for address in (0, 33):
        with pytest.raises(ValueError, match=r"not 1\.\.32"):
            KeypadBus(EmulatorLink(emulator), [address])


def test_votes_are_reported_once_and_acked_in_process() -> None:
    emulator, bus = in_process([1, 2])
    emulator.press(2, E.VERY_DISSATISFIED)
    emulator.press(2, E.SATISFIED)
    assert bus.poll_cycle() == [KeypadEventRecord(2, 1, E.VERY_DISSATISFIED)]
    assert bus.poll_cycle() == [KeypadEventRecord(2, 2, E.SATISFIED)]
    assert bus.poll_cycle() == []
    assert emulator.acks(2) == 2


def test_noise_and_byte_by_byte_reads_do_not_hide_votes() -> None:
    broken = bytes.fromhex("FF 68 02 02 68 01 81 00 16")  # bad CS
    emulator, bus = in_process([1], noise=b"\x00\xff\x16" + broken, chunk=1)
    emulator.press(1, E.BASICALLY_SATISFIED, arg=9)
    assert bus.poll_cycle() == [KeypadEventRecord(1, 1, E.BASICALLY_SATISFIED, 9)]
    assert emulator.pending(1) == []
    assert bus.dropped_frames >= 1


def test_offline_keypad_is_polled_with_back_off() -> None:
    emulator, bus = in_process([1, 2])
    emulator.silent.add(2)
    polled_at = []
    for cycle in range(1, 61):
        before = sum(frame.address == 2 for frame in emulator.requests)
        bus.poll_cycle()
        if sum(frame.address == 2 for frame in emulator.requests) > before:
            polled_at.append(cycle)
        if cycle == 3:
            assert bus.status(2) == KeypadStatus(False, 3, False, None)
    assert polled_at == [1, 2, 3, 5, 9, 17, 33, 49]
    assert bus.status(1).online
    emulator.silent.clear()
    for _ in range(16):
        bus.poll_cycle()
    assert bus.status(2) == KeypadStatus(True, 0, False, None)


def test_broadcast_waits_for_no_reply() -> None:
    emulator = KeypadBusEmulator([1, 2])
    link = EmulatorLink(emulator)
    bus = KeypadBus(link, [1, 2])
    assert bus.prompt(0, "C003")
    assert link.reads == 0
    assert emulator.prompting(1) == emulator.prompting(2) == "C003"
    assert bus.status(2).prompting
    assert bus.idle(0)
    assert emulator.prompting(1) is None


def test_key_fault_is_shown_in_status() -> None:
    emulator, bus = in_process([5])
    emulator.set_key_fault(5)
    bus.poll_cycle()
    assert bus.status(5).key_fault
    emulator.set_key_fault(5, False)
    bus.poll_cycle()
    assert not bus.status(5).key_fault


class GarbageLink:
    """Answers every request with bytes from a list, in turn."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers or [b""]
        self.count = 0
        self.inbox = b""

    def write(self, data: bytes) -> None:
        self.inbox = self.answers[self.count % len(self.answers)]
        self.count += 1

    def read(self, size: int, timeout: float | None = None) -> bytes:
        data, self.inbox = self.inbox[:size], self.inbox[size:]
        return data

    def reset_input(self) -> None:
        self.inbox = b""


valid_looking = st.builds(
    lambda address, function, data: kp1.encode(kp1.Kp1Frame(address, function, data)),
    st.integers(1, 3),
    st.sampled_from([0x81, 0x82, 0x83, 0x84, 0x85, 0x01]),
    st.binary(max_size=6),
)


@settings(max_examples=150)
@given(st.lists(st.one_of(st.binary(max_size=30), valid_looking), max_size=8))
def test_bus_never_raises_on_noise(answers: list[bytes]) -> None:
    bus = KeypadBus(GarbageLink(answers), [1, 2, 3], reply_timeout=1.0)
    for _ in range(4):
        for record in bus.poll_cycle():
            assert record.event is not E.NONE
    bus.prompt(1, "A1")
    bus.idle(2)
    bus.info(3)
    bus.scan([1, 2])


def test_transport_failure_surfaces_as_transport_error() -> None:
    bus = KeypadBus(Transport("/nonexistent/ttyKP1"), [1])
    with pytest.raises(TransportError):
        bus.poll_cycle()


# -- bus master over a real pty ------------------------------------------------


def test_votes_over_pty_are_reported_and_acked(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([1, 2, 3], reply_timeout=1.0)
    emulator.press(3, E.SATISFIED)
    emulator.press(1, E.VERY_SATISFIED)
    emulator.press(3, E.CALL_NEXT, arg=2)
    assert bus.poll_cycle() == [
        KeypadEventRecord(1, 1, E.VERY_SATISFIED),
        KeypadEventRecord(3, 1, E.SATISFIED),
    ]
    assert emulator.pending(1) == []
    assert emulator.pending(3) == [PendingEvent(2, E.CALL_NEXT, 2)]
    assert bus.poll_cycle() == [KeypadEventRecord(3, 2, E.CALL_NEXT, 2)]
    assert bus.poll_cycle() == []
    assert [emulator.acks(a) for a in (1, 2, 3)] == [1, 0, 2]


def test_lost_ack_gives_the_vote_once(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([4])
    emulator.press(4, E.DISSATISFIED)
    emulator.lose_next_ack(4)
    assert bus.poll_cycle() == [KeypadEventRecord(4, 1, E.DISSATISFIED)]
    assert emulator.pending(4) == [PendingEvent(1, E.DISSATISFIED)]  # it never heard the ACK
    assert bus.poll_cycle() == []  # reported again as seq 1: dropped, ACKed again
    assert emulator.pending(4) == []
    assert bus.poll_cycle() == []


def test_corrupted_reply_is_skipped_and_the_vote_comes_next_cycle(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([6])
    emulator.press(6, E.SATISFIED)
    emulator.corrupt_next_reply(6)
    assert bus.poll_cycle() == []
    assert bus.status(6).silent_polls == 1
    assert bus.dropped_frames == 1
    assert bus.poll_cycle() == [KeypadEventRecord(6, 1, E.SATISFIED)]
    assert bus.status(6) == KeypadStatus(True, 0, False, None)


def test_silent_keypad_goes_offline_and_comes_back(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([1, 2])
    emulator.silent.add(2)
    for expected in (1, 2):
        bus.poll_cycle()
        assert bus.status(2) == KeypadStatus(True, expected, False, None)
    bus.poll_cycle()
    assert bus.status(2) == KeypadStatus(False, 3, False, None)
    emulator.silent.discard(2)
    emulator.press(2, E.RESUME)
    assert bus.poll_cycle() == []  # cycle 4: not its turn (back-off)
    assert not bus.status(2).online
    assert bus.poll_cycle() == [KeypadEventRecord(2, 1, E.RESUME)]
    assert bus.status(2).online


def test_late_answer_is_not_taken_for_a_later_one(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([1, 2], reply_timeout=0.1)
    emulator.slow(2, 0.25)
    emulator.press(2, E.SATISFIED)
    emulator.press(1, E.PAUSE)
    assert bus.poll_cycle() == [KeypadEventRecord(1, 1, E.PAUSE)]
    assert bus.status(2).silent_polls == 1
    emulator.slow(2, 0)
    records = cycles_until(bus, 1, limit=5)
    records += bus.poll_cycle()
    assert records == [KeypadEventRecord(2, 1, E.SATISFIED)]
    assert emulator.pending(2) == []


def test_prompt_and_idle_set_the_state_bit(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([1, 2])

    def state_bit(address: int) -> bool:
        (frame,) = kp1.decode_all(emulator.feed(kp1.encode(kp1.poll(address))))
        return kp1.parse_poll_reply(frame).prompting

    assert bus.prompt(1, "A001")
    assert emulator.prompting(1) == "A001"
    assert state_bit(1)
    assert not state_bit(2)
    bus.poll_cycle()
    assert bus.status(1).prompting
    assert bus.idle(1)
    assert not state_bit(1)
    bus.poll_cycle()
    assert not bus.status(1).prompting
    emulator.silent.add(2)
    assert not bus.prompt(2, "A002")


def test_info_and_scan_list_the_keypads(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([1, 3, 30], reply_timeout=0.02)
    assert bus.info(3) == InfoReply("KP1-SIM", "1.0")
    assert bus.status(3).info == "KP1-SIM/1.0"
    assert bus.info(4) is None
    assert bus.scan() == dict.fromkeys([1, 3, 30], SIM_INFO)
    assert bus.scan([30, 31]) == {30: SIM_INFO}
    assert bus.status(30).info == "KP1-SIM/1.0"
    assert {frame.function for frame in emulator.requests} == {Function.INFO}


def test_32_keypads_with_faults_give_every_vote_exactly_once(pty_bus: PtyBusFactory) -> None:
    addresses = list(range(1, 33))
    emulator, bus = pty_bus(addresses, reply_timeout=0.05)
    emulator.silent.add(7)
    answering = [a for a in addresses if a != 7]
    votes = [E.VERY_SATISFIED, E.SATISFIED, E.BASICALLY_SATISFIED, E.DISSATISFIED]
    for round_ in range(3):
        for address in answering:
            emulator.press(address, votes[(address + round_) % len(votes)])
    emulator.corrupt_next_reply(12)
    emulator.lose_next_ack(20)
    emulator.lose_next_ack(31)
    emulator.corrupt_next_reply(31)

    records = cycles_until(bus, 3 * len(answering), limit=10)
    records += bus.poll_cycle()  # nothing may come twice, not even late

    counts = Counter((record.address, record.seq) for record in records)
    assert len(records) == 3 * len(answering)
    assert set(counts.values()) == {1}
    for address in answering:
        mine = [record for record in records if record.address == address]
        assert [record.seq for record in mine] == [1, 2, 3]
        assert [record.event for record in mine] == [
            votes[(address + round_) % len(votes)] for round_ in range(3)
        ]
        assert emulator.pending(address) == []
    assert not bus.status(7).online
    assert all(bus.status(a).online for a in answering)


def test_emulator_paced_like_a_9600_baud_line(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([9], reply_timeout=0.5, baud=9600)
    emulator.press(9, E.ASK_EVALUATION)
    assert bus.poll_cycle() == [KeypadEventRecord(9, 1, E.ASK_EVALUATION)]
    assert emulator.pending(9) == []


def test_an_event_not_kept_is_not_acknowledged_and_comes_again(pty_bus: PtyBusFactory) -> None:
    emulator, bus = pty_bus([5])
    emulator.press(5, E.SATISFIED)
    kept: list[KeypadEventRecord] = []

    def journal_full(record: KeypadEventRecord) -> None:
        raise OSError("disk full")

    assert bus.poll_cycle(journal_full) == []
    assert emulator.acks(5) == 0
    assert emulator.pending(5) == [PendingEvent(1, E.SATISFIED)]  # the keypad still holds it
    assert bus.poll_cycle(kept.append) == [KeypadEventRecord(5, 1, E.SATISFIED)]
    assert kept == [KeypadEventRecord(5, 1, E.SATISFIED)]
    assert emulator.pending(5) == []
    assert bus.poll_cycle(kept.append) == []
    assert len(kept) == 1


def test_an_event_kept_before_a_restart_is_a_repeat_after_it() -> None:
    emulator = KeypadBusEmulator([6])
    path = emulator.start()
    first = Transport(path, baudrate=9600)
    second = Transport(path, baudrate=9600)
    try:
        bus = KeypadBus(first, [6], reply_timeout=0.2)
        emulator.press(6, E.VERY_SATISFIED)
        emulator.lose_next_ack(6)  # the kiosk died after keeping the vote, before the ACK
        assert bus.poll_cycle() == [KeypadEventRecord(6, 1, E.VERY_SATISFIED)]
        first.close()
        restarted = KeypadBus(second, [6], reply_timeout=0.2)
        restarted.seen(6, 1)  # read back from the journal
        assert restarted.poll_cycle() == []
        assert emulator.pending(6) == []  # acknowledged, not counted twice
    finally:
        first.close()
        second.close()
        emulator.stop()
