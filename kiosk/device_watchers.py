"""Device watchers: one thread per identification device, results to a listener.

`CardWatcher` owns the ID card reader. At start-up (and after every
reconnection) it reads the SAM id, then stays silent: it polls for a card only
while a screen asks for one (`start_watching()` / `stop_watching()`), so an
idle kiosk sends nothing to the reader. A card found becomes an `Identity`
(or a `CardRefused` with what to tell the taxpayer) and is reported once: a
card left on the reader is not reported again until it has been taken off
(one poll that finds no card) and put back, or until the next screen asks
for a card.

`ScannerWatcher` reads codes from a serial scanner (which only speaks when a
code is scanned) and reports what each is (`classify_code`).

Listeners run on the watcher's thread: the UI wraps them in queued Qt
signals. Nothing here logs a key, a name or a scanned code.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Generic, TypeVar

from drivers.background import BackgroundThread
from drivers.idcard.card import CardFormatError, CardType, IdCard
from drivers.idcard.reader import IdCardReader, IdCardReaderError, IdCardReadError
from drivers.scanner import Scanner, ScannerError
from drivers.transport import Transport
from kiosk.identity import (
    ACCEPTED_CARD_TYPES,
    CardRefused,
    CodeProblem,
    classify_code,
    identity_from_card,
    refusal_for_read_error,
    unreadable_scan,
)
from kiosk.taxpayer import Identity
from kiosk.terminal_evaluation import TicketCode, ticket_code

log = logging.getLogger(__name__)

CardResult = Identity | CardRefused
CardListener = Callable[[CardResult], None]
CodeResult = Identity | CodeProblem | TicketCode  # TicketCode: a ticket's slip
CodeListener = Callable[[CodeResult], None]

# How often a missing port is looked at again (the transport's back-off decides
# whether the device itself is touched).
OFFLINE_POLL_S = 0.1
SCANNER_READ_S = 0.25


class DeviceStatus(Enum):
    STARTING = "starting"
    READY = "ready"  # connected, SAM id read
    OFFLINE = "offline"  # port missing or failing: reconnecting with back-off
    NO_ANSWER = "no_answer"  # port open, reader silent or garbled
    SAM_FAILED = "sam_failed"  # reader answers, but its SAM module reports a failure
    CLOSED = "closed"


_Result = TypeVar("_Result")


class _Watcher(Generic[_Result]):
    """Thread, listener and status plumbing shared by both watchers."""

    thread_name = "device-watcher"

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._closed = False  # for good: start() does nothing afterwards
        self._loop = BackgroundThread(self.thread_name, self._run)
        self._listener: Callable[[_Result], None] | None = None
        self._status = DeviceStatus.STARTING
        self._last_error: str | None = None

    @property
    def status(self) -> DeviceStatus:
        return self._status

    @property
    def last_error(self) -> str | None:
        """The last device problem, for technicians (never personal data)."""
        return self._last_error

    def _set_status(self, status: DeviceStatus, error: str | None = None) -> None:
        with self._changed:
            if status is not self._status:
                quiet = status in (DeviceStatus.READY, DeviceStatus.CLOSED)
                level = logging.INFO if quiet else logging.WARNING
                if error:
                    log.log(level, "%s: %s: %s", self.thread_name, status.value, error)
                else:
                    log.log(level, "%s: %s", self.thread_name, status.value)
            self._status = status
            if error is not None:
                self._last_error = error
            self._changed.notify_all()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` holds (checked at every change); False on timeout."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    @property
    def listener(self) -> Callable[[_Result], None] | None:
        """Who gets the results now (a technician's test puts it back afterwards)."""
        return self._listener

    def _deliver(self, result: _Result) -> None:
        listener = self._listener
        if listener is None:
            return
        try:
            listener(result)
        except Exception:
            log.exception("%s: a listener failed", self.thread_name)

    def start(self) -> None:
        """Start the thread; calling it again does nothing."""
        if not self._closed:
            self._loop.start()

    def _join(self, wake: threading.Event | None = None) -> None:
        """Stop the thread for good; `wake` is set once the stop is asked for, so a
        thread parked on it sees the stop when it wakes."""
        self._closed = True
        self._loop.stop_event.set()
        if wake is not None:
            wake.set()
        self._notify()
        self._loop.stop()

    def _run(self, stop: threading.Event) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class CardCheck:
    """What a technician's read test may show of the last card read: its type, the
    number masked, whether its check digit and dates hold. Never the name."""

    card_type: str
    masked_number: str
    check_digit_ok: bool
    valid_to: date | None  # None: long-term (长期)
    expired: bool

    @classmethod
    def of(cls, card: IdCard, today: date) -> CardCheck:
        return cls(
            card.card_type.name.lower(),
            card.masked_id_number(),
            card.id_number_valid,
            card.valid_to,
            card.is_expired(today),
        )


class CardWatcher(_Watcher[CardResult]):
    """The ID card reader's thread. `today()` gives the hall's date (card expiry)."""

    thread_name = "card-watcher"

    def __init__(
        self,
        transport: Transport,
        today: Callable[[], date],
        *,
        poll_interval: float = 0.3,
        reply_timeout: float = 1.0,
        accepted: frozenset[CardType] = ACCEPTED_CARD_TYPES,
    ) -> None:
        super().__init__()
        self._transport = transport
        self._reader = IdCardReader(transport, reply_timeout=reply_timeout)
        self._today = today
        self._poll_interval = poll_interval
        self._accepted = accepted
        self._wake = threading.Event()
        self._watching = False
        self._online = False
        self._sam_id: str | None = None
        self._card_present = False
        self._idle = False
        self.cards_reported = 0
        self.last_check: CardCheck | None = None  # the last card read (technicians)

    # -- for the UI ---------------------------------------------------------------------

    def set_listener(self, listener: CardListener | None) -> None:
        """Who gets each card's `Identity` or `CardRefused` (None: nobody)."""
        self._listener = listener

    def start_watching(self) -> None:
        """A screen waits for a card: poll the reader."""
        self._watching = True
        self._wake.set()

    def stop_watching(self) -> None:
        """No screen waits for a card: leave the reader alone."""
        self._watching = False

    @property
    def watching(self) -> bool:
        return self._watching

    # -- for technicians and tests ------------------------------------------------------

    @property
    def port(self) -> str:
        return self._transport.url

    @property
    def sam_id(self) -> str | None:
        """The reader's SAM id, read at connection; None until then."""
        return self._sam_id

    @property
    def card_present(self) -> bool:
        """A card was reported and has not been taken off yet."""
        return self._card_present

    @property
    def idle(self) -> bool:
        """The thread is parked, sending nothing, until `start_watching()`."""
        return self._idle

    def close(self) -> None:
        """Stop the thread and close the port; calling it again does nothing."""
        self._join(self._wake)
        self._transport.close()
        self._set_status(DeviceStatus.CLOSED)

    # -- the thread ---------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if not self._connected():
                stop.wait(OFFLINE_POLL_S)
                continue
            if not self._watching:
                self._park(stop)
                continue
            self._poll_once()
            stop.wait(self._poll_interval)

    def _park(self, stop: threading.Event) -> None:
        self._wake.clear()
        if self._watching or stop.is_set():
            return
        # Unwatched, a card may be taken off unseen: the next screen that asks for a
        # card gets the one lying there, even if it was reported before.
        self._card_present = False
        self._idle = True
        self._notify()
        self._wake.wait()
        self._idle = False
        self._notify()

    def _connected(self) -> bool:
        if not self._transport.ensure_open():
            if self._online or self._status is DeviceStatus.STARTING:
                self._went_offline(f"port {self._transport.url} is not available")
            return False
        if not self._online:
            self._online = True
            self._read_sam_id()
        return True

    def _went_offline(self, error: str) -> None:
        self._online = False
        self._sam_id = None
        self._card_present = False
        self._set_status(DeviceStatus.OFFLINE, error)

    def _read_sam_id(self) -> None:
        try:
            self._sam_id = self._reader.sam_id()
        except IdCardReadError as error:
            self._set_status(DeviceStatus.SAM_FAILED, str(error))
            return
        except IdCardReaderError as error:
            self._reader_failed(error)
            return
        self._set_status(DeviceStatus.READY)

    def _reader_failed(self, error: IdCardReaderError) -> None:
        if self._transport.is_open:
            self._set_status(DeviceStatus.NO_ANSWER, str(error))
        else:  # the transport closed itself after a port failure: reconnect
            self._went_offline(str(error))

    def _poll_once(self) -> None:
        try:
            card = self._reader.read_card()
        except CardFormatError as error:
            self._card_found(refusal_for_read_error(error))
            return
        except IdCardReadError as error:
            if error.command == "find card":  # the reader itself is in trouble
                self._set_status(DeviceStatus.SAM_FAILED, str(error))
            else:  # a card is there but could not be read
                self._card_found(refusal_for_read_error(error))
            return
        except IdCardReaderError as error:
            self._reader_failed(error)
            return
        if self._sam_id is None:  # it was silent at connection, and answers now
            self._read_sam_id()
        elif self._status is not DeviceStatus.READY:
            self._set_status(DeviceStatus.READY)
        if card is None:
            if self._card_present:
                self._card_present = False
                self._notify()
            return
        if self._card_present:
            return
        self.last_check = CardCheck.of(card, self._today())
        try:
            result: CardResult = identity_from_card(card, self._today(), self._accepted)
        except CardRefused as refused:
            result = refused
        log.info("card watcher: %s card %s", card.card_type.name, _outcome(result))
        self._card_found(result)

    def _card_found(self, result: CardResult) -> None:
        if self._card_present:
            return
        self._card_present = True
        self.cards_reported += 1
        self._notify()
        self._deliver(result)


def _outcome(result: CardResult) -> str:
    return "refused" if isinstance(result, CardRefused) else "accepted"


class ScannerWatcher(_Watcher[CodeResult]):
    """The QR scanner's thread: every code read is classified and delivered."""

    thread_name = "scanner-watcher"

    def __init__(self, scanner: Scanner, *, read_timeout: float = SCANNER_READ_S) -> None:
        super().__init__()
        self._scanner = scanner
        self._read_timeout = read_timeout
        self.codes_read = 0

    @property
    def port(self) -> str:
        return self._scanner.transport.url

    def set_listener(self, listener: CodeListener | None) -> None:
        """Who gets each scan's `Identity` or `CodeProblem` (None: nobody)."""
        self._listener = listener

    def close(self) -> None:
        """Stop the thread, then close the port; calling it again does nothing."""
        self._join()
        self._scanner.close()
        self._set_status(DeviceStatus.CLOSED)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                code = self._scanner.read_code(self._read_timeout)
            except ScannerError as error:
                self._set_status(self._online_status(), str(error))
                self.codes_read += 1
                self._deliver(unreadable_scan())
                continue
            self._set_status(self._online_status())
            if code is None or stop.is_set():
                continue
            self.codes_read += 1
            self._notify()
            self._deliver(ticket_code(code) or classify_code(code))

    def _online_status(self) -> DeviceStatus:
        return DeviceStatus.READY if self._scanner.online else DeviceStatus.OFFLINE
