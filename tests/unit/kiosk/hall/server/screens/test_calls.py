"""What the display and window screens show, read from the queue on a SQLite file and on
PostgreSQL: the latest call first, recent calls, waiting per queue, every window; and the
announcement audio made once per number and window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.events import EventBroker
from kiosk.hall.server.screens.calls import call_of_event, display_state
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.store import HallStore, Location
from kiosk.voice import CallReading
from kiosk.voice.sound import Pcm, silence
from tests.helpers.fakes import make_settings

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


class CountingSpeaker:
    """A speaker that counts what it was asked to say (the audio cache is under test)."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def chime(self) -> Pcm:
        return silence(0.01)

    def chinese(self, reading: CallReading) -> Pcm:
        self.said.append(reading.chinese)
        return silence(0.01)

    def english(self, reading: CallReading) -> Pcm:
        return silence(0.01)


@pytest.fixture
def store(database_location: Location, tmp_path: Path) -> Iterator[tuple[HallStore, FakeClock]]:
    clock = FakeClock(MORNING)
    made = HallStore(database_location, make_settings(tmp_path), clock, offline_floor=900)
    yield made, clock
    made.close()


def test_the_display_shows_the_latest_call_first_then_the_recent_ones(
    store: tuple[HallStore, FakeClock],
) -> None:
    hall, clock = store
    source = ScreenSource(hall.settings, hall.engine, hall.db, EventBroker(), CountingSpeaker())
    assert display_state(source, None)["latest"] is None
    for queue in ("green", "green", "comprehensive"):
        answer, _ = hall.reserve("K01", f"key-{clock.now()}-{queue}", queue, [])
        hall.commit(answer["ticket_id"], "printed")
        clock.advance(1)
    hall.call_next(1)
    clock.advance(5)
    hall.call_next(2)

    state = display_state(source, "H1")
    assert state["hall"] == "H1"
    assert (state["latest"]["number"], state["latest"]["window"]) == ("A001", 2)
    assert state["latest"]["zh"] == "请 A001 号到 2 号窗口"
    assert state["latest"]["spoken_zh"] == "请 A 零 零 一 号 到 2 号窗口"
    assert [(c["number"], c["window"]) for c in state["recent"]] == [("G001", 1)]
    waiting = {queue["code"]: queue["waiting"] for queue in state["queues"]}
    assert (waiting["green"], waiting["comprehensive"]) == (1, 0)
    serving = {w["window"]: w["number"] for w in state["windows"]}
    assert (serving[1], serving[2], serving[3]) == ("G001", "A001", None)


def test_a_calls_audio_is_made_once_and_only_for_a_call_the_hall_made(
    store: tuple[HallStore, FakeClock],
) -> None:
    hall, _ = store
    broker, speaker = EventBroker(), CountingSpeaker()
    source = ScreenSource(hall.settings, hall.engine, hall.db, broker, speaker)
    event = broker.publish(
        {
            "kind": "called",
            "at": MORNING.isoformat(),
            "window": 3,
            "number": "A012",
            "queue_code": "comprehensive",
            "recall": False,
        }
    )
    other = broker.publish({"kind": "queue_changed", "queue_code": "green"})
    assert source.called(event["id"]) == event
    assert source.called(other["id"]) is None
    assert source.called(event["id"] + 100) is None
    call = call_of_event(hall.settings, event)
    assert call["audio"] == f"/display/audio/{event['id']}.wav"
    first = source.audio(CallReading("A012", 3))
    assert source.audio(CallReading("A012", 3)) == first  # a recall, a second display
    assert speaker.said == ["请 A 零 一 二 号 到 3 号窗口"]  # synthesized once, played twice
