"""好差评: what each keypad key means; a vote at a window becomes a record, and a
差评 opens a follow-up.

The KP1 driver reports key codes only. Here the codes 1..5 are the evaluation
levels (`EvaluationLevel.of_key`) and every key has its label (`key_label`).

A finished service prompts that window's keypad with the ticket number; the
next vote from that window within the prompt time belongs to the ticket. A vote
with no prompt is kept as "unattached" with its window and time; a prompt with
no vote in time counts as "not evaluated". One service, one evaluation: a second
vote at that window before the next service is kept as a repeat of the first
(`repeat`, attached to the same ticket) and never counted. Each vote carries the
staff number signed in at the window (`kiosk.window_staff`). After a 差评 the
taxpayer may give its content (reasons and a note, `add_content`), on the kiosk's
screen (channel terminal) or the phone page (channel qr, on the hall server).
Every record goes to the journal first, so none is lost across a restart; open
follow-ups are read back from it (`kiosk.follow_ups`), due in working days on the
holiday calendar (`kiosk.holidays`).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum
from functools import cache
from zoneinfo import ZoneInfo

from drivers.keypad.protocol import KeypadEvent
from kiosk.clock import Clock
from kiosk.evaluation_reasons import Channel, ReasonList
from kiosk.follow_ups import FollowUp, open_follow_ups
from kiosk.holidays import HolidayCalendar, load_calendar
from kiosk.journal import Journal
from kiosk.settings import CONFIG_DIR
from kiosk.text import Text, text
from kiosk.window_staff import StaffKeys, WindowStaff

__all__ = ["Evaluation", "EvaluationLevel", "EvaluationRecorder", "FollowUp", "Prompt"]


class EvaluationLevel(IntEnum):
    """The five levels of the national 好差评 system, as the keypads number them."""

    VERY_SATISFIED = 1
    SATISFIED = 2
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 4
    VERY_DISSATISFIED = 5

    @property
    def is_negative(self) -> bool:
        """差评: 不满意 and 非常不满意 need a follow-up."""
        return self >= EvaluationLevel.DISSATISFIED

    @property
    def label(self) -> Text:
        return key_label(KeypadEvent(self))

    @classmethod
    def of_key(cls, event: KeypadEvent) -> EvaluationLevel | None:
        """The level an evaluation key stands for (the keypads number them 1..5); None
        for a staff key."""
        try:
            return cls(int(event))
        except ValueError:
            return None


def key_label(event: KeypadEvent) -> Text:
    """What a keypad key means, as a technician reads it (`kiosk diag keypads`): the
    catalog's `keypad.<key name>` (config/texts.toml [keypad])."""
    return text(f"keypad.{event.name.lower()}")


@dataclass(frozen=True)
class Prompt:
    """A keypad asked to show 请评价 and a ticket number."""

    window: int
    ticket_number: str
    staff_id: str | None
    since: float  # the clock's monotonic seconds
    ticket_id: str | None = None  # the hall's ticket, when known (links the record)


@dataclass(frozen=True)
class Evaluation:
    evaluation_id: str
    window: int
    level: EvaluationLevel | None  # None: the taxpayer did not evaluate in time
    ticket_number: str | None  # None: a vote with no prompt (unattached)
    staff_id: str | None
    at: datetime
    channel: Channel = "keypad"
    ticket_id: str | None = None
    repeat: bool = False  # a second vote for the same service: kept, never counted


@cache
def shipped_calendar() -> HolidayCalendar:
    return load_calendar(CONFIG_DIR / "holidays" / "cn.toml")


def add_working_days(start: date, days: int, calendar: HolidayCalendar | None = None) -> date:
    """`days` working days after `start` on the holiday calendar (the shipped one by
    default): holidays skipped, 调休 working weekends counted."""
    return (calendar or shipped_calendar()).add_working_days(start, days)


class EvaluationRecorder:
    """Prompts per window, votes journalled as evaluations, and their follow-ups."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        *,
        timezone: str,
        prompt_seconds: float = 60.0,
        follow_up_working_days: int = 5,
        calendar: HolidayCalendar | None = None,
        staff_entry_seconds: float = 30.0,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._zone = ZoneInfo(timezone)
        self.prompt_seconds = prompt_seconds
        self.follow_up_working_days = follow_up_working_days
        self.calendar = calendar or shipped_calendar()
        self.staff = WindowStaff(journal)
        self.staff_keys = StaffKeys(self.staff, clock, staff_entry_seconds)
        self._prompts: dict[int, Prompt] = {}
        self._evaluated: dict[int, Prompt] = {}  # the window's last voted service
        self._answered: set[int] = set()  # prompts answered on the phone: keypads to idle
        self._lock = threading.Lock()

    def service_finished(
        self,
        window: int,
        ticket_number: str,
        staff_id: str | None = None,
        *,
        ticket_id: str | None = None,
    ) -> Prompt:
        """Returns the prompt to send to that window's keypad; the staff is the one
        signed in at the window when the hall does not say."""
        staff_id = staff_id or self.staff.at(window)
        prompt = Prompt(window, ticket_number, staff_id, self._clock.monotonic(), ticket_id)
        with self._lock:
            earlier = self._prompts.get(window)
            self._prompts[window] = prompt
            self._evaluated.pop(window, None)
        if earlier is not None:  # the next service began before anyone voted
            self._record(earlier.window, None, earlier)
        return prompt

    def vote(
        self, window: int, level: EvaluationLevel, *, keypad: tuple[int, int] | None = None
    ) -> Evaluation:
        """A key pressed on a keypad (repeats were already dropped by the bus). `keypad`
        is the (bus address, event seq) it came as: journalled, so that after a restart
        the same event reported again is known (`last_keypad_seq`). Raises when the
        journal cannot keep it; the prompt then stays for the keypad's next report."""
        with self._lock:
            prompt = self._prompts.pop(window, None)
            voted = self._evaluated.get(window)
        try:
            if prompt is not None and self._expired(prompt):
                self._record(prompt.window, None, prompt)
                prompt = None
            if prompt is None and voted is not None:  # one service, one evaluation
                return self._record(window, level, voted, keypad=keypad, repeat=True)
            evaluation = self._record(window, level, prompt, keypad=keypad)
            if prompt is not None:
                with self._lock:
                    self._evaluated[window] = prompt
            return evaluation
        except BaseException:
            if prompt is not None:
                with self._lock:
                    self._prompts.setdefault(window, prompt)
            raise

    def qr_vote(
        self,
        window: int,
        ticket_number: str,
        ticket_id: str,
        level: EvaluationLevel,
        staff_id: str | None,
        channel: Channel = "qr",
    ) -> Evaluation:
        """A vote on the phone page (channel qr) or the kiosk's screen (terminal) for a
        served ticket no one voted for: the window's keypad prompt for that ticket is
        answered by it, and a later vote on the keypad is a repeat (one service, one
        evaluation)."""
        prompt = self.answered_elsewhere(window, ticket_id)
        staff_id = staff_id or (None if prompt is None else prompt.staff_id)
        served = Prompt(window, ticket_number, staff_id, self._clock.monotonic(), ticket_id)
        return self._record(window, level, served, channel=channel)

    def answered_elsewhere(self, window: int, ticket_id: str) -> Prompt | None:
        """The window's prompt for `ticket_id`, answered on the phone page (here, or on
        the hall server): gone, its keypad to go idle, a later keypad vote a repeat.
        None when the window prompts for no such ticket."""
        with self._lock:
            prompt = self._prompts.get(window)
            if prompt is None or prompt.ticket_id != ticket_id:
                return None
            del self._prompts[window]
            self._evaluated[window] = prompt
            self._answered.add(window)
            return prompt

    def take_answered(self) -> list[int]:
        """The windows whose prompt a phone answered since the last call: their keypads
        go back to idle."""
        with self._lock:
            answered, self._answered = sorted(self._answered), set()
        return answered

    def last_keypad_seq(self, address: int) -> int | None:
        """The seq of the last vote journalled from keypad `address`, or None."""
        event = self._journal.find_event("evaluation.recorded", keypad_address=str(address))
        seq = None if event is None else event.payload.get("keypad_seq")
        return seq if isinstance(seq, int) else None

    def expire_prompts(self) -> list[int]:
        """Prompts left unanswered too long count as not evaluated; returns the windows
        whose keypads should go back to idle."""
        with self._lock:
            expired = [prompt for prompt in self._prompts.values() if self._expired(prompt)]
            for prompt in expired:
                del self._prompts[prompt.window]
        for prompt in expired:
            self._record(prompt.window, None, prompt)
        return [prompt.window for prompt in expired]

    def prompting(self, window: int) -> bool:
        with self._lock:
            return window in self._prompts

    def staff_key(self, window: int, event: KeypadEvent) -> bool:
        """True when the key belongs to a staff sign-in at that window
        (`kiosk.window_staff`): then it is neither a vote nor a hall action."""
        return self.staff_keys.press(window, event, prompting=self.prompting(window))

    def add_content(
        self,
        evaluation: Evaluation,
        reasons: ReasonList,
        codes: list[str],
        note: str = "",
        channel: Channel = "terminal",
    ) -> None:
        """The 差评's content, as the taxpayer gave it on the kiosk's screen; ValueError
        for a vote that is no 差评, a repeat, or reasons not in the list."""
        if evaluation.level is None or not evaluation.level.is_negative or evaluation.repeat:
            raise ValueError("only a counted 不满意 or 非常不满意 vote has 差评 content")
        chosen, note = reasons.checked(codes, note)
        self._journal.record(
            "evaluation.content",
            {
                "evaluation_id": evaluation.evaluation_id,
                "reasons": chosen,
                "note": note,
                "channel": channel,
            },
            ticket_id=evaluation.ticket_id,
        )

    def open_follow_ups(self) -> list[FollowUp]:
        """Follow-ups not closed yet, oldest first; survives restarts (from the journal)."""
        return open_follow_ups(self._journal)

    def update_follow_up(self, update: dict[str, object]) -> None:
        """Journal a follow-up's assignee, contact result, rectification note or
        contact phone, as `kiosk.follow_ups.follow_up_update` checked them."""
        self._journal.record("follow_up.updated", update)

    def close_follow_up(self, evaluation_id: str, note: str) -> None:
        self._journal.record("follow_up.closed", {"evaluation_id": evaluation_id, "note": note})

    def _expired(self, prompt: Prompt) -> bool:
        return self._clock.monotonic() - prompt.since >= self.prompt_seconds

    def _record(
        self,
        window: int,
        level: EvaluationLevel | None,
        prompt: Prompt | None,
        *,
        keypad: tuple[int, int] | None = None,
        repeat: bool = False,
        channel: Channel = "keypad",
    ) -> Evaluation:
        """Journal one evaluation (attached to `prompt`'s ticket when there is one); the
        journal also puts it in the outbox for the hall."""
        ticket_number = None if prompt is None else prompt.ticket_number
        staff_id = self.staff.at(window) if prompt is None else prompt.staff_id
        ticket_id = None if prompt is None else prompt.ticket_id
        evaluation = Evaluation(
            uuid.uuid4().hex,
            window,
            level,
            ticket_number,
            staff_id,
            self._clock.now(),
            channel=channel,
            ticket_id=ticket_id,
            repeat=repeat,
        )
        self._journal.record(
            "evaluation.recorded",
            {
                "evaluation_id": evaluation.evaluation_id,
                "window": window,
                "level": None if level is None else int(level),
                "ticket_number": ticket_number,
                "staff_id": staff_id,
                "channel": evaluation.channel,
                "attached": ticket_number is not None,
                "repeat": repeat,
                **(
                    {}
                    if keypad is None
                    else {"keypad_address": str(keypad[0]), "keypad_seq": keypad[1]}
                ),
            },
            ticket_id=ticket_id,
        )
        if level is not None and level.is_negative and not repeat:
            today = evaluation.at.astimezone(self._zone).date()
            self._journal.record(
                "follow_up.opened",
                {
                    "evaluation_id": evaluation.evaluation_id,
                    "window": window,
                    "ticket_number": ticket_number,
                    "level": int(level),
                    "deadline": self.calendar.add_working_days(
                        today, self.follow_up_working_days
                    ).isoformat(),
                },
                ticket_id=ticket_id,
            )
        return evaluation
