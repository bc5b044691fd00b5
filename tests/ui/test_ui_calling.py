"""The calling line: the latest calls at the bottom of every screen, in both languages."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from test_ui_screens import _check_buttons, _check_labels
from uitest_support import LANDSCAPE, PORTRAIT, WORKER_TIMEOUT_MS

from kiosk.app import Kiosk
from kiosk.hall.base import HallEvent, HallEventKind, TicketChannel
from kiosk.hall.local import LocalHall
from kiosk.text import Language, default_texts, install_texts
from ui.automation import settle, tap, visible_texts
from ui.calling import CallingLine, Speaker, find_speech_command
from ui.main_window import KioskWindow

Reach = Callable[[str], None]


def issue(kiosk: Kiosk, queue: str) -> str:
    reservation = kiosk.hall.reserve(queue, [], "K01")
    kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    return reservation.number


def call(kiosk: Kiosk, window: int) -> None:
    hall = kiosk.hall
    assert isinstance(hall, LocalHall)
    assert hall.call_next_at(window) is not None


def test_a_call_shows_in_chinese_and_english(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    line = window.calling_line
    assert line.isHidden()  # nothing called yet
    issue(demo_kiosk, "comprehensive")
    call(demo_kiosk, 3)
    qtbot.waitUntil(lambda: line.isVisible(), timeout=WORKER_TIMEOUT_MS)
    assert line.calls() == ["请 A001 号到 3 号窗口"]
    assert "请 A001 号到 3 号窗口" in visible_texts(window)

    tap(window, "English")
    assert line.calls() == ["Number A001, please go to window 3"]
    assert "Number A001, please go to window 3" in visible_texts(window)
    assert "请 A001 号到 3 号窗口" not in visible_texts(window)
    tap(window, "中文")
    assert line.calls() == ["请 A001 号到 3 号窗口"]


def test_the_latest_call_comes_first_and_a_recall_says_so(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    issue(demo_kiosk, "comprehensive")
    issue(demo_kiosk, "green")
    call(demo_kiosk, 2)
    call(demo_kiosk, 1)
    hall = demo_kiosk.hall
    assert isinstance(hall, LocalHall)
    hall.recall_at(2)
    line = window.calling_line
    qtbot.waitUntil(lambda: len(line.calls()) == 3, timeout=WORKER_TIMEOUT_MS)
    assert line.calls() == [
        "再次呼叫：请 A001 号到 2 号窗口",
        "请 G001 号到 1 号窗口",
        "请 A001 号到 2 号窗口",
    ]
    assert hall.call_next_at(1) is None  # nobody waits any more: no new call
    issue(demo_kiosk, "green")
    call(demo_kiosk, 1)
    qtbot.waitUntil(lambda: line.calls()[0] == "请 G002 号到 1 号窗口", timeout=WORKER_TIMEOUT_MS)
    assert len(line.calls()) == 3  # only the latest three


def test_a_call_from_another_thread_reaches_the_screen_through_a_queued_signal(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    issue(demo_kiosk, "green")
    worker = threading.Thread(target=call, args=(demo_kiosk, 1))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: window.calling_line.calls() == ["请 G001 号到 1 号窗口"])
    # Other hall events leave the banner alone.
    window.calling_line.hall_event.emit(
        HallEvent(HallEventKind.FINISHED, demo_kiosk.clock.now(), 1, number="G001")
    )
    settle()
    assert window.calling_line.calls() == ["请 G001 号到 1 号窗口"]


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("screen", ["home", "route"])
def test_the_calling_line_covers_no_touch_target(
    qtbot: QtBot,
    window: KioskWindow,
    demo_kiosk: Kiosk,
    reach: Reach,
    screen: str,
    size: tuple[int, int],
) -> None:
    window.resize(*size)
    issue(demo_kiosk, "comprehensive")
    issue(demo_kiosk, "comprehensive")
    call(demo_kiosk, 2)
    call(demo_kiosk, 3)
    qtbot.waitUntil(lambda: len(window.calling_line.calls()) == 2, timeout=WORKER_TIMEOUT_MS)
    reach(screen)
    for language in ("English", "中文"):
        tap(window, language)
        settle()
        assert (window.width(), window.height()) == size
        _check_buttons(window)
        _check_labels(window)
        line_top = window.calling_line.mapTo(window, window.calling_line.rect().topLeft()).y()
        assert line_top + window.calling_line.height() <= window.height()
        assert window.stack.mapTo(window, window.stack.rect().bottomLeft()).y() < line_top


def test_without_a_speech_engine_nothing_is_spoken_and_nothing_fails(qtbot: QtBot) -> None:
    assert find_speech_command(lambda name: None) is None
    speaker = Speaker(None)
    host, line = hosted(qtbot, speaker)
    line.show_event(_called("V003", 7))
    assert line.calls() == ["请 V003 号到 7 号窗口"]
    assert speaker.available is False
    assert speaker.spoken == 0
    line.shutdown()
    host.close()


def test_an_installed_engine_is_found_with_the_language_voice() -> None:
    command = find_speech_command(lambda name: f"/usr/bin/{name}")
    assert command is not None
    assert command("请", "zh") == ["/usr/bin/espeak-ng", "-v", "cmn", "请"]
    spd = find_speech_command(lambda name: "/usr/bin/spd-say" if name == "spd-say" else None)
    assert spd is not None
    assert spd("Number", "en") == ["/usr/bin/spd-say", "--wait", "-l", "en", "Number"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_call_is_spoken_in_the_halls_language_whatever_is_shown(
    qtbot: QtBot, tmp_path: Path, language: Language
) -> None:
    spoken = tmp_path / "spoken.txt"
    script = "import sys; open(sys.argv[1], 'a', encoding='utf-8').write(sys.argv[2] + '\\n')"

    def fake_engine(text: str, lang: Language) -> list[str]:
        return [sys.executable, "-c", script, str(spoken), f"{lang}:{text}"]

    speaker = Speaker(fake_engine)
    host = QWidget()
    qtbot.addWidget(host)
    line = CallingLine(speaker, host, voice_language=language)
    line.retranslate("en" if language == "zh" else "zh")  # the visitor chose the other
    line.show_event(_called("A012", 3))
    line.show_event(_called("A013", 4))
    qtbot.waitUntil(lambda: speaker.spoken == 2, timeout=WORKER_TIMEOUT_MS)
    lines = spoken.read_text(encoding="utf-8").splitlines()
    if language == "zh":
        assert lines == ["zh:请，A 0 1 2号，到3号窗口", "zh:请，A 0 1 3号，到4号窗口"]
    else:
        assert lines == [
            "en:Number A 0 1 2, please go to window 3",
            "en:Number A 0 1 3, please go to window 4",
        ]
    line.shutdown()
    host.close()


def test_a_broken_speech_engine_is_logged_not_raised(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    speaker = Speaker(lambda text, language: [str(tmp_path / "no-such-engine"), text])
    host, line = hosted(qtbot, speaker)
    line.show_event(_called("G001", 1))
    line.show_event(_called("G002", 1))
    assert line.calls()[0] == "请 G002 号到 1 号窗口"
    line.shutdown()  # waits for the speech thread: it survived both failures
    host.close()
    assert speaker.spoken == 0
    failures = [r for r in caplog.records if "could not be spoken" in r.getMessage()]
    assert len(failures) == 2  # the thread outlived the first failure


def hosted(qtbot: QtBot, speaker: Speaker) -> tuple[QWidget, CallingLine]:
    """A calling line inside a page that is never shown (as in the window); keep the page."""
    host = QWidget()
    qtbot.addWidget(host)
    return host, CallingLine(speaker, host)


def _called(number: str, window: int) -> HallEvent:
    from datetime import UTC, datetime

    return HallEvent(
        HallEventKind.CALLED, datetime(2026, 11, 23, tzinfo=UTC), window, number=number
    )


def test_the_home_queue_table_follows_the_calls(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    issue(demo_kiosk, "comprehensive")
    issue(demo_kiosk, "comprehensive")
    [row] = [row for row in window.home.rows if row.queue.code == "comprehensive"]
    call(demo_kiosk, 2)
    qtbot.waitUntil(lambda: row.waiting.text().startswith("等候 1 人"), timeout=WORKER_TIMEOUT_MS)


def test_a_halls_wording_of_the_call_shows_though_the_window_was_built_before(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    catalog, problems = default_texts().reworded(
        {
            "calling": {
                "call": {"zh": "{number} 号请到 {window} 号窗口", "en": "{number} to {window}"}
            }
        }
    )
    assert problems == []
    install_texts(catalog)
    try:
        issue(demo_kiosk, "comprehensive")
        call(demo_kiosk, 3)
        line = window.calling_line
        qtbot.waitUntil(lambda: line.isVisible(), timeout=WORKER_TIMEOUT_MS)
        assert line.calls() == ["A001 号请到 3 号窗口"]
        tap(window, "English")
        assert line.calls() == ["A001 to 3"]
    finally:
        install_texts(None)


@pytest.mark.settings(kiosk={"language": "en"})
def test_the_window_speaks_the_halls_language_not_the_visitors(window: KioskWindow) -> None:
    tap(window, "中文")  # a visitor switches: the hall keeps hearing its own language
    assert window.visit.language == "zh"
    assert window.calling_line.voice_language == "en"
