"""An ID card reader (SAM protocol) emulator on a pseudo-terminal.

The driver opens `device_path` like a real serial reader. Cards come from a
TOML file of fictitious people (`cards.toml` next to this module); a test
puts one on the reader with `insert(key)` and takes it off with `remove()`.
Answers are real frames built with `drivers.idcard.protocol`, the base-info
answer 1295 bytes with a 1024-byte filler photo.

Faults, set at any time:
- `junk_before_next`: bytes sent before the next answer (one-shot);
- `split_next`: the next answer goes out in several writes (one-shot);
- `corrupt_next_checksum`: the next answer has a wrong checksum (one-shot);
- `no_sam`: every command answers `no_sam_code` (0x60 self-test failed; 0x66
  not authorised);
- `read_failure`: read base info answers 0x41.

A request with a bad checksum is answered with SW3 0x10, an unknown command
with 0x21.

Run it by hand: `python -m drivers.sim.idcard --insert resident`.
"""

from __future__ import annotations

import argparse
import logging
import threading
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from drivers.idcard import protocol
from drivers.idcard.card import (
    PHOTO_SIZE,
    CardType,
    IdCard,
    base_info_for,
    id_check_digit,
)
from drivers.idcard.protocol import SamFrameDecoder, SamResponse
from drivers.sim.pty import PtyEmulator, PtyPort
from drivers.sim.serving import serve_until, stop_on_signals

logger = logging.getLogger(__name__)

DEFAULT_CARDS_FILE = Path(__file__).with_name("cards.toml")
# 05.01-20101010-0012345678-1234567890 once formatted (a made-up module).
SAM_ID = (
    (5).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + (20101010).to_bytes(4, "little")
    + (12345678).to_bytes(4, "little")
    + (1234567890).to_bytes(4, "little")
)
FILLER_PHOTO = bytes(range(256)) * (PHOTO_SIZE // 256)
_SPLIT_PIECES = 4
_SPLIT_GAP_S = 0.005

_CARD_TYPES = {
    "resident": CardType.RESIDENT,
    "I": CardType.FOREIGN_PERMANENT_2017,
    "J": CardType.RESIDENCE_PERMIT,
    "Y": CardType.FOREIGN_PERMANENT_2023,
}


def _parse_date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def sample_number(parts: list[str], check: str) -> str:
    """An ID number built from its parts; `check` "auto", "bad" or "none"."""
    first = "".join(parts)
    if check == "none":
        return first
    right = id_check_digit(first)
    if check == "bad":
        return first + ("0" if right != "0" else "1")
    return first + right


def card_from_entry(entry: dict[str, Any]) -> IdCard:
    """An `IdCard` from one `[cards.KEY]` table of the cards file."""
    valid_to = str(entry["valid_to"])
    return IdCard(
        card_type=_CARD_TYPES[str(entry["type"])],
        name=str(entry["name"]),
        gender_code=str(entry["gender"]),
        birth_date=_parse_date(str(entry["birth"])),
        id_number=sample_number([str(part) for part in entry["number"]], str(entry["check"])),
        valid_from=_parse_date(str(entry["valid_from"])),
        valid_to=None if valid_to == "长期" else _parse_date(valid_to),
        authority=str(entry.get("authority", "")),
        address=str(entry.get("address", "")),
        nation_code=str(entry.get("nation", "")),
        english_name=str(entry.get("english_name", "")),
        nationality=str(entry.get("nationality", "")),
        pass_number=str(entry.get("pass_number", "")),
        issue_count=str(entry.get("issue_count", "")),
        version=str(entry.get("version", "")),
    )


def load_cards(path: Path = DEFAULT_CARDS_FILE) -> dict[str, IdCard]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return {key: card_from_entry(entry) for key, entry in raw.get("cards", {}).items()}


class SamReaderEmulator(PtyEmulator):
    thread_name = "idcard-emulator"
    title = "ID card reader emulator"

    def __init__(self, cards_file: Path | None = None, *, baud: int | None = None) -> None:
        super().__init__()
        self.cards = load_cards(cards_file or DEFAULT_CARDS_FILE)
        self.baud = baud
        self.junk_before_next = b""
        self.split_next = False
        self.corrupt_next_checksum = False
        self.no_sam = False
        self.no_sam_code = protocol.SW3_SAM_SELF_TEST_FAILED
        self.read_failure = False
        self.requests: list[bytes] = []  # request bodies received, in order
        self._card: IdCard | None = None
        self._lock = threading.Lock()

    # -- scripting -------------------------------------------------------------

    def insert(self, card_key: str) -> None:
        with self._lock:
            self._card = self.cards[card_key]

    def remove(self) -> None:
        with self._lock:
            self._card = None

    # -- serving ---------------------------------------------------------------

    def _serve(self, port: PtyPort) -> None:
        decoder = SamFrameDecoder()
        while not self._stop.is_set():
            chunk = port.read(0.02)
            bad_before = decoder.bad_checksums
            frames = decoder.feed(chunk)
            if decoder.bad_checksums > bad_before:
                # A real reader answers a corrupted request with SW3 0x10.
                self._send(port, _status(protocol.SW3_CHECKSUM_ERROR))
            for frame in frames:
                self.requests.append(frame.body)
                self._send(port, self.answer(frame.body))

    def answer(self, body: bytes) -> SamResponse:
        """The response to one request body."""
        command = (body[0], body[1]) if len(body) >= 2 else (0, 0)
        with self._lock:
            card = self._card
            if self.no_sam:
                return _status(self.no_sam_code)
            if command == protocol.SAM_STATUS:
                return _status(protocol.SW3_SUCCESS)
            if command == protocol.READ_SAM_ID:
                return _status(protocol.SW3_SUCCESS, SAM_ID)
            if command == protocol.FIND_CARD:
                if card is None:
                    return _status(protocol.SW3_NO_CARD)
                return _status(protocol.SW3_CARD_FOUND, bytes(4))
            if command == protocol.SELECT_CARD:
                if card is None:
                    return _status(protocol.SW3_SELECT_FAILED)
                return _status(protocol.SW3_SUCCESS, bytes(8))
            if command == protocol.READ_BASE_INFO:
                if card is None or self.read_failure:
                    return _status(protocol.SW3_READ_FAILED)
                return _status(protocol.SW3_SUCCESS, base_info_for(card, FILLER_PHOTO))
            return _status(protocol.SW3_COMMAND_ERROR)

    def _send(self, port: PtyPort, response: SamResponse) -> None:
        with self._lock:
            junk, self.junk_before_next = self.junk_before_next, b""
            split, self.split_next = self.split_next, False
            corrupt, self.corrupt_next_checksum = self.corrupt_next_checksum, False
        frame = bytearray(response.encode())
        if corrupt:
            frame[-1] ^= 0xFF
        wire = junk + bytes(frame)
        if split:
            step = max(1, len(wire) // _SPLIT_PIECES)
            for start in range(0, len(wire), step):
                self._write_paced(port, wire[start : start + step])
                self._stop.wait(_SPLIT_GAP_S)
        else:
            self._write_paced(port, wire)

    def _write_paced(self, port: PtyPort, data: bytes) -> None:
        if not self.baud:
            port.write(data)
            return
        # A pty has no baud rate: pace the bytes like the wire would (10 bits a byte).
        chunk = max(1, self.baud // 100)
        for start in range(0, len(data), chunk):
            port.write(data[start : start + chunk])
            if self._stop.wait(len(data[start : start + chunk]) * 10 / self.baud):
                return


def _status(sw3: int, data: bytes = b"") -> SamResponse:
    return SamResponse(0x00, 0x00, sw3, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ID card reader (SAM) emulator on a pty")
    parser.add_argument("--cards", type=Path, default=DEFAULT_CARDS_FILE)
    parser.add_argument("--insert", metavar="KEY", help="put this sample card on the reader")
    parser.add_argument("--baud", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    emulator = SamReaderEmulator(args.cards, baud=args.baud)
    stop = stop_on_signals()
    print(emulator.start(), flush=True)
    if args.insert:
        emulator.insert(args.insert)
    return serve_until(stop, emulator.stop)


if __name__ == "__main__":
    raise SystemExit(main())
