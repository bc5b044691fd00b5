"""The visit, tapped through the real widgets, to a ticket on the emulated printer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.sim.printer import PrinterEmulator
from kiosk.app import Kiosk
from kiosk.hall.base import HallError
from ui.automation import AutomationError, find_button, visible_texts
from ui.main_window import KioskWindow
from ui.widgets import QrCodeWidget

Tap = Callable[..., None]
Wait = Callable[[Callable[[], bool]], None]
WaitForScreen = Callable[[str], None]


def test_whole_visit_prints_g001_on_the_pty_printer(
    window: KioskWindow,
    tap_on: Tap,
    wait_for_screen: WaitForScreen,
    printer: PrinterEmulator,
    wait: Wait,
) -> None:
    assert window.current_screen_name() == "home"
    tap_on("取号")
    assert window.current_screen_name() == "category"
    tap_on("发票办理")
    assert window.current_screen_name() == "matter"
    tap_on("发票代开")
    assert window.current_screen_name() == "route"
    assert "绿色通道" in visible_texts(window)
    tap_on("确认取号")
    assert window.current_screen_name() == "printing"
    wait_for_screen("done")

    assert window.done.number.text() == "G001"
    assert "请取走您的排队票" in visible_texts(window)
    wait(lambda: len(printer.tickets) >= 1)
    ticket = printer.tickets[0]
    assert "G001" in ticket.text
    assert "发票代开" in ticket.text
    assert ticket.raw_path is not None
    assert ticket.raw_path.read_bytes() == ticket.raw


def test_comprehensive_matter_goes_to_the_comprehensive_windows(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen
) -> None:
    tap_on("取号", "税务登记", "变更税务登记")
    assert "综合窗口" in visible_texts(window)
    assert "2-6号窗口" in visible_texts(window)
    assert any("变更事项证明材料" in text for text in visible_texts(window))
    tap_on("确认取号")
    wait_for_screen("done")
    assert window.done.number.text() == "A001"


def test_back_buttons_retrace_the_visit(window: KioskWindow, tap_on: Tap) -> None:
    tap_on("取号", "发票办理", "发票代开", "返回")
    assert window.current_screen_name() == "matter"
    tap_on("返回")
    assert window.current_screen_name() == "category"
    tap_on("发票办理", "首页")
    assert window.current_screen_name() == "home"
    assert window.visit.matters == []


def test_route_shows_people_ahead_from_the_hall(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen, wait: Wait
) -> None:
    tap_on("取号", "发票办理", "发票代开", "确认取号")
    wait_for_screen("done")
    tap_on("完成")
    tap_on("取号", "发票办理", "发票领用")
    wait(lambda: "前面等候 1 人" in visible_texts(window))
    tap_on("确认取号")
    wait_for_screen("done")
    assert window.done.number.text() == "G002"
    assert "前面等候 1 人，预计约 4 分钟" in visible_texts(window)


def test_paper_end_gives_an_e_ticket_with_a_qr_code(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen, printer: PrinterEmulator
) -> None:
    printer.paper_end = True
    tap_on("取号", "发票办理", "发票代开", "确认取号")
    wait_for_screen("eticket")

    assert window.eticket.number.text() == "G001"
    shown = visible_texts(window)
    assert "打印机暂时无法出票，请拍下或记住您的号码。" in shown
    # What the slip would have said: the area, and the documents to bring (一次性告知).
    assert window.kiosk.settings.queue("green").area_zh in shown
    assert "请备齐以下材料（一次性告知）" in shown
    assert any(text.startswith("□ ") for text in shown)
    qr = window.eticket.findChild(QrCodeWidget)
    assert qr is not None
    assert qr.isVisible()
    assert window.last_ticket is not None
    assert qr.data() == window.last_ticket.qr_url
    assert qr.data().startswith("https://")
    assert len(qr.matrix()) >= 21  # a real QR symbol, version 1 or more
    assert qr.grab().toImage().pixelColor(qr.width() // 2, qr.height() // 2).isValid()
    tap_on("完成")
    assert window.current_screen_name() == "home"


def test_hall_error_shows_a_calm_failure_and_a_way_home(
    window: KioskWindow,
    tap_on: Tap,
    wait_for_screen: WaitForScreen,
    demo_kiosk: Kiosk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object) -> object:
        raise HallError("queue green has issued all 999 numbers of today")

    monkeypatch.setattr(demo_kiosk.hall, "reserve", refuse)
    tap_on("取号", "发票办理", "发票代开", "确认取号")
    wait_for_screen("failed")
    texts = visible_texts(window)
    assert "暂时无法取号" in texts
    assert any("工作人员" in text for text in texts)
    assert not any("999" in text or "Error" in text for text in texts)
    tap_on("返回首页")
    assert window.current_screen_name() == "home"


@pytest.mark.settings(printer={"on_failure": "void"})
def test_voided_ticket_shows_the_failure_screen(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen, printer: PrinterEmulator
) -> None:
    printer.cover_open = True
    tap_on("取号", "发票办理", "发票代开", "确认取号")
    wait_for_screen("failed")
    assert "暂时无法取号" in visible_texts(window)
    assert printer.tickets == []


def test_self_service_offer_and_guide_slip(
    window: KioskWindow,
    tap_on: Tap,
    wait_for_screen: WaitForScreen,
    printer: PrinterEmulator,
    wait: Wait,
) -> None:
    tap_on("取号", "申报纳税", "增值税申报")
    assert window.current_screen_name() == "route"
    assert "自助办税区办理，无需取号" in visible_texts(window)
    with pytest.raises(AutomationError, match="no visible button"):
        find_button(window, "完成")  # nothing printed yet: nothing to be done with

    tap_on("打印指引单")
    wait(lambda: any(text.startswith("指引单已打印") for text in visible_texts(window)))
    wait(lambda: len(printer.tickets) >= 1)
    assert "自助" in printer.tickets[0].text
    assert "增值税申报" in printer.tickets[0].text
    assert not window.route.print_guide_button.isEnabled()  # one slip is enough
    assert find_button(window, "完成").isEnabled()

    tap_on("确认取号")  # a window after all: the fourth tap of the visit
    wait_for_screen("done")
    assert window.done.number.text() == "G001"


def test_the_finish_button_after_a_guide_slip_goes_home(
    window: KioskWindow, tap_on: Tap, printer: PrinterEmulator, wait: Wait
) -> None:
    tap_on("取号", "申报纳税", "增值税申报", "打印指引单")
    wait(lambda: window.route.guide_done_button.isVisible())
    tap_on("完成")
    assert window.current_screen_name() == "home"
    assert len(printer.tickets) == 1  # the guide slip, and no number


def test_wait_is_said_plainly_for_the_first_and_the_second_in_line(
    window: KioskWindow, tap_on: Tap, wait_for_screen: WaitForScreen, wait: Wait
) -> None:
    tap_on("取号", "发票办理", "发票代开")
    wait(lambda: "无需等待" in visible_texts(window))  # the queue state comes from the worker
    assert "前面无人等候" in visible_texts(window)
    tap_on("确认取号")
    wait_for_screen("done")
    assert "前面无人等候，请直接前往" in visible_texts(window)
    assert not any("0 分钟" in text for text in visible_texts(window))
    tap_on("完成")
    tap_on("取号", "发票办理", "发票代开")
    tap_on("确认取号")
    wait_for_screen("done")
    assert window.done.number.text() == "G002"
    assert any(text.startswith("前面等候 1 人") for text in visible_texts(window))


def test_home_says_the_printer_is_paused_while_it_is_and_not_after(
    window: KioskWindow, demo_kiosk: Kiosk, printer: PrinterEmulator, wait: Wait
) -> None:
    assert window.home.printer_notice.isHidden()
    printer.cover_open = True
    demo_kiosk.start_background()  # the first check runs at once, on the health thread
    wait(lambda: not window.home.printer_notice.isHidden())
    assert "打印机暂停出票" in window.home.printer_notice.text()
    printer.cover_open = False
    assert demo_kiosk.printer is not None
    demo_kiosk.printer.health.check_now()
    wait(lambda: window.home.printer_notice.isHidden())
