"""The route screen of the smart routing: priority, refusals, 容缺, time limits, 一窗通办."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from test_ui_screens import _check_buttons, _check_labels
from uitest_support import DESKTOP_WINDOW, LANDSCAPE, PORTRAIT, WORKER_TIMEOUT_MS

from kiosk.app import Kiosk
from kiosk.clock import FakeClock
from kiosk.hall.base import TicketChannel
from ui import theme
from ui.automation import settle, tap, visible_texts
from ui.main_window import KioskWindow

Tap = Callable[..., None]
WaitForScreen = Callable[[str], None]
EVENING_HOURS = 9  # the fake clock starts at 09:30 in the hall: 18:30 is after hours


def test_the_priority_button_routes_the_visit_again(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen
) -> None:
    tap_on("取号", "发票办理", "发票代开")
    assert window.visit.route is not None
    assert window.visit.route.queue.code == "green"
    tap_on("老年人/残疾人/孕妇优先服务")
    assert window.visit.priority_requested
    assert window.visit.route.queue.code == "priority"
    shown = visible_texts(window)
    assert "优先服务窗口" in shown
    assert "• 为残疾人、孕妇等提供优先服务，请到优先服务窗口。" in shown
    assert "老年人/残疾人/孕妇优先服务" not in shown  # asked once is enough
    tap_on("确认取号")
    wait_for_screen("done")
    assert window.done.number.text() == "V001"


def test_deferrable_documents_are_marked_and_the_time_limit_shown(
    window: KioskWindow, tap_on: Tap
) -> None:
    tap_on("取号", "税务登记", "变更税务登记")
    shown = visible_texts(window)
    assert "□ 授权委托书（原件）【容缺】" in shown  # 容缺 said once, by the mark
    assert not any(text.count("容缺") > 1 for text in shown)
    assert "□ 变更事项证明材料（复印件1份）" in shown  # not deferrable: no mark
    assert "标有【容缺】的材料可先受理、承诺后补。" in shown
    assert "办理时限：即时办结" in shown
    tap_on("English")
    shown = visible_texts(window)
    assert any(text.endswith("[later OK]") and "Power of attorney" in text for text in shown)
    tap_on("中文", "首页", "取号", "优惠办理", "出口退税")
    shown = visible_texts(window)
    assert "办理时限：3个工作日" in shown
    assert "终审部门预审台" in shown  # review: documents checked before the window
    assert "标有【容缺】的材料可先受理、承诺后补。" not in shown


def test_another_matter_joins_the_same_number(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen
) -> None:
    tap_on("取号", "清税注销", "注销预检")
    assert window.visit.route is not None
    assert window.visit.route.queue.code == "deregistration"
    tap_on("再加一项", "税务登记", "变更税务登记")
    assert [matter.code for matter in window.visit.matters] == ["M0603", "M0102"]
    assert window.visit.route.queue.code == "comprehensive"  # the window that does both
    shown = visible_texts(window)
    assert "已选事项：注销预检、变更税务登记" in shown
    assert "• 您选择了多个事项，一个号在同一窗口一并办理。" in shown
    assert "□ 变更事项证明材料（复印件1份）" in shown  # the documents of both
    tap_on("确认取号")
    wait_for_screen("done")
    assert window.done.number.text() == "A001"


def test_an_overflowing_green_channel_sends_simple_matters_on_and_tells_the_hall(
    qtbot: QtBot,
    window: KioskWindow,
    demo_kiosk: Kiosk,
    tap_on: Tap,
    wait_for_screen: WaitForScreen,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(demo_kiosk.hall, "request_extra_window", asked.append)
    for _ in range(16):
        reservation = demo_kiosk.hall.reserve("green", ["M0202"], "K01")
        demo_kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    window.ticket_bridge.read_queue_states()
    qtbot.waitUntil(
        lambda: (
            window.visit_machine.queue_states.get("green") is not None
            and window.visit_machine.queue_states["green"].waiting == 16
        ),
        timeout=WORKER_TIMEOUT_MS,
    )
    tap_on("取号", "发票办理", "发票代开")
    assert window.visit.route is not None
    assert window.visit.route.queue.code == "comprehensive"
    assert "• 绿色通道排队较多，综合窗口也可办理，等待更短。" in visible_texts(window)
    assert asked == []  # only a confirmed ticket asks for a window
    tap_on("确认取号")
    wait_for_screen("done")
    assert asked == ["green"]
    journalled = demo_kiosk.journal.find_event("hall.extra_window_requested", queue="green")
    assert journalled is not None
    assert window.done.number.text() == "A001"


@pytest.mark.parametrize(
    "size", [PORTRAIT, LANDSCAPE, DESKTOP_WINDOW], ids=["portrait", "landscape", "desktop"]
)
def test_after_hours_no_ticket_but_what_to_do_instead(
    window: KioskWindow,
    fake_clock: FakeClock,
    demo_kiosk: Kiosk,
    tap_on: Tap,
    size: tuple[int, int],
) -> None:
    window.resize(*size)
    fake_clock.advance(EVENING_HOURS * 3600)
    tap_on("取号", "税务登记", "变更税务登记")
    route = window.visit.route
    assert route is not None
    assert route.refusal is not None
    shown = visible_texts(window)
    assert "暂不能取号" in shown
    assert any("明天09:00" in text for text in shown)
    assert "确认取号" not in shown
    assert "再加一项" not in shown
    for language in ("English", "中文"):
        tap(window, language)
        settle()
        _check_buttons(window)
        _check_labels(window)
    tap(window, "English")
    assert any("tomorrow at 09:00" in text for text in visible_texts(window))
    window.visit_machine.confirm()  # even asked directly, a refused route issues nothing
    assert window.current_screen_name() == "route"
    tap_on("Back to the start")
    assert window.current_screen_name() == "home"
    assert demo_kiosk.hall.queue_states()["comprehensive"].waiting == 0


def test_a_quota_counts_every_kiosk_of_the_hall_not_only_this_one(
    qtbot: QtBot,
    window: KioskWindow,
    demo_kiosk: Kiosk,
    tap_on: Tap,
) -> None:
    quota = demo_kiosk.settings.routing.quotas["comprehensive"]
    for _ in range(quota):  # issued by the hall's other kiosks
        reservation = demo_kiosk.hall.reserve("comprehensive", ["M0102"], "K02")
        demo_kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    window.ticket_bridge.read_queue_states()
    qtbot.waitUntil(
        lambda: (
            window.visit_machine.queue_states.get("comprehensive") is not None
            and window.visit_machine.queue_states["comprehensive"].issued_today == quota
        ),
        timeout=WORKER_TIMEOUT_MS,
    )
    tap_on("取号", "税务登记", "变更税务登记")
    route = window.visit.route
    assert route is not None
    assert route.refusal is not None
    assert route.rule == "quota_full"
    assert "确认取号" not in visible_texts(window)


# ---- what the route screen says (issue 18) ----------------------------------------------


def test_a_single_matter_is_named_on_the_route(window: KioskWindow, tap_on: Tap) -> None:
    tap_on("取号", "发票办理", "发票代开")
    assert "已选事项：发票代开" in visible_texts(window)
    tap_on("English")
    assert any(text.startswith("Chosen: ") for text in visible_texts(window))


def test_the_self_service_offer_does_not_argue_for_the_queue(
    window: KioskWindow, tap_on: Tap
) -> None:
    tap_on("取号", "申报纳税", "增值税申报")
    assert window.route.offer_shown()
    shown = visible_texts(window)
    assert "• 此事项可在自助办税区办理，无需取号排队。" in shown
    assert not any("绿色通道" in text and "更快" in text for text in shown)
    tap_on("English")
    assert not any("quicker" in text for text in visible_texts(window))


def test_a_green_matter_also_done_at_self_service_takes_four_taps(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen
) -> None:
    taps = ("取号", "申报纳税", "增值税申报", "确认取号")
    tap_on(*taps)
    wait_for_screen("done")
    assert len(taps) == 4
    assert window.done.number.text().startswith("G")  # the green channel


def _pixel(widget: QWidget) -> str:
    image = widget.grab().toImage()
    return str(image.pixelColor(image.width() // 2, 8).name())


def test_a_refusal_is_styled_as_a_refusal_not_as_a_success(
    window: KioskWindow, fake_clock: FakeClock, tap_on: Tap
) -> None:
    fake_clock.advance(EVENING_HOURS * 3600)
    tap_on("取号", "税务登记", "变更税务登记")
    assert window.route.refused()
    assert window.route.refusal.property("role") == "refusal"
    settle()
    assert _pixel(window.route.refusal) == theme.AMBER_PALE
    assert _pixel(window.route.refusal) != theme.GREEN_PALE
