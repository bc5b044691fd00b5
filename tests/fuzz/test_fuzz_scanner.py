"""The scanner's line decoder and read_code on any bytes, cut anywhere: only ScannerError."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner import MAX_CODE_BYTES, ScanLineDecoder, ScannerError
from fuzz.fuzz_scanner import check_code, fuzz_one_input

# Lines a scanner might send: codes, noise, control bytes, over-long runs.
line = st.one_of(
    st.text(max_size=40).map(str.encode),
    st.binary(max_size=40),
    st.integers(MAX_CODE_BYTES - 2, MAX_CODE_BYTES + 40).map(lambda size: b"9" * size),
)
stream = st.lists(st.tuples(line, st.sampled_from([b"\r", b"\r\n", b"\n", b""])), max_size=8).map(
    lambda parts: b"".join(text + end for text, end in parts)
)


@given(data=st.binary(max_size=1500))
@settings(max_examples=150, deadline=None)
def test_the_fuzz_entry_point_holds_on_any_bytes(data: bytes) -> None:
    fuzz_one_input(data)


@given(
    data=stream,
    suffix=st.sampled_from([b"\r", b"\r\n"]),
    cuts=st.lists(st.integers(0, 2000), max_size=10),
)
@settings(max_examples=120, deadline=None)
def test_decoder_raises_only_scanner_error_and_yields_clean_codes(
    data: bytes, suffix: bytes, cuts: list[int]
) -> None:
    decoder = ScanLineDecoder(suffix)
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    codes: list[str] = []
    messages: list[str] = []
    for start, end in itertools.pairwise(points):
        decoder.feed(data[start:end])
        while True:
            try:
                code = decoder.next_code()
            except ScannerError as error:
                messages.append(str(error))
                continue
            if code is None:
                break
            check_code(code)
            codes.append(code)
    assert decoder.errors == len(messages)
    assert all("discarded" in message for message in messages)
    # Nothing is invented: each code was on the wire.
    assert all(code.encode() in data for code in codes)
