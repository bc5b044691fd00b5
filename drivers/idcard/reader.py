"""An ID card reader driven over a `Transport` with the SAM protocol.

Each command is one request and one answer. The answer is read by its length
field (the decoder says how many bytes the frame in progress still needs), so
a read never waits for bytes that will not come, and never past
`reply_timeout`.

An answer with a bad checksum is dropped by the decoder; the command is then
sent again at once, up to `retries` times, before `IdCardReaderError` is
raised. Every command here is idempotent, so resending is safe.

Polling is the caller's business: `read_card()` looks once and returns None
when no card lies on the reader.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.idcard import protocol
from drivers.idcard.card import IdCard, parse_base_info
from drivers.idcard.protocol import SamDecoder, SamError, SamResponse
from drivers.transport import Transport, TransportError

logger = logging.getLogger(__name__)

SAM_ID_SIZE = 16


class IdCardReaderError(SamError):
    """The reader could not be reached or gave no usable answer."""


class IdCardTimeoutError(IdCardReaderError):
    """No complete answer came within the reply timeout."""


class IdCardReadError(IdCardReaderError):
    """The reader answered with a failure status (SW3)."""

    def __init__(self, command: str, sw3: int) -> None:
        self.command = command
        self.sw3 = sw3
        self.message_zh = protocol.sw3_message_zh(sw3)
        super().__init__(f"{command}: {protocol.sw3_message(sw3)} (SW3 0x{sw3:02X})")


@dataclass(frozen=True)
class SamStatus:
    sw3: int

    @property
    def ok(self) -> bool:
        return self.sw3 == protocol.SW3_SUCCESS

    @property
    def message(self) -> str:
        return protocol.sw3_message(self.sw3)

    @property
    def message_zh(self) -> str:
        return protocol.sw3_message_zh(self.sw3)


def format_sam_id(data: bytes) -> str:
    """The SAM id as readers print it, `05.01-20101010-0012345678-1234567890` *(assumed
    layout: two 16-bit and three 32-bit little-endian numbers)*; hex for any other size."""
    if len(data) != SAM_ID_SIZE:
        return data.hex().upper()
    parts = [int.from_bytes(data[i:j], "little") for i, j in ((0, 2), (2, 4), (4, 8), (8, 12))]
    last = int.from_bytes(data[12:16], "little")
    return f"{parts[0]:02d}.{parts[1]:02d}-{parts[2]:08d}-{parts[3]:010d}-{last:010d}"


class IdCardReader:
    def __init__(
        self,
        transport: Transport,
        *,
        reply_timeout: float = 1.0,
        retries: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._reply_timeout = reply_timeout
        self._retries = retries
        self._monotonic = monotonic

    @property
    def transport(self) -> Transport:
        return self._transport

    def close(self) -> None:
        self._transport.close()

    # -- commands ------------------------------------------------------------

    def sam_status(self) -> SamStatus:
        """The SAM module's self-test result; never raises for a failure status."""
        return SamStatus(self._exchange("SAM status", protocol.sam_status_request()).sw3)

    def sam_id(self) -> str:
        response = self._exchange("read SAM id", protocol.read_sam_id_request())
        if response.sw3 != protocol.SW3_SUCCESS:
            raise IdCardReadError("read SAM id", response.sw3)
        return format_sam_id(response.data)

    def read_card(self) -> IdCard | None:
        """Find, select and read the card on the reader; None when there is none.

        Raises IdCardReadError (a failure status: `sw3`, `message_zh` for the
        screen), IdCardTimeoutError, IdCardReaderError (port or checksum
        trouble) or CardFormatError (an answer that is not a card): all SamError.
        """
        found = self._exchange("find card", protocol.find_card_request())
        if found.sw3 == protocol.SW3_NO_CARD:
            return None
        if found.sw3 not in (protocol.SW3_CARD_FOUND, protocol.SW3_SUCCESS):
            raise IdCardReadError("find card", found.sw3)
        selected = self._exchange("select card", protocol.select_card_request())
        if selected.sw3 != protocol.SW3_SUCCESS:
            raise IdCardReadError("select card", selected.sw3)
        answer = self._exchange("read base info", protocol.read_base_info_request())
        if answer.sw3 != protocol.SW3_SUCCESS:
            raise IdCardReadError("read base info", answer.sw3)
        card = parse_base_info(answer.data)
        logger.info("read %s card", card.card_type.name)
        return card

    # -- one request, one answer --------------------------------------------

    def _exchange(self, command: str, request: bytes) -> SamResponse:
        for attempt in range(self._retries + 1):
            response, corrupted = self._try_exchange(command, request)
            if response is not None:
                return response
            if not corrupted:
                raise IdCardTimeoutError(f"{command}: no answer within {self._reply_timeout} s")
            logger.info("%s: answer with a bad checksum (attempt %d)", command, attempt + 1)
        raise IdCardReaderError(f"{command}: every answer had a bad checksum")

    def _try_exchange(self, command: str, request: bytes) -> tuple[SamResponse | None, bool]:
        """Send once; (answer, False), or (None, True) after a corrupted answer, or
        (None, False) after silence."""
        decoder = SamDecoder()
        try:
            self._transport.reset_input()
            self._transport.write(request)
            deadline = self._monotonic() + self._reply_timeout
            while (remaining := deadline - self._monotonic()) > 0:
                chunk = self._transport.read(decoder.bytes_wanted(), timeout=remaining)
                responses = decoder.feed(chunk)
                if responses:
                    return responses[0], False
                if decoder.bad_checksums:
                    return None, True
        except TransportError as exc:
            raise IdCardReaderError(f"{command}: {exc}") from exc
        return None, False
