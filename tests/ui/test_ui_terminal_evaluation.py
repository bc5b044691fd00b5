"""好差评 on the kiosk's screen (channel self-service terminal): a served taxpayer
scans the slip's QR code on the real scanner (a pty emulator, the real watcher
thread) at the kiosk, rates 非常不满意 on the screen, picks reasons and a preset
phrase; the embedded hall's journal (real SQLite) keeps it as channel terminal. One
service, one evaluation: a later keypad vote is a repeat, and the slip scanned again
says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from drivers.sim.scanner import ScannerEmulator
from kiosk.app import Kiosk
from kiosk.clock import FakeClock
from kiosk.evaluation import EvaluationLevel
from kiosk.hall.base import TicketChannel
from kiosk.startup import open_scanner_watcher
from kiosk.terminal_evaluation import DONE_SECONDS, Step, ticket_code
from kiosk.triage import ALWAYS_OPEN
from ui.automation import tap, visible_texts
from ui.main_window import KioskWindow

pytestmark = pytest.mark.settings(routing=ALWAYS_OPEN)
WAIT_MS = 20_000


@pytest.fixture
def scanner() -> Iterator[ScannerEmulator]:
    emulator = ScannerEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def demo_kiosk(scanner: ScannerEmulator, demo_kiosk: Kiosk) -> Kiosk:
    """The conftest's demo kiosk with its QR scanner on a pty, watched by its thread."""
    demo_kiosk.scanner_watcher = open_scanner_watcher(demo_kiosk.settings, scanner.device_path)
    assert demo_kiosk.scanner_watcher is not None
    demo_kiosk.scanner_watcher.start()
    return demo_kiosk


def served(kiosk: Kiosk) -> tuple[str, str]:
    """A green ticket called and finished at window 1, its keypad prompted (as the
    window's finish key does): (ticket id, number)."""
    reservation = kiosk.hall.reserve("green", ["M0202"], kiosk.settings.kiosk.id)
    kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    kiosk.hall.call_next_at(1)
    kiosk.hall.finish_at(1)
    assert kiosk.windows is not None
    kiosk.windows.evaluations.service_finished(
        1, reservation.number, ticket_id=reservation.ticket_id
    )
    return reservation.ticket_id, reservation.number


def slip(ticket_id: str) -> str:
    return f"http://192.0.2.10:8080/t/{ticket_id}"


def events(kiosk: Kiosk, ticket_id: str, kind: str) -> list[dict[str, object]]:
    return [e.payload for e in kiosk.journal.events(ticket_id) if e.kind == kind]


def shown(window: KioskWindow, wording: str) -> bool:
    return any(wording in text for text in visible_texts(window))


def test_a_very_dissatisfied_rating_with_reasons_on_the_screen_is_channel_terminal(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk, scanner: ScannerEmulator
) -> None:
    ticket_id, number = served(demo_kiosk)
    scanner.send_code(slip(ticket_id))
    qtbot.waitUntil(lambda: window.current_screen_name() == "evaluate", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shown(window, "请对本次服务进行评价"), timeout=WAIT_MS)
    assert shown(window, f"号码 {number}")
    tap(window, "非常不满意")
    qtbot.waitUntil(lambda: shown(window, "请选择不满意的原因"), timeout=WAIT_MS)
    assert events(demo_kiosk, ticket_id, "evaluation.recorded") == []  # the reasons first
    tap(window, "提交评价")  # no reason yet: told, nothing sent
    qtbot.waitUntil(lambda: shown(window, "请至少选择一项原因"), timeout=WAIT_MS)
    tap(window, "等候时间过长")
    tap(window, "多次跑、未能一次办结")
    tap(window, "希望一次办结")
    tap(window, "提交评价")
    qtbot.waitUntil(lambda: shown(window, "我们将按规定时限回访整改"), timeout=WAIT_MS)

    [vote] = events(demo_kiosk, ticket_id, "evaluation.recorded")
    assert (vote["channel"], vote["level"], vote["window"], vote["repeat"]) == (
        "terminal",
        5,
        1,
        False,
    )
    [content] = events(demo_kiosk, ticket_id, "evaluation.content")
    assert content == {
        "evaluation_id": vote["evaluation_id"],
        "reasons": ["efficiency_wait", "process_trips"],
        "note": "希望一次办结",
        "channel": "terminal",
    }
    [follow_up] = events(demo_kiosk, ticket_id, "follow_up.opened")
    assert follow_up["evaluation_id"] == vote["evaluation_id"]

    # The window's keypad votes later: kept as a repeat, never counted.
    assert demo_kiosk.windows is not None
    later = demo_kiosk.windows.evaluations.vote(1, EvaluationLevel.SATISFIED)
    assert later.repeat
    assert later.ticket_id == ticket_id

    # The slip again: evaluated already, said so; home after a while without a touch.
    tap(window, "返回首页")
    qtbot.waitUntil(lambda: window.current_screen_name() == "home", timeout=WAIT_MS)
    scanner.send_code(slip(ticket_id))
    qtbot.waitUntil(lambda: shown(window, "本次服务已评价"), timeout=WAIT_MS)
    assert not shown(window, "非常不满意")
    clock = demo_kiosk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(DONE_SECONDS + 1)
    qtbot.waitUntil(lambda: window.current_screen_name() == "home", timeout=WAIT_MS)


def test_a_keypad_bad_review_gets_only_its_reasons_and_english_texts(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk, scanner: ScannerEmulator
) -> None:
    ticket_id, _ = served(demo_kiosk)
    assert demo_kiosk.windows is not None
    keypad = demo_kiosk.windows.evaluations.vote(1, EvaluationLevel.DISSATISFIED)
    window.set_language("en")
    scanner.send_code(slip(ticket_id))
    qtbot.waitUntil(lambda: shown(window, "What went wrong?"), timeout=WAIT_MS)
    assert not shown(window, "Very dissatisfied")  # voted on the keypad: no levels
    tap(window, "Poor facilities")
    tap(window, "Please shorten the wait")
    tap(window, "Send")
    qtbot.waitUntil(lambda: shown(window, "We will follow this up"), timeout=WAIT_MS)
    [vote] = events(demo_kiosk, ticket_id, "evaluation.recorded")
    assert (vote["channel"], vote["level"]) == ("keypad", 4)
    [content] = events(demo_kiosk, ticket_id, "evaluation.content")
    assert content == {
        "evaluation_id": keypad.evaluation_id,
        "reasons": ["environment_facilities"],
        "note": "Please shorten the wait",
        "channel": "terminal",
    }


def test_a_slip_not_served_yet_and_an_unknown_slip_are_told_calmly(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk, scanner: ScannerEmulator
) -> None:
    reservation = demo_kiosk.hall.reserve("green", ["M0202"], demo_kiosk.settings.kiosk.id)
    demo_kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    scanner.send_code(slip(reservation.ticket_id))
    qtbot.waitUntil(lambda: shown(window, "该号码尚未办结"), timeout=WAIT_MS)
    assert window.evaluation.visit is not None
    assert window.evaluation.visit.step is Step.PROBLEM
    tap(window, "返回首页")
    qtbot.waitUntil(lambda: window.current_screen_name() == "home", timeout=WAIT_MS)
    scanner.send_code(slip("no-such-ticket"))
    qtbot.waitUntil(lambda: shown(window, "未找到该号码"), timeout=WAIT_MS)
    assert events(demo_kiosk, reservation.ticket_id, "evaluation.recorded") == []


def test_only_a_ticket_status_address_is_a_slip() -> None:
    assert ticket_code("https://hall.example/t/abc_DEF-1") is not None
    assert ticket_code("http://10.0.0.5:8080/t/abc/?lang=en") is not None
    for other in ("YY10000001", "https://hall.example/t/", "https://x/t/a b", "/t/abc"):
        assert ticket_code(other) is None
