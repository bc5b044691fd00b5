from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drivers.keypad.protocol import KeypadEvent as Key
from kiosk.clock import FakeClock
from kiosk.evaluation import EvaluationLevel, EvaluationRecorder
from kiosk.hall.base import HallEvent, HallEventKind
from kiosk.journal import Journal
from kiosk.window_staff import staff_number_keys


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[FakeClock, Journal]]:
    clock = FakeClock(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    yield clock, journal
    journal.close()


@pytest.fixture
def clock(parts: tuple[FakeClock, Journal]) -> FakeClock:
    return parts[0]


@pytest.fixture
def journal(parts: tuple[FakeClock, Journal]) -> Journal:
    return parts[1]


@pytest.fixture
def recorder(parts: tuple[FakeClock, Journal]) -> EvaluationRecorder:
    clock, journal = parts
    return EvaluationRecorder(journal, clock, timezone="Asia/Shanghai", staff_entry_seconds=30)


def press(recorder: EvaluationRecorder, window: int, *keys: Key) -> list[bool]:
    return [recorder.staff_key(window, key) for key in keys]


def test_a_staff_number_keyed_in_signs_in_and_every_vote_carries_it(
    recorder: EvaluationRecorder, journal: Journal
) -> None:
    # 2 staff keys, then 1 0(=recall 5) 3 7(=recall 2), then the staff key confirms.
    consumed = press(
        recorder,
        3,
        Key.ASK_EVALUATION,
        Key.ASK_EVALUATION,
        Key.VERY_SATISFIED,
        Key.RECALL,
        Key.VERY_DISSATISFIED,
        Key.BASICALLY_SATISFIED,
        Key.RECALL,
        Key.SATISFIED,
        Key.ASK_EVALUATION,
    )
    assert consumed == [False, True, True, True, True, True, True, True, True]
    assert recorder.staff.at(3) == "1037"
    recorder.service_finished(3, "A001")
    assert recorder.vote(3, EvaluationLevel.SATISFIED).staff_id == "1037"
    kinds = [event.kind for event in journal.events()]
    assert kinds[0] == "staff.signed_in"
    # Signing out: the same sequence with no digits.
    assert press(recorder, 3, Key.ASK_EVALUATION, Key.ASK_EVALUATION, Key.ASK_EVALUATION) == [
        False,
        True,
        True,
    ]
    assert recorder.staff.at(3) is None
    assert journal.events()[-1].payload == {"window": 3, "staff_id": "1037"}


def test_no_entry_while_a_prompt_shows_and_an_idle_entry_is_dropped(
    recorder: EvaluationRecorder, clock: FakeClock
) -> None:
    recorder.service_finished(2, "A002")
    assert press(recorder, 2, Key.ASK_EVALUATION, Key.ASK_EVALUATION) == [False, False]
    recorder.vote(2, EvaluationLevel.SATISFIED)
    assert press(recorder, 2, Key.ASK_EVALUATION, Key.ASK_EVALUATION, Key.SATISFIED) == [
        False,
        True,
        True,
    ]
    clock.advance(31)
    assert press(recorder, 2, Key.VERY_SATISFIED) == [False]  # a vote again, not a digit
    assert press(recorder, 2, Key.ASK_EVALUATION) == [False]
    assert recorder.staff.at(2) is None


def test_pause_deletes_a_digit_and_call_next_cancels(recorder: EvaluationRecorder) -> None:
    press(recorder, 4, Key.ASK_EVALUATION, Key.ASK_EVALUATION, Key.VERY_SATISFIED, Key.SATISFIED)
    press(recorder, 4, Key.PAUSE, Key.DISSATISFIED, Key.ASK_EVALUATION)
    assert recorder.staff.at(4) == "14"
    press(recorder, 4, Key.ASK_EVALUATION, Key.ASK_EVALUATION, Key.SATISFIED, Key.CALL_NEXT)
    assert recorder.staff.at(4) == "14"


def test_staff_survive_a_restart_and_calls_are_journalled_once_with_the_staff(
    recorder: EvaluationRecorder, journal: Journal, clock: FakeClock
) -> None:
    recorder.staff.sign_in(5, "20001")
    again = EvaluationRecorder(journal, clock, timezone="Asia/Shanghai")
    assert again.staff.at(5) == "20001"
    called = HallEvent(HallEventKind.CALLED, clock.now(), 5, "t1", "A003", "comprehensive")
    again.staff.note_service_event(called)
    again.staff.note_service_event(called)  # the event stream tells it again
    again.staff.note_service_event(
        HallEvent(HallEventKind.FINISHED, clock.now(), 5, "t1", "A003", "comprehensive")
    )
    records = [(e.kind, e.ticket_id, e.payload.get("staff_id")) for e in journal.events()]
    assert records[-2:] == [("service.called", "t1", "20001"), ("service.finished", "t1", "20001")]
    assert [kind for kind, _, _ in records].count("service.called") == 1
    with pytest.raises(ValueError, match="1 to 16 digits"):
        again.staff.sign_in(5, "12a")


def test_the_keys_of_a_staff_number_are_the_ones_the_entry_reads(
    recorder: EvaluationRecorder,
) -> None:
    for number in ("1037", "9068", "0"):
        assert all(press(recorder, 4, *staff_number_keys(number))[1:])  # the 1st: also finish
        assert recorder.staff.at(4) == number
    with pytest.raises(ValueError, match="1 to 16 digits"):
        staff_number_keys("10a")
