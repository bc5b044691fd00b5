"""The printer emulator's ESC/POS parser on commands with any parameters, and the
driver's status decoding on any answer.

(Random bytes through the emulator and its drawing are in tests/unit/drivers.)
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.printer.device import Printer
from drivers.printer.profiles import PROFILES
from drivers.printer.status import PrinterCondition, PrinterStatus, decode_status
from drivers.sim.printer import PrinterEmulator
from fuzz.fuzz_escpos import _StatusLink, fuzz_one_input

byte = st.integers(0, 0xFF)
small = st.integers(0, 40)
u16 = st.integers(0, 0xFFFF)
payload = st.binary(max_size=60)


def le16(value: int) -> bytes:
    return value.to_bytes(2, "little")


# Every command family the emulator parses, with any parameters, and data of any size.
command = st.one_of(
    st.builds(lambda c, a: bytes([0x1B, c, a]), byte, byte),  # ESC c n
    st.builds(
        lambda m, n, d: b"\x1b*" + bytes([m]) + le16(n) + d, byte, u16, st.binary(max_size=60)
    ),
    st.builds(
        lambda f, n, d: b"\x1b(" + bytes([f]) + le16(n) + d, byte, u16, st.binary(max_size=60)
    ),
    st.builds(lambda d: b"\x1bD" + d, st.binary(max_size=20)),
    st.builds(lambda c, a: bytes([0x1D, c, a]), byte, byte),  # GS c n
    st.builds(
        lambda f, d: b"\x1d(k" + le16(len(d) + 2) + b"1" + bytes([f]) + d,
        st.sampled_from([0x41, 0x43, 0x45, 0x50, 0x51, 0x52]),
        st.binary(max_size=80),
    ),
    st.builds(lambda n, d: b"\x1d(k" + le16(n) + d, u16, st.binary(max_size=60)),
    st.builds(
        lambda m, x, y, d: b"\x1dv0" + bytes([m]) + le16(x) + le16(y) + d,
        byte,
        small,
        small,
        st.binary(max_size=200),
    ),
    st.builds(lambda x, y: b"\x1dv0\x00" + le16(x) + le16(y), u16, u16),
    st.builds(lambda m, d: b"\x1dk" + bytes([m]) + d, byte, st.binary(max_size=30)),
    st.builds(lambda n: b"\x1d8L" + n.to_bytes(4, "little"), st.integers(0, 2**32 - 1)),
    st.builds(lambda x, y: b"\x1d*" + bytes([x, y]), byte, byte),
    st.builds(lambda m, n: b"\x1dV" + bytes([m, n]), byte, byte),
    st.builds(lambda c, a: bytes([0x1C, c, a]), byte, byte),  # FS c n
    st.builds(lambda n: b"\x10\x04" + bytes([n]), byte),
    st.builds(lambda a, b: b"\x10\x14" + bytes([a, b, 0]), byte, byte),
    st.text(max_size=20).map(lambda text: text.encode("gb18030")),
    st.binary(max_size=20),
)


@given(
    commands=st.lists(command, max_size=20),
    profile=st.sampled_from(sorted(PROFILES)),
    chunk=st.integers(1, 64),
)
@settings(max_examples=150, deadline=None)
def test_the_emulator_parses_any_command_stream(
    commands: list[bytes], profile: str, chunk: int
) -> None:
    emulator = PrinterEmulator(profile=PROFILES[profile])
    wire = b"".join(commands) + b"\n\x1dV\x00"
    for start in range(0, len(wire), chunk):
        emulator.feed(wire[start : start + chunk])
    emulator.flush_ticket()
    assert [t.index for t in emulator.tickets] == list(range(1, len(emulator.tickets) + 1))


@given(data=st.binary(max_size=1500).filter(lambda data: not data.startswith(b"\xff")))
@settings(max_examples=100, deadline=None)
def test_the_fuzz_entry_point_holds_on_any_bytes(data: bytes) -> None:
    fuzz_one_input(data)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_every_status_answer_decodes(n: int) -> None:
    conditions = {decode_status(n, answer).condition for answer in range(0x100)}
    assert decode_status(n, None).condition is PrinterCondition.UNKNOWN
    assert PrinterCondition.UNKNOWN in conditions  # bytes without the fixed bits
    assert PrinterCondition.READY in conditions


@given(answers=st.binary(max_size=8))
@settings(max_examples=150, deadline=None)
def test_printer_status_is_a_status_whatever_the_printer_answers(answers: bytes) -> None:
    printer = Printer(_StatusLink(answers), PROFILES["generic80"])  # type: ignore[arg-type]
    status = printer.status()
    assert isinstance(status, PrinterStatus)
    if not answers:
        assert status.condition is PrinterCondition.UNKNOWN
