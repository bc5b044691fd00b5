"""Window callers on the embedded hall, and the keypad service over the real pty emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drivers.keypad.bus import KeypadBus
from drivers.keypad.protocol import Function, KeypadEvent
from drivers.sim.keypads import KeypadBusEmulator
from drivers.transport import Transport
from kiosk.clock import FakeClock
from kiosk.evaluation import EvaluationLevel, EvaluationRecorder
from kiosk.hall.base import HallError, HallEvent, HallEventKind, TicketChannel
from kiosk.hall.local import LocalHall
from kiosk.journal import Journal
from kiosk.service_windows.keypads import WindowService
from kiosk.service_windows.opening import open_window_service
from kiosk.settings import Settings
from tests.helpers.fakes import make_settings

# Monday 2026-11-23, 09:00 in Shanghai.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
WAIT_S = 10.0


def _queue(code: str, prefix: str, windows: list[int], minutes: float = 10) -> dict[str, Any]:
    return {
        "code": code,
        "prefix": prefix,
        "name_zh": code,
        "name_en": code,
        "windows": windows,
        "service_minutes": minutes,
    }


QUEUES = [
    _queue("green", "G", [3]),
    _queue("comprehensive", "A", [1, 2, 3], minutes=12),
    _queue("appointment", "Y", [1, 2]),
    _queue("priority", "V", [2]),
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, queues=QUEUES)


@pytest.fixture
def hall(tmp_path: Path, settings: Settings, clock: FakeClock) -> Iterator[LocalHall]:
    made = LocalHall(tmp_path / "hall.sqlite3", settings, clock)
    yield made
    made.close()


def issue(hall: LocalHall, clock: FakeClock, queue: str) -> str:
    """A printed ticket, one minute after the previous one; returns its number."""
    clock.advance(60)
    reservation = hall.reserve(queue, [], "K01")
    hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    return reservation.number


def recorder(hall: LocalHall) -> list[HallEvent]:
    events: list[HallEvent] = []
    hall.subscribe(events.append)
    return events


def called_numbers(hall: LocalHall, window: int, times: int) -> list[str | None]:
    numbers = []
    for _ in range(times):
        event = hall.call_next_at(window)
        numbers.append(None if event is None else event.number)
    return numbers


# ---- the embedded hall's window side ----------------------------------------------------


def test_a_window_calls_appointments_then_priority_then_by_arrival(
    hall: LocalHall, clock: FakeClock
) -> None:
    first = issue(hall, clock, "comprehensive")
    priority = issue(hall, clock, "priority")
    second = issue(hall, clock, "comprehensive")
    appointment = issue(hall, clock, "appointment")
    assert (first, priority, second, appointment) == ("A001", "V001", "A002", "Y001")
    assert called_numbers(hall, 2, 5) == [appointment, priority, first, second, None]


def test_arrival_order_runs_across_the_queues_of_the_window_only(
    hall: LocalHall, clock: FakeClock
) -> None:
    green = issue(hall, clock, "green")
    comprehensive = issue(hall, clock, "comprehensive")
    priority = issue(hall, clock, "priority")  # window 3 does not serve it
    assert called_numbers(hall, 3, 3) == [green, comprehensive, None]
    assert called_numbers(hall, 1, 1) == [None]
    assert called_numbers(hall, 2, 1) == [priority]
    with pytest.raises(HallError, match="window 9 serves no queue"):
        hall.call_next_at(9)


def test_call_next_finishes_the_current_ticket_first(hall: LocalHall, clock: FakeClock) -> None:
    issue(hall, clock, "comprehensive")
    issue(hall, clock, "comprehensive")
    events = recorder(hall)
    called = hall.call_next_at(1)
    assert called is not None
    assert (called.kind, called.window, called.number) == (HallEventKind.CALLED, 1, "A001")
    hall.call_next_at(1)
    kinds = [(event.kind, event.number) for event in events if event.number]
    assert kinds == [
        (HallEventKind.CALLED, "A001"),
        (HallEventKind.FINISHED, "A001"),
        (HallEventKind.CALLED, "A002"),
    ]
    assert hall.ticket_status(called.ticket_id or "") == "finished"
    finished = hall.finish_at(1)
    assert finished is not None
    assert (finished.kind, finished.number, finished.queue_code) == (
        HallEventKind.FINISHED,
        "A002",
        "comprehensive",
    )
    assert hall.finish_at(1) is None  # nothing served any more


def test_a_paused_window_calls_nobody_and_lengthens_the_estimates(
    hall: LocalHall, clock: FakeClock
) -> None:
    for _ in range(6):
        issue(hall, clock, "comprehensive")
    before = hall.queue_states()["comprehensive"]
    assert before.windows == (1, 2, 3)
    events = recorder(hall)
    hall.pause_window(2)
    hall.pause_window(2)  # twice: one event
    assert [event.kind for event in events].count(HallEventKind.WINDOW_PAUSED) == 1
    assert hall.call_next_at(2) is None
    paused = hall.queue_states()["comprehensive"]
    assert paused.windows == (1, 3)
    assert paused.waiting == 6
    assert paused.estimated_wait_minutes > before.estimated_wait_minutes
    assert hall.window_states()[2].paused is True
    hall.resume_window(2)
    assert HallEventKind.WINDOW_RESUMED in [event.kind for event in events]
    resumed = hall.call_next_at(2)
    assert resumed is not None
    assert resumed.number == "A001"
    assert hall.queue_states()["comprehensive"].windows == (1, 2, 3)


def test_recall_calls_the_current_number_again(hall: LocalHall, clock: FakeClock) -> None:
    assert hall.recall_at(3) is None
    issue(hall, clock, "green")
    hall.call_next_at(3)
    events = recorder(hall)
    recalled = hall.recall_at(3)
    assert recalled is not None
    assert (recalled.kind, recalled.number, recalled.recall) == (HallEventKind.CALLED, "G001", True)
    assert events == [recalled]
    assert hall.window_states()[3].number == "G001"


def test_a_restart_keeps_pauses_and_the_numbers_being_served(
    tmp_path: Path, settings: Settings, clock: FakeClock, hall: LocalHall
) -> None:
    issue(hall, clock, "green")
    issue(hall, clock, "comprehensive")
    hall.call_next_at(3)
    hall.pause_window(1)
    hall.close()
    reopened = LocalHall(tmp_path / "hall.sqlite3", settings, clock)
    try:
        states = reopened.window_states()
        assert (states[3].number, states[3].paused) == ("G001", False)
        assert (states[1].number, states[1].paused) == (None, True)
        assert reopened.call_next_at(1) is None
        finished = reopened.finish_at(3)
        assert finished is not None
        assert finished.number == "G001"
    finally:
        reopened.close()


def test_the_older_call_next_and_finish_publish_events_too(
    hall: LocalHall, clock: FakeClock
) -> None:
    issue(hall, clock, "green")
    events = recorder(hall)
    ticket_id = hall.call_next("green", 3)
    assert ticket_id is not None
    hall.finish(ticket_id)
    assert [(event.kind, event.window, event.number) for event in events] == [
        (HallEventKind.CALLED, 3, "G001"),
        (HallEventKind.FINISHED, 3, "G001"),
    ]


# ---- the keypad service over the pty emulator -------------------------------------------


class Bench:
    """A hall, a journal and the keypad service on the emulated bus of keypads 1..3."""

    def __init__(
        self, hall: LocalHall, journal: Journal, emulator: KeypadBusEmulator, service: WindowService
    ) -> None:
        self.hall = hall
        self.journal = journal
        self.emulator = emulator
        self.service = service

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        # The emulator notifies on every frame it receives: the service polls all the time.
        assert self.emulator.wait_until(condition, WAIT_S), f"timed out waiting for {what}"

    def evaluations(self) -> list[dict[str, Any]]:
        return [e.payload for e in self.journal.events() if e.kind == "evaluation.recorded"]

    def kinds(self) -> list[str]:
        return [event.kind for event in self.journal.events()]


@pytest.fixture
def bench(tmp_path: Path, settings: Settings, hall: LocalHall, clock: FakeClock) -> Iterator[Bench]:
    emulator = KeypadBusEmulator([1, 2, 3])
    path = emulator.start()
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    transport = Transport(path, baudrate=9600)
    transport.open()
    bus = KeypadBus(transport, [1, 2, 3], reply_timeout=0.05)
    desk = EvaluationRecorder(journal, clock, timezone="Asia/Shanghai", prompt_seconds=60)
    service = WindowService(
        hall,
        desk,
        journal,
        bus,
        clock,
        {1: 1, 2: 2, 3: 3},
        poll_interval=0.005,
        on_close=transport.close,
    )
    service.start()
    yield Bench(hall, journal, emulator, service)
    service.stop()
    emulator.stop()
    journal.close()


def serve_one(bench: Bench, clock: FakeClock, window: int = 2) -> str:
    """A ticket called to `window` by its caller key; returns the number."""
    number = issue(bench.hall, clock, "comprehensive")
    bench.emulator.press(window, KeypadEvent.CALL_NEXT)
    bench.wait(lambda: bench.hall.window_states()[window].number == number, "the call")
    return number


def test_staff_key_prompts_the_keypad_and_one_vote_makes_one_record(
    bench: Bench, clock: FakeClock
) -> None:
    number = serve_one(bench, clock)
    pending_before = bench.journal.pending_outbox()
    bench.emulator.press(2, KeypadEvent.ASK_EVALUATION)
    bench.wait(lambda: bench.emulator.prompting(2) == number, "PROMPT on the wire")
    prompts = [frame for frame in bench.emulator.requests if frame.function == Function.PROMPT]
    assert [(frame.address, frame.data) for frame in prompts] == [(2, number.encode())]
    assert bench.hall.window_states()[2].number is None  # the service is finished

    bench.emulator.press(2, KeypadEvent.SATISFIED)
    bench.wait(lambda: bench.emulator.prompting(2) is None, "IDLE after the vote")
    bench.wait(lambda: not bench.emulator.pending(2), "the ACK")
    [record] = bench.evaluations()
    assert (record["window"], record["level"], record["ticket_number"]) == (2, 2, number)
    assert record["attached"] is True
    # queued for the hall: the finished service (with its staff) and the vote
    assert bench.journal.pending_outbox() == pending_before + 2
    assert bench.service.open_follow_ups() == []


def test_a_lost_ack_still_makes_one_record(bench: Bench, clock: FakeClock) -> None:
    number = serve_one(bench, clock, window=1)
    bench.hall.finish_at(1)  # from elsewhere (a window's software): prompts all the same
    bench.wait(lambda: bench.emulator.prompting(1) == number, "the prompt")
    bench.emulator.lose_next_ack(1)
    bench.emulator.press(1, KeypadEvent.VERY_SATISFIED)
    bench.wait(lambda: bench.emulator.acks(1) >= 1, "the repeated event acknowledged")
    polls_after = len(bench.emulator.requests) + 6
    bench.wait(lambda: len(bench.emulator.requests) >= polls_after, "a few more polls")
    [record] = bench.evaluations()
    assert (record["level"], record["ticket_number"]) == (1, number)


def test_an_unanswered_prompt_counts_as_not_evaluated(bench: Bench, clock: FakeClock) -> None:
    number = serve_one(bench, clock, window=3)
    bench.emulator.press(3, KeypadEvent.ASK_EVALUATION)
    bench.wait(lambda: bench.emulator.prompting(3) == number, "the prompt")
    clock.advance(59)
    polls_after = len(bench.emulator.requests) + 6
    bench.wait(lambda: len(bench.emulator.requests) >= polls_after, "a few more polls")
    assert bench.emulator.prompting(3) == number
    clock.advance(1)
    bench.wait(lambda: bench.emulator.prompting(3) is None, "IDLE when the time is up")
    [record] = bench.evaluations()
    assert (record["level"], record["ticket_number"]) == (None, number)


def test_a_negative_vote_opens_a_follow_up(bench: Bench, clock: FakeClock) -> None:
    number = serve_one(bench, clock, window=2)
    bench.emulator.press(2, KeypadEvent.CALL_NEXT)  # next: finishes this one (nobody waits)
    bench.wait(lambda: bench.emulator.prompting(2) == number, "the prompt")
    bench.emulator.press(2, KeypadEvent.VERY_DISSATISFIED)
    bench.wait(lambda: bool(bench.service.open_follow_ups()), "the follow-up")
    [follow_up] = bench.service.open_follow_ups()
    assert (follow_up.window, follow_up.ticket_number, int(follow_up.level)) == (2, number, 5)
    assert follow_up.deadline.isoformat() == "2026-11-30"  # five working days on
    assert "follow_up.opened" in bench.kinds()


def test_an_offline_keypad_is_reported_and_its_return_too(bench: Bench) -> None:
    bench.wait(lambda: all(s.last_seen is not None for s in bench.service.status()), "answers")
    bench.wait(lambda: bench.service.status()[0].info == "KP1-SIM/1.0", "INFO")
    bench.emulator.silent.add(3)
    bench.wait(lambda: "keypad.offline" in bench.kinds(), "the offline event")
    states = {state.address: state for state in bench.service.status()}
    assert states[3].online is False
    assert states[1].online is True
    assert states[3].as_json()["window"] == 3
    offline = [e.payload for e in bench.journal.events() if e.kind == "keypad.offline"]
    assert offline == [{"address": 3, "window": 3}]
    bench.emulator.silent.discard(3)
    bench.wait(lambda: "keypad.online" in bench.kinds(), "the online event")
    assert {state.address: state.online for state in bench.service.status()}[3] is True


def test_pause_and_resume_keys_reach_the_hall(bench: Bench, clock: FakeClock) -> None:
    bench.emulator.press(1, KeypadEvent.PAUSE)
    bench.wait(lambda: bench.hall.window_states()[1].paused, "the pause")
    issue(bench.hall, clock, "comprehensive")
    assert bench.hall.queue_states()["comprehensive"].windows == (2, 3)
    bench.emulator.press(1, KeypadEvent.RESUME)
    bench.wait(lambda: not bench.hall.window_states()[1].paused, "the resume")
    bench.emulator.press(1, KeypadEvent.RECALL)  # nothing to recall: no error
    bench.emulator.press(1, KeypadEvent.CALL_NEXT)
    bench.wait(lambda: bench.hall.window_states()[1].number == "A001", "the call")


def test_no_port_means_no_service_and_a_port_opens_one(
    tmp_path: Path, hall: LocalHall, clock: FakeClock
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    try:
        settings = make_settings(tmp_path)
        assert open_window_service(settings, hall, journal, clock) is None
        with KeypadBusEmulator([1, 2]) as emulator:
            mapped = make_settings(
                tmp_path, keypads={"port": emulator.device_path, "windows": {"1": 9}}
            )
            service = open_window_service(mapped, hall, journal, clock)
            assert service is not None
            assert service.windows[1] == 9
            assert service.windows[2] == 2
            service.stop()
    finally:
        journal.close()


def test_a_finished_service_reported_twice_prompts_once(bench: Bench, clock: FakeClock) -> None:
    number = serve_one(bench, clock, window=3)
    finished = bench.hall.finish_at(3)
    assert finished is not None
    bench.hall.publish(finished)  # e.g. a server's reply and its event stream
    bench.wait(lambda: bench.emulator.prompting(3) == number, "the prompt")
    bench.emulator.press(3, KeypadEvent.BASICALLY_SATISFIED)
    bench.wait(lambda: bool(bench.evaluations()), "the vote")
    prompts = [frame for frame in bench.emulator.requests if frame.function == Function.PROMPT]
    assert len(prompts) == 1
    assert [(r["level"], r["ticket_number"]) for r in bench.evaluations()] == [(3, number)]


def test_a_vote_kept_before_a_restart_is_not_counted_again_after_it(
    tmp_path: Path, settings: Settings, hall: LocalHall, clock: FakeClock
) -> None:
    emulator = KeypadBusEmulator([1])
    path = emulator.start()
    journal = Journal(tmp_path / "journal.sqlite3", clock)

    def service() -> WindowService:
        transport = Transport(path, baudrate=9600)
        desk = EvaluationRecorder(journal, clock, timezone="Asia/Shanghai", prompt_seconds=60)
        bus = KeypadBus(transport, [1], reply_timeout=0.05)
        return WindowService(
            hall, desk, journal, bus, clock, {1: 1}, poll_interval=0.005, on_close=transport.close
        )

    def votes() -> list[dict[str, Any]]:
        return [e.payload for e in journal.events() if e.kind == "evaluation.recorded"]

    try:
        # Before the restart: the vote was journalled, then the kiosk died before its
        # ACK reached the keypad, which still holds the event as seq 1.
        EvaluationRecorder(journal, clock, timezone="Asia/Shanghai").vote(
            1, EvaluationLevel.SATISFIED, keypad=(1, 1)
        )
        emulator.press(1, KeypadEvent.SATISFIED)
        assert emulator.pending(1) != []
        restarted = service()
        restarted.start()
        assert emulator.wait_until(lambda: emulator.pending(1) == [], WAIT_S)
        restarted.stop()
        assert [(v["level"], v["keypad_address"], v["keypad_seq"]) for v in votes()] == [
            (2, "1", 1)
        ]
    finally:
        emulator.stop()
        journal.close()
