"""The keypads at the service windows: caller keys drive the hall, finished services
prompt for a vote.

One thread owns the KP1 bus (DEVICES.md §4). Each turn it carries out what
other threads asked for (prompts after a FINISHED hall event), polls every
keypad, turns their events into hall actions (`caller_keys`) or evaluations,
and ends the prompts nobody answered in time (on the injected clock). A vote
(keys 1..5) goes to `EvaluationRecorder.vote`, and the keypad goes back to idle.

Prompts come only from FINISHED hall events (whoever finished the service: a
key here, the window's software, the server), so a service is never prompted
twice. Evaluations and follow-ups are journalled by the EvaluationRecorder, and
the journal queues each for delivery to the hall (its outbox). A keypad that
stops answering (3 silent polls) is journalled as `keypad.offline`, and
`keypad.online` when it answers again.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from drivers.background import BackgroundThread
from drivers.keypad.bus import KeypadBus, KeypadEventRecord
from drivers.keypad.protocol import Kp1Error
from drivers.transport import TransportError
from kiosk.clock import Clock
from kiosk.evaluation import EvaluationLevel, EvaluationRecorder, FollowUp
from kiosk.hall.base import HallBackend, HallEvent, HallEventKind
from kiosk.journal import Journal
from kiosk.service_windows.caller_keys import press_caller_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowKeypadState:
    """One keypad at its window, as a technician sees it."""

    address: int
    window: int
    online: bool
    last_seen: datetime | None  # the last answer, None when it never answered
    info: str | None  # model/firmware
    prompting: bool
    key_fault: bool

    def as_json(self) -> dict[str, object]:
        return {
            "address": self.address,
            "window": self.window,
            "online": self.online,
            "last_seen": None if self.last_seen is None else self.last_seen.isoformat(),
            "info": self.info,
            "prompting": self.prompting,
            "key_fault": self.key_fault,
        }


class _ScanRequest:
    """A technician's bus scan, carried out by the bus thread."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.found: dict[int, str | None] = {}
        self.error: str | None = None


@dataclass(frozen=True)
class _Finished:
    window: int
    number: str
    staff_id: str | None
    ticket_id: str | None


class WindowService:
    """Runs the keypad bus on its own thread; `start()`, then `stop()`."""

    def __init__(
        self,
        hall: HallBackend,
        evaluations: EvaluationRecorder,
        journal: Journal,
        bus: KeypadBus,
        clock: Clock,
        windows: Mapping[int, int],
        *,
        poll_interval: float = 0.2,
        on_close: Callable[[], None] | None = None,
        port: str | None = None,
    ) -> None:
        """`windows` maps each bus address to its window; `on_close` releases the port;
        `port` names it for technicians."""
        self.port = port
        unknown = set(windows) - set(bus.addresses)
        if unknown:
            raise ValueError(f"addresses {sorted(unknown)} are not on the bus")
        self.hall = hall
        self.evaluations = evaluations
        self._journal = journal
        self._bus = bus
        self._clock = clock
        self._window_of = dict(windows)
        self._address_of: dict[int, int] = {}
        for address, window in self._window_of.items():
            self._address_of.setdefault(window, address)
        self._poll_interval = poll_interval
        self._on_close = on_close
        self._lock = threading.Lock()
        self._finished: deque[_Finished] = deque()
        self._last_finished: dict[int, str] = {}  # window -> ticket id (or number)
        self._online = {address: True for address in self._window_of}
        self._last_seen: dict[int, datetime] = {}
        self._info_asked: set[int] = set()
        self._port_ok = True
        self._scans: deque[_ScanRequest] = deque()
        self._wake = threading.Event()
        self._loop = BackgroundThread("keypad-bus", self._run)

    # ---- life --------------------------------------------------------------------------

    def start(self) -> None:
        if self._loop.running:
            return
        for address in self._window_of:  # votes kept before a restart are not counted twice
            seq = self.evaluations.last_keypad_seq(address)
            if seq is not None:
                self._bus.seen(address, seq)
        self.hall.subscribe(self._on_hall_event)
        self._loop.start()

    def stop(self) -> None:
        """Stop polling and release the port; calling it again does nothing."""
        if self._loop.running:
            self.hall.unsubscribe(self._on_hall_event)
        self._loop.stop_event.set()  # before the wake-up: the woken loop then ends
        self._wake.set()
        self._loop.stop()
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # the bus thread must outlive any single failure
                log.exception("the keypad bus turn failed")
            self._wake.wait(self._poll_interval)
            self._wake.clear()

    # ---- what technicians see ----------------------------------------------------------

    def status(self) -> list[WindowKeypadState]:
        """Every keypad: online or not, last answer, model, prompting, key fault."""
        with self._lock:
            last_seen = dict(self._last_seen)
        states = []
        for address, window in sorted(self._window_of.items()):
            bus_state = self._bus.status(address)
            states.append(
                WindowKeypadState(
                    address,
                    window,
                    bus_state.online,
                    last_seen.get(address),
                    bus_state.info,
                    bus_state.prompting,
                    bus_state.key_fault,
                )
            )
        return states

    def open_follow_ups(self) -> list[FollowUp]:
        """差评 not followed up yet, oldest first (for the technician menu)."""
        return self.evaluations.open_follow_ups()

    def close_follow_up(self, evaluation_id: str, note: str) -> None:
        self.evaluations.close_follow_up(evaluation_id, note)

    def scan(self, timeout: float = 10.0) -> dict[int, str | None]:
        """INFO to every configured address: address -> "model/firmware", None when that
        keypad did not answer. The bus thread does it when it runs (one thread talks to
        the port). Raises TransportError (port missing) or TimeoutError."""
        request = _ScanRequest()
        if not self._loop.running:
            self._scan_now(request)
        else:
            with self._lock:
                self._scans.append(request)
            self._wake.set()
            if not request.done.wait(timeout):
                raise TimeoutError(f"the keypad bus did not scan within {timeout:g} s")
        if request.error is not None:
            raise TransportError(request.error)
        return request.found

    def _scan_now(self, request: _ScanRequest) -> None:
        try:
            answers = self._bus.scan(sorted(self._window_of))
        except TransportError as error:
            request.error = str(error)
        else:
            request.found = {
                address: (str(answers[address]) if address in answers else None)
                for address in sorted(self._window_of)
            }
        request.done.set()

    def _run_scans(self) -> None:
        while True:
            with self._lock:
                if not self._scans:
                    return
                request = self._scans.popleft()
            self._scan_now(request)

    @property
    def windows(self) -> dict[int, int]:
        """Bus address -> window."""
        return dict(self._window_of)

    # ---- one turn of the bus thread ----------------------------------------------------

    def run_once(self) -> None:
        """Prompts asked for, one poll of every keypad, their events, expired prompts."""
        self._run_scans()
        self._send_prompts()
        try:
            # Each event is kept (journalled) before its keypad is acknowledged.
            self._bus.poll_cycle(self._handle)
        except TransportError as error:
            self._port_lost(error)
            return
        self._port_back()
        self._note_answers()
        self._send_prompts()  # a staff key just finished a service
        for window in self.evaluations.expire_prompts():
            log.info("window %d: the prompt went unanswered (not evaluated)", window)
            self._idle(window)
        for window in self.evaluations.take_answered():
            log.info("window %d: the prompt was answered on the phone page", window)
            self._idle(window)

    def _handle(self, record: KeypadEventRecord) -> None:
        window = self._window_of.get(record.address)
        if window is None:
            return
        if self.evaluations.staff_key(window, record.event):
            return  # a staff number keyed in (kiosk.window_staff)
        level = EvaluationLevel.of_key(record.event)
        if level is None:
            press_caller_key(self.hall, window, record.event)
            return
        # Raises when the journal cannot keep it: then not acknowledged, it comes again.
        evaluation = self.evaluations.vote(window, level, keypad=(record.address, record.seq))
        log.info(
            "window %d: vote %d for %s",
            window,
            int(level),
            evaluation.ticket_number or "no ticket (unattached)",
        )
        self._idle(window)

    # ---- prompts -----------------------------------------------------------------------

    def _on_hall_event(self, event: HallEvent) -> None:
        """Any thread: a finished service at one of our windows gets a prompt."""
        if event.window in self._address_of:  # calls and services, with the staff number
            self.evaluations.staff.note_service_event(event)
        if event.kind is HallEventKind.EVALUATED and event.window in self._address_of:
            if event.ticket_id and self.evaluations.answered_elsewhere(
                event.window, event.ticket_id
            ):
                self._wake.set()  # the keypad back to idle on the next turn
            return
        if event.kind is not HallEventKind.FINISHED or event.number is None:
            return
        if event.window not in self._address_of:
            return
        finished = _Finished(event.window, event.number, event.staff_id, event.ticket_id)
        key = event.ticket_id or event.number
        with self._lock:
            # The same service told twice (a server's action reply and its event stream):
            # one prompt, or the second would count the first as not evaluated.
            if self._last_finished.get(event.window) == key:
                return
            self._last_finished[event.window] = key
            self._finished.append(finished)
        self._wake.set()

    def _send_prompts(self) -> None:
        while True:
            with self._lock:
                if not self._finished:
                    return
                event = self._finished.popleft()
            self.evaluations.service_finished(
                event.window, event.number, event.staff_id, ticket_id=event.ticket_id
            )
            address = self._address_of[event.window]
            try:
                confirmed = self._bus.prompt(address, event.number)
            except Kp1Error as error:
                log.warning(
                    "window %d: cannot show %s on a keypad: %s", event.window, event.number, error
                )
                continue
            except TransportError as error:
                self._port_lost(error)
                continue
            if not confirmed:
                log.warning(
                    "window %d: keypad %d did not confirm the prompt", event.window, address
                )

    def _idle(self, window: int) -> None:
        address = self._address_of.get(window)
        if address is None:
            return
        try:
            if not self._bus.idle(address):
                log.warning("window %d: keypad %d did not confirm IDLE", window, address)
        except TransportError as error:
            self._port_lost(error)

    # ---- health ------------------------------------------------------------------------

    def _note_answers(self) -> None:
        now = self._clock.now()
        for address, window in self._window_of.items():
            state = self._bus.status(address)
            if state.online and state.silent_polls == 0:
                with self._lock:
                    self._last_seen[address] = now
                if state.info is None and address not in self._info_asked:
                    self._info_asked.add(address)  # once per return: INFO is optional
                    self._bus.info(address)
            if state.online != self._online[address]:
                self._online[address] = state.online
                self._info_asked.discard(address)
                kind = "keypad.online" if state.online else "keypad.offline"
                self._journal.record(kind, {"address": address, "window": window})
                if not state.online:
                    log.warning("keypad %d (window %d) does not answer", address, window)

    def _port_lost(self, error: TransportError) -> None:
        if self._port_ok:
            self._port_ok = False
            log.warning("keypad bus: %s", error)
            self._journal.record("keypads.port_lost", {"reason": str(error)})

    def _port_back(self) -> None:
        if not self._port_ok:
            self._port_ok = True
            log.info("keypad bus: the port is back")
            self._journal.record("keypads.port_back", {})
