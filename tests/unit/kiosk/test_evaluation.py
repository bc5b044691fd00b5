from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from drivers.keypad.protocol import KeypadEvent
from kiosk.clock import FakeClock
from kiosk.evaluation import EvaluationLevel, EvaluationRecorder, add_working_days, key_label
from kiosk.journal import Journal

# Friday 2026-11-27, 10:00 in Shanghai.
FRIDAY_MORNING = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FRIDAY_MORNING)


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    made = Journal(tmp_path / "journal.sqlite3", clock)
    yield made
    made.close()


@pytest.fixture
def recorder(journal: Journal, clock: FakeClock) -> EvaluationRecorder:
    return EvaluationRecorder(
        journal, clock, timezone="Asia/Shanghai", prompt_seconds=60, follow_up_working_days=5
    )


def recorded(journal: Journal) -> list[dict[str, object]]:
    return [event.payload for event in journal.events() if event.kind == "evaluation.recorded"]


def test_a_vote_after_a_prompt_belongs_to_that_ticket(
    recorder: EvaluationRecorder, journal: Journal
) -> None:
    prompt = recorder.service_finished(3, "A012", staff_id="S07")
    assert (prompt.window, prompt.ticket_number) == (3, "A012")
    evaluation = recorder.vote(3, EvaluationLevel.SATISFIED)
    assert (evaluation.ticket_number, evaluation.staff_id) == ("A012", "S07")
    [record] = recorded(journal)
    assert record["level"] == 2
    assert record["attached"] is True
    assert recorder.open_follow_ups() == []


def test_a_vote_without_a_prompt_is_kept_unattached(
    recorder: EvaluationRecorder, journal: Journal
) -> None:
    evaluation = recorder.vote(5, EvaluationLevel.VERY_SATISFIED)
    assert evaluation.ticket_number is None
    assert recorded(journal)[0]["attached"] is False
    assert recorded(journal)[0]["window"] == 5


def test_an_unanswered_prompt_counts_as_not_evaluated(
    recorder: EvaluationRecorder, clock: FakeClock, journal: Journal
) -> None:
    recorder.service_finished(2, "G004")
    clock.advance(59)
    assert recorder.expire_prompts() == []
    clock.advance(1)
    assert recorder.expire_prompts() == [2]
    assert recorded(journal) == [{**recorded(journal)[0], "level": None, "ticket_number": "G004"}]
    late = recorder.vote(2, EvaluationLevel.SATISFIED)  # after the keypad went idle
    assert late.ticket_number is None


def test_a_new_service_before_a_vote_closes_the_earlier_prompt(
    recorder: EvaluationRecorder, journal: Journal
) -> None:
    recorder.service_finished(4, "A001")
    recorder.service_finished(4, "A002")
    assert recorder.vote(4, EvaluationLevel.SATISFIED).ticket_number == "A002"
    levels = [(record["ticket_number"], record["level"]) for record in recorded(journal)]
    assert levels == [("A001", None), ("A002", 2)]


@pytest.mark.parametrize("level", [EvaluationLevel.DISSATISFIED, EvaluationLevel.VERY_DISSATISFIED])
def test_a_bad_review_opens_a_follow_up_due_in_five_working_days(
    recorder: EvaluationRecorder, level: EvaluationLevel
) -> None:
    recorder.service_finished(6, "V003")
    evaluation = recorder.vote(6, level)
    [follow_up] = recorder.open_follow_ups()
    assert follow_up.evaluation_id == evaluation.evaluation_id
    assert (follow_up.window, follow_up.ticket_number, follow_up.level) == (6, "V003", level)
    assert follow_up.deadline == date(2026, 12, 4)  # Friday + 5 working days


def test_follow_ups_survive_a_restart_until_closed(tmp_path: Path, clock: FakeClock) -> None:
    journal = Journal(tmp_path / "j.sqlite3", clock)
    recorder = EvaluationRecorder(journal, clock, timezone="Asia/Shanghai")
    bad = recorder.vote(1, EvaluationLevel.VERY_DISSATISFIED)
    journal.close()
    reopened = Journal(tmp_path / "j.sqlite3", clock)
    again = EvaluationRecorder(reopened, clock, timezone="Asia/Shanghai")
    assert [f.evaluation_id for f in again.open_follow_ups()] == [bad.evaluation_id]
    again.close_follow_up(bad.evaluation_id, "called the taxpayer back")
    assert again.open_follow_ups() == []
    reopened.close()


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # Monday -> next Monday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday -> Monday
        (date(2026, 11, 25), 0, date(2026, 11, 25)),
    ],
)
def test_working_days_skip_weekends(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days) == due


def test_levels_and_labels() -> None:
    assert [level.is_negative for level in EvaluationLevel] == [False, False, False, True, True]
    assert EvaluationLevel.BASICALLY_SATISFIED.label.zh == "基本满意"


def test_what_a_keypad_key_means() -> None:
    levels = {event: EvaluationLevel.of_key(event) for event in KeypadEvent}
    assert [event for event, level in levels.items() if level is not None] == [
        KeypadEvent.VERY_SATISFIED,
        KeypadEvent.SATISFIED,
        KeypadEvent.BASICALLY_SATISFIED,
        KeypadEvent.DISSATISFIED,
        KeypadEvent.VERY_DISSATISFIED,
    ]
    assert [int(level) for level in levels.values() if level is not None] == [1, 2, 3, 4, 5]
    negative = {event for event, level in levels.items() if level is not None and level.is_negative}
    assert negative == {KeypadEvent.DISSATISFIED, KeypadEvent.VERY_DISSATISFIED}
    assert key_label(KeypadEvent.VERY_SATISFIED).zh == "非常满意"
    assert key_label(KeypadEvent.VERY_DISSATISFIED).zh == "非常不满意"
    assert key_label(KeypadEvent.CALL_NEXT).zh == "叫号"
    assert all(key_label(event).zh and key_label(event).en for event in KeypadEvent)


def test_a_second_vote_for_the_same_service_is_a_repeat_and_opens_nothing(
    recorder: EvaluationRecorder, journal: Journal
) -> None:
    recorder.service_finished(3, "A012", ticket_id="t-a012")
    first = recorder.vote(3, EvaluationLevel.VERY_SATISFIED)
    second = recorder.vote(3, EvaluationLevel.VERY_DISSATISFIED)
    assert (first.repeat, second.repeat) == (False, True)
    assert (second.ticket_number, second.ticket_id) == ("A012", "t-a012")
    assert [record["repeat"] for record in recorded(journal)] == [False, True]
    assert recorder.open_follow_ups() == []  # a repeat is never counted
    recorder.service_finished(3, "A013")
    assert recorder.vote(3, EvaluationLevel.SATISFIED).repeat is False


def test_the_follow_up_deadline_skips_a_holiday_and_counts_a_working_saturday(
    journal: Journal,
) -> None:
    clock = FakeClock(datetime(2026, 9, 30, 2, 0, tzinfo=UTC))  # Wednesday before 国庆
    recorder = EvaluationRecorder(journal, clock, timezone="Asia/Shanghai")
    recorder.service_finished(1, "A001")
    recorder.vote(1, EvaluationLevel.VERY_DISSATISFIED)
    [follow_up] = recorder.open_follow_ups()
    assert follow_up.deadline == date(2026, 10, 13)  # 10-01..07 off; Saturday 10-10 works


def test_bad_review_content_on_the_kiosk_screen(
    recorder: EvaluationRecorder, journal: Journal
) -> None:
    from kiosk.evaluation_reasons import load_reasons
    from kiosk.settings import load_settings

    reasons = load_reasons(load_settings())
    recorder.service_finished(2, "A020", ticket_id="t-a020")
    bad = recorder.vote(2, EvaluationLevel.DISSATISFIED)
    recorder.add_content(bad, reasons, ["efficiency_wait", "efficiency_wait", "other"], " 太慢 ")
    [content] = [e for e in journal.events() if e.kind == "evaluation.content"]
    assert content.ticket_id == "t-a020"
    assert content.payload == {
        "evaluation_id": bad.evaluation_id,
        "reasons": ["efficiency_wait", "other"],
        "note": "太慢",
        "channel": "terminal",
    }
    with pytest.raises(ValueError, match="unknown reason"):
        recorder.add_content(bad, reasons, ["rude"])
    good = recorder.vote(4, EvaluationLevel.SATISFIED)
    with pytest.raises(ValueError, match="差评"):
        recorder.add_content(good, reasons, ["other"])


def test_a_contact_phone_is_kept_only_with_consent_and_shown_masked() -> None:
    from kiosk.follow_ups import follow_up_update, mask_phone

    with pytest.raises(ValueError, match="consent"):
        follow_up_update("e1", contact_phone="13812345678")
    update = follow_up_update("e1", contact_phone="13812345678", consent=True, assignee=" 王 ")
    assert update == {
        "evaluation_id": "e1",
        "assignee": "王",
        "contact_phone": "13812345678",
        "consent": True,
    }
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(None) == ""


def test_an_id_number_or_a_phone_typed_into_a_note_is_never_kept() -> None:
    from kiosk.evaluation_reasons import load_reasons
    from kiosk.settings import load_settings

    reasons = load_reasons(load_settings())
    _, note = reasons.checked(["other"], "我是11010519491231002X，电话13812345678，请回电")
    assert note == "我是[证件号已隐去]，电话[电话已隐去]，请回电"
    _, kept = reasons.checked(["other"], "排队号G001等了120分钟")
    assert kept == "排队号G001等了120分钟"


def test_an_open_follow_up_is_overdue_the_day_after_its_deadline(
    recorder: EvaluationRecorder,
) -> None:
    recorder.vote(1, EvaluationLevel.DISSATISFIED)
    [follow_up] = recorder.open_follow_ups()
    assert follow_up.deadline == date(2026, 12, 4)
    assert not follow_up.overdue(date(2026, 12, 4))
    assert follow_up.overdue(date(2026, 12, 5))
