"""The SAM protocol of second-generation ID card readers (DEVICES.md §2): framing only.

Frame, both directions: preamble `AA AA AA 96 69`, a 2-byte big-endian length
that counts everything after itself (checksum included), the body, and a
checksum byte = XOR of the two length bytes and the body. A request body is
`CMD PARA [data]`, a response body `SW1 SW2 SW3 [data]`.

Pure functions and a stateful decoder; no I/O. The decoder never raises on
input: junk is skipped up to the next preamble, frames with a bad checksum or
an impossible length are dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2
# Longest length field accepted: base info + fingerprint is about 2.3 KB; more is junk.
MAX_LENGTH = 4096
# A request is at least CMD PARA + checksum, a response SW1 SW2 SW3 + checksum.
MIN_REQUEST_LENGTH = 3
MIN_RESPONSE_LENGTH = 4

# (CMD, PARA) of each request.
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE_INFO = (0x30, 0x01)
READ_BASE_INFO_FINGERPRINT = (0x30, 0x10)
READ_SAM_ID = (0x12, 0xFF)
SAM_STATUS = (0x11, 0xFF)

SW3_SUCCESS = 0x90
SW3_CARD_FOUND = 0x9F
SW3_NOTHING_TO_READ = 0x91
SW3_NO_CARD = 0x80
SW3_SELECT_FAILED = 0x81
SW3_CHECKSUM_ERROR = 0x10
SW3_COMMAND_ERROR = 0x21
SW3_READ_FAILED = 0x41
SW3_SAM_SELF_TEST_FAILED = 0x60
SW3_SAM_NOT_AUTHORISED = 0x66

# SW3 -> (English message for logs and errors, short Chinese message for the screen).
SW3_MESSAGES: dict[int, tuple[str, str]] = {
    0x90: ("success", "操作成功"),
    0x9F: ("card found", "找到证件"),
    0x91: ("nothing to read on the card", "证件无此信息"),
    0x80: ("no card on the reader", "请放置身份证"),
    0x81: ("card could not be selected", "读卡失败，请重新放置身份证"),
    0x10: ("reader received a frame with a bad checksum", "通信校验错误"),
    0x11: ("reader received a frame with a bad length", "通信长度错误"),
    0x21: ("reader does not know the command", "读卡器命令错误"),
    0x23: ("operation not authorised", "读卡器未授权"),
    0x24: ("reader reported an unknown error", "读卡器未知错误"),
    0x31: ("card-SAM authentication failed", "证件认证失败，请重新放置"),
    0x32: ("SAM-card authentication failed", "证件认证失败，请重新放置"),
    0x33: ("card information check failed", "证件信息校验错误"),
    0x40: ("unknown card type", "无法识别的证件类型"),
    0x41: ("reading the card failed", "读卡失败，请重新放置身份证"),
    0x47: ("getting a random number failed", "读卡失败，请重新放置身份证"),
    0x60: ("SAM self-test failed", "读卡器模块故障，请联系工作人员"),
    0x66: ("SAM not authorised", "读卡器模块未授权，请联系工作人员"),
}


class SamError(Exception):
    """Base of every error of the ID card driver. Messages never hold personal data."""


class SamFrameError(SamError):
    """A frame could not be built or does not decode (length, checksum, preamble)."""


def sw3_message(sw3: int) -> str:
    """English text for an SW3 code (logs, exceptions)."""
    known = SW3_MESSAGES.get(sw3)
    return known[0] if known else f"unknown status 0x{sw3:02X}"


def sw3_message_zh(sw3: int) -> str:
    """Short Chinese text for an SW3 code, fit for the screen."""
    known = SW3_MESSAGES.get(sw3)
    return known[1] if known else "读卡器错误，请联系工作人员"


def checksum(length_and_body: bytes | bytearray) -> int:
    """XOR of the length bytes and the body."""
    result = 0
    for byte in length_and_body:
        result ^= byte
    return result


@dataclass(frozen=True)
class SamFrame:
    """One frame's body (a request `CMD PARA [data]` or a response `SW1 SW2 SW3 [data]`)."""

    body: bytes = field(repr=False)

    def encode(self) -> bytes:
        length = len(self.body) + 1
        if length > 0xFFFF:
            raise SamFrameError(f"frame body too long ({len(self.body)} bytes)")
        length_and_body = length.to_bytes(2, "big") + self.body
        return PREAMBLE + length_and_body + bytes([checksum(length_and_body)])

    @classmethod
    def decode(cls, raw: bytes) -> SamFrame:
        """Decode exactly one whole frame; raises SamFrameError."""
        if not raw.startswith(PREAMBLE) or len(raw) < HEADER_SIZE + 1:
            raise SamFrameError("not a SAM frame (no preamble or too short)")
        length = int.from_bytes(raw[5:7], "big")
        if len(raw) != HEADER_SIZE + length:
            raise SamFrameError(
                f"length field says {length} bytes, frame has {len(raw) - HEADER_SIZE}"
            )
        body = raw[HEADER_SIZE:-1]
        if checksum(raw[5:-1]) != raw[-1]:
            raise SamFrameError("bad frame checksum")
        return cls(body)


def request(command: tuple[int, int], data: bytes = b"") -> bytes:
    """The whole frame of a request: `CMD PARA [data]`."""
    return SamFrame(bytes(command) + data).encode()


def find_card_request() -> bytes:
    return request(FIND_CARD)


def select_card_request() -> bytes:
    return request(SELECT_CARD)


def read_base_info_request() -> bytes:
    return request(READ_BASE_INFO)


def read_base_info_fingerprint_request() -> bytes:
    return request(READ_BASE_INFO_FINGERPRINT)


def read_sam_id_request() -> bytes:
    return request(READ_SAM_ID)


def sam_status_request() -> bytes:
    return request(SAM_STATUS)


@dataclass(frozen=True)
class SamResponse:
    """A reader's answer. `data` may hold personal data: it is left out of repr."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = field(default=b"", repr=False)

    @property
    def message(self) -> str:
        return sw3_message(self.sw3)

    @property
    def message_zh(self) -> str:
        return sw3_message_zh(self.sw3)

    def body(self) -> bytes:
        return bytes([self.sw1, self.sw2, self.sw3]) + self.data

    def encode(self) -> bytes:
        return SamFrame(self.body()).encode()

    @classmethod
    def from_body(cls, body: bytes) -> SamResponse:
        if len(body) < 3:
            raise SamFrameError(f"response body too short ({len(body)} bytes)")
        return cls(body[0], body[1], body[2], bytes(body[3:]))


class SamFrameDecoder:
    """Turns a byte stream (split anywhere, with junk) into frames.

    Reads each frame by its length field. Bytes before a preamble are skipped;
    a frame with a bad checksum or an impossible length is dropped (counted)
    and the search resumes one byte after its preamble, so a real frame hidden
    behind a false start is still found.
    """

    def __init__(self, *, min_length: int = MIN_REQUEST_LENGTH) -> None:
        self._buffer = bytearray()
        self._min_length = min_length
        self.skipped_bytes = 0
        self.bad_checksums = 0
        self.bad_lengths = 0

    def reset(self) -> None:
        self._buffer.clear()

    def bytes_wanted(self) -> int:
        """How many more bytes the frame in progress needs (at least 1): read that many."""
        buffer = self._buffer
        start = buffer.find(PREAMBLE)
        if start < 0:
            return HEADER_SIZE - _partial_preamble(buffer)
        have = len(buffer) - start
        if have < HEADER_SIZE:
            return HEADER_SIZE - have
        length = int.from_bytes(buffer[start + 5 : start + 7], "big")
        return max(1, HEADER_SIZE + length - have)

    def feed(self, data: bytes) -> list[SamFrame]:
        self._buffer += data
        frames: list[SamFrame] = []
        while (frame := self._next_frame()) is not None:
            frames.append(frame)
        return frames

    def _skip(self, count: int) -> None:
        del self._buffer[:count]
        self.skipped_bytes += count

    def _next_frame(self) -> SamFrame | None:
        buffer = self._buffer
        while True:
            start = buffer.find(PREAMBLE)
            if start < 0:
                # Keep a tail that may be the start of a preamble split across reads.
                self._skip(len(buffer) - _partial_preamble(buffer))
                return None
            if start:
                self._skip(start)
            if len(buffer) < HEADER_SIZE:
                return None
            length = int.from_bytes(buffer[5:7], "big")
            if not self._min_length <= length <= MAX_LENGTH:
                self.bad_lengths += 1
                self._skip(1)
                continue
            end = HEADER_SIZE + length
            if len(buffer) < end:
                return None
            if checksum(buffer[5 : end - 1]) != buffer[end - 1]:
                self.bad_checksums += 1
                self._skip(1)
                continue
            body = bytes(buffer[HEADER_SIZE : end - 1])
            del buffer[:end]
            return SamFrame(body)


def _partial_preamble(buffer: bytearray) -> int:
    """Length of the longest tail of `buffer` that is a proper start of the preamble."""
    for size in range(min(len(buffer), len(PREAMBLE) - 1), 0, -1):
        if buffer.endswith(PREAMBLE[:size]):
            return size
    return 0


class SamDecoder:
    """Reader answers from a byte stream: `feed(data) -> list[SamResponse]`.

    Same rules as `SamFrameDecoder`; a frame too short to hold SW1 SW2 SW3 is
    dropped and counted in `bad_lengths`.
    """

    def __init__(self) -> None:
        self._frames = SamFrameDecoder(min_length=MIN_RESPONSE_LENGTH)

    @property
    def bad_checksums(self) -> int:
        return self._frames.bad_checksums

    @property
    def bad_lengths(self) -> int:
        return self._frames.bad_lengths

    @property
    def skipped_bytes(self) -> int:
        return self._frames.skipped_bytes

    def bytes_wanted(self) -> int:
        return self._frames.bytes_wanted()

    def reset(self) -> None:
        self._frames.reset()

    def feed(self, data: bytes) -> list[SamResponse]:
        return [SamResponse.from_body(frame.body) for frame in self._frames.feed(data)]
