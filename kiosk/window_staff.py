"""Staff at the windows: who serves at each window (工号, the staff number), signed in
and out on the window's keypad, and the calls and services they make.

The KP1 keypad has no digit keys (DEVICES.md §4: the votes 1..5 and five staff
keys), so a staff number is keyed in as a sequence, while no evaluation prompt is
showing at that window:

- the staff key (0x14, ask for evaluation) twice within the entry time starts it;
- the vote keys 1..5 are the digits 1..5; recall (0x11) then a vote key k is the
  digit k + 5 (recall, 5 is 0);
- pause (0x12) deletes the last digit; call next (0x10) cancels;
- the staff key confirms: a number signs that staff member in (whoever was signed
  in there is signed out); the number already signed in, or no number, signs out.

An entry left without a key for `evaluation.staff_entry_seconds` is dropped. Every
sign-in and sign-out is a journal record (`staff.signed_in`, `staff.signed_out`),
and so is every call and finished service at a window, with its staff number
(`service.called`, `service.finished`): the hall server keeps them per staff.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

from drivers.keypad.protocol import KeypadEvent
from kiosk.clock import Clock
from kiosk.hall.base import HallEvent, HallEventKind
from kiosk.journal import Journal

log = logging.getLogger(__name__)

STAFF_NUMBER = re.compile(r"^[0-9]{1,16}$")


def staff_number_keys(staff_id: str) -> list[KeypadEvent]:
    """The keys that sign `staff_id` in: the staff key twice, the digits (1..5 a vote
    key; 6..9 and 0 recall then vote key 1..5), the staff key. ValueError for a bad
    number."""
    if not STAFF_NUMBER.match(staff_id):
        raise ValueError("a staff number is 1 to 16 digits")
    keys = [KeypadEvent.ASK_EVALUATION, KeypadEvent.ASK_EVALUATION]
    for digit in (int(d) for d in staff_id):
        if 1 <= digit <= 5:
            keys.append(KeypadEvent(digit))
        else:
            keys += [KeypadEvent.RECALL, KeypadEvent(digit - 5 if digit else 5)]
    return [*keys, KeypadEvent.ASK_EVALUATION]


class WindowStaff:
    """Who is signed in at each window; read back from the journal after a restart."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._lock = threading.Lock()
        self._at: dict[int, str] = {}
        # The newest sign-ins and outs are enough: one per window at most is current.
        for event in journal.newest_of_kinds("staff.", 10_000):
            if event.kind in ("staff.signed_in", "staff.signed_out"):
                window = int(event.payload["window"])
                if event.kind == "staff.signed_in":
                    self._at[window] = str(event.payload["staff_id"])
                else:
                    self._at.pop(window, None)
        self._seen: dict[tuple[str, int], tuple[str | None, str]] = {}

    def at(self, window: int) -> str | None:
        with self._lock:
            return self._at.get(window)

    def signed_in(self) -> dict[int, str]:
        """Every window's staff number now (the window screens show it)."""
        with self._lock:
            return dict(self._at)

    def sign_in(self, window: int, staff_id: str) -> None:
        if not STAFF_NUMBER.match(staff_id):
            raise ValueError("a staff number is 1 to 16 digits")
        with self._lock:
            earlier = self._at.get(window)
            self._at[window] = staff_id
        if earlier is not None and earlier != staff_id:
            self._journal.record("staff.signed_out", {"window": window, "staff_id": earlier})
        self._journal.record("staff.signed_in", {"window": window, "staff_id": staff_id})
        log.info("window %d: staff signed in", window)

    def sign_out(self, window: int) -> None:
        with self._lock:
            earlier = self._at.pop(window, None)
        if earlier is not None:
            self._journal.record("staff.signed_out", {"window": window, "staff_id": earlier})
            log.info("window %d: staff signed out", window)

    def note_service_event(self, event: HallEvent) -> None:
        """A call or a finished service at a window, journalled with its staff number.
        The same event told twice (a server's action reply and its event stream) is
        journalled once."""
        if event.kind not in (HallEventKind.CALLED, HallEventKind.FINISHED):
            return
        if event.window is None or event.number is None:
            return
        key = (event.kind.value, event.window)
        seen = (event.ticket_id, event.at.isoformat())
        with self._lock:
            if self._seen.get(key) == seen:
                return
            self._seen[key] = seen
        staff_id = event.staff_id or self.at(event.window)
        payload: dict[str, object] = {
            "window": event.window,
            "number": event.number,
            "queue": event.queue_code,
            "staff_id": staff_id,
            "event_at": event.at.isoformat(),
        }
        if event.kind is HallEventKind.CALLED:
            payload["recall"] = event.recall
        kind = "service.called" if event.kind is HallEventKind.CALLED else "service.finished"
        self._journal.record(kind, payload, ticket_id=event.ticket_id)


@dataclass
class _Entry:
    digits: str = ""
    shifted: bool = False
    last_key: float = 0.0


@dataclass
class StaffKeys:
    """The keypad sequence that signs staff in and out (see the module's docstring)."""

    staff: WindowStaff
    clock: Clock
    entry_seconds: float = 30.0
    _entries: dict[int, _Entry] = field(default_factory=dict)
    _staff_key_at: dict[int, float] = field(default_factory=dict)

    def press(self, window: int, event: KeypadEvent, *, prompting: bool) -> bool:
        """True when the key belongs to a staff entry (then it is not a vote or a hall
        action); False leaves it to the keypad's usual meaning."""
        now = self.clock.monotonic()
        entry = self._entries.get(window)
        if entry is not None and now - entry.last_key > self.entry_seconds:
            del self._entries[window]
            entry = None
        if entry is None:
            return self._maybe_start(window, event, now, prompting)
        entry.last_key = now
        if event is KeypadEvent.ASK_EVALUATION:
            del self._entries[window]
            self._confirm(window, entry.digits)
        elif event is KeypadEvent.CALL_NEXT:
            del self._entries[window]
        elif event is KeypadEvent.PAUSE:
            entry.digits, entry.shifted = entry.digits[:-1], False
        elif event is KeypadEvent.RECALL:
            entry.shifted = True
        elif KeypadEvent.VERY_SATISFIED <= event <= KeypadEvent.VERY_DISSATISFIED:
            digit = (int(event) + (5 if entry.shifted else 0)) % 10
            entry.digits, entry.shifted = (entry.digits + str(digit))[:16], False
        return True

    def entering(self, window: int) -> bool:
        return window in self._entries

    def _maybe_start(self, window: int, event: KeypadEvent, now: float, prompting: bool) -> bool:
        if event is not KeypadEvent.ASK_EVALUATION or prompting:
            return False
        earlier = self._staff_key_at.get(window)
        self._staff_key_at[window] = now
        if earlier is None or now - earlier > self.entry_seconds:
            return False  # the first press keeps its usual meaning (finish the service)
        del self._staff_key_at[window]
        self._entries[window] = _Entry(last_key=now)
        return True

    def _confirm(self, window: int, digits: str) -> None:
        if not digits or self.staff.at(window) == digits:
            self.staff.sign_out(window)
        else:
            self.staff.sign_in(window, digits)
