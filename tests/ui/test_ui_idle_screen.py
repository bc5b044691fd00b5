"""The living idle screen: after the home screen is left untouched, announcements in
turn and in both languages, today's hours and status, the clock, the queues; a touch
anywhere ends it. Driven by the kiosk's (fake) clock through check_idle."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from uitest_support import WORKER_TIMEOUT_MS

from kiosk.announcements import Announcements
from kiosk.app import Kiosk
from kiosk.clock import FakeClock
from kiosk.hall.base import TicketChannel
from kiosk.text import Language
from ui.automation import tap, visible_texts
from ui.main_window import KioskWindow
from ui.widgets import TextLabel

Reach = Callable[[str], None]


def _idle(window: KioskWindow, fake_clock: FakeClock) -> None:
    fake_clock.advance(window.idle_screen.announcements.show_after_seconds + 1)
    window.check_idle()


def test_it_comes_after_home_is_left_untouched_and_a_touch_ends_it(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock
) -> None:
    reach("home")
    show_after = window.idle_screen.announcements.show_after_seconds
    fake_clock.advance(show_after - 1)
    window.check_idle()
    assert not window.idle_screen_shown()
    fake_clock.advance(2)
    window.check_idle()
    assert window.idle_screen_shown()
    texts = visible_texts(window.idle_screen)
    assert "小微企业增值税优惠政策" in texts  # the day's first announcement, in Chinese
    assert "政策" in texts
    assert "正在办理" in texts  # Monday 09:30 in the hall: open
    assert "今日取号时间 09:00–16:30" in texts
    assert "09:31" in texts  # the clock, in the hall's time zone (09:30 and 91 s)
    assert "当前排队情况" in texts

    idle = window.idle_screen
    QTest.mouseClick(idle, Qt.MouseButton.LeftButton, pos=idle.rect().center())
    window.check_idle()
    assert not window.idle_screen_shown()
    assert window.current_screen_name() == "home"
    tap(window, "取号")  # the touch ended it; the visit goes on as ever
    assert window.current_screen_name() == "category"


def test_announcements_turn_each_in_chinese_then_english_and_loop(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock
) -> None:
    reach("home")
    _idle(window, fake_clock)
    idle = window.idle_screen
    rotate = idle.announcements.rotate_seconds
    seen: list[tuple[str, str]] = []
    for _ in range(2 * len(idle.announcements.on(fake_clock.now().date())) + 1):
        current = idle.current()
        assert current is not None
        seen.append((current.title.zh, idle.language()))
        fake_clock.advance(rotate - 1)  # not yet
        window.check_idle()
        assert idle.current() is current
        fake_clock.advance(1)
        window.check_idle()
    titles = [title for title, _ in seen]
    assert seen[0] == ("小微企业增值税优惠政策", "zh")
    assert seen[1] == ("小微企业增值税优惠政策", "en")
    assert titles[2] != titles[0]  # the next one
    assert seen[-1] == seen[0]  # and round again
    # The annual IIT notice runs from March to June: not in November.
    assert "个人所得税年度汇算" not in titles


def _said(label: TextLabel, language: Language = "zh") -> str:
    """What a label says in `language`, whichever language the idle screen turned to."""
    text = label.label()
    return text if isinstance(text, str) else text.get(language)


def test_extended_hours_then_closed_and_when_to_come_back(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock
) -> None:
    reach("home")
    idle = window.idle_screen
    fake_clock.advance((7 * 60 + 15) * 60)  # Monday 16:45 in the hall: after the cut-off
    window.check_idle()
    assert window.idle_screen_shown()
    assert _said(idle.status) == "延时服务中：只办理简单事项，至 17:30"
    assert _said(idle.extended_hours) == "延时服务 16:30–17:30（简单事项）"
    assert idle.extended_hours.isVisible()

    fake_clock.advance(60 * 60)  # 17:45: closed until tomorrow morning
    window.check_idle()
    assert _said(idle.status) == "已停止取号，请于明天09:00再来"
    assert _said(idle.status, "en") == "Closed: please come back tomorrow at 09:00"

    fake_clock.advance(5 * 24 * 60 * 60)  # Saturday 17:45: closed all day
    window.check_idle()
    assert _said(idle.hours) == "今日休息"
    assert not idle.extended_hours.isVisible()
    assert _said(idle.status).startswith("已停止取号，请于11月30日"), _said(idle.status)


def test_a_visit_started_elsewhere_ends_it(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock
) -> None:
    reach("home")
    _idle(window, fake_clock)
    assert window.idle_screen_shown()
    window.visit_machine.take_number()  # as a card or a scan would start one
    window.check_idle()
    assert not window.idle_screen_shown()
    assert window.current_screen_name() == "category"


def test_a_broken_announcements_file_says_so_and_the_rest_still_shows(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock
) -> None:
    window.idle_screen.announcements = Announcements(problems=("is not valid TOML",))
    reach("home")
    _idle(window, fake_clock)
    texts = visible_texts(window.idle_screen)
    assert window.idle_screen.current() is None
    assert "公告暂不可用，请咨询导税台。" in texts
    assert "正在办理" in texts


def test_its_queue_table_follows_each_new_reading_while_shown(
    window: KioskWindow, reach: Reach, fake_clock: FakeClock, demo_kiosk: Kiosk, qtbot: QtBot
) -> None:
    reach("home")
    _idle(window, fake_clock)
    for _ in range(3):
        reservation = demo_kiosk.hall.reserve("comprehensive", ["M0202"], "K01")
        demo_kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    window.ticket_bridge.read_queue_states()  # as a call or a pause makes it read them
    qtbot.waitUntil(
        lambda: any("等候 3 人" in text for text in visible_texts(window.idle_screen)),
        timeout=WORKER_TIMEOUT_MS,
    )
    assert window.idle_screen_shown()
