"""The technician menu: the hidden gesture, the PIN and its lock-out, saving settings
through the schema, the audit trail, idle close, kiosk mode and the crash screen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot
from uitest_support import LANDSCAPE, PORTRAIT

from kiosk.app import Kiosk
from kiosk.clock import FakeClock
from kiosk.systemd import EXIT_LEFT_KIOSK, EXIT_RESTART
from kiosk.technician import MASK, AuditTrail, hash_pin
from kiosk.text import default_texts
from ui.automation import settle, tap, visible_buttons, visible_texts
from ui.crash import CrashHandler
from ui.main_window import KioskWindow
from ui.technician import texts as technician_texts
from ui.technician.controller import TechnicianController
from ui.technician.pages import PAGE_CLASSES, SettingsPage

PIN = "730519"
WRONG_PIN = "864209"
# A cheap hash for tests (the cost is in the stored string; production uses 2**15).
PIN_HASH = hash_pin(PIN, n=2**10)
WITH_PIN = pytest.mark.settings(technician={"pin_hash": PIN_HASH})
MACHINE_FILE = (
    '[kiosk]\nid = "K07"\n\n[ui]\ninactivity_seconds = 60\n\n'
    f'[technician]\npin_hash = "{PIN_HASH}"\n'
)


@pytest.fixture
def demo_kiosk(demo_kiosk: Kiosk, tmp_path: Path) -> Kiosk:
    """The conftest's demo kiosk, started with a machine file of its own."""
    machine = tmp_path / "machine" / "kiosk.toml"
    machine.parent.mkdir()
    machine.write_text(MACHINE_FILE, encoding="utf-8")
    demo_kiosk.config_file = machine
    return demo_kiosk


@pytest.fixture
def exits(window: KioskWindow) -> list[int]:
    codes: list[int] = []
    window.technician.exit_app = codes.append
    return codes


def tech(window: KioskWindow) -> TechnicianController:
    return window.technician


def corner_taps(window: KioskWindow, count: int = 5, at: QPoint | None = None) -> None:
    for _ in range(count):
        QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton, pos=at or QPoint(20, 20))


def enter_pin(window: KioskWindow, pin: str) -> None:
    layer = tech(window).layer
    for digit in pin:
        tap(layer, digit)
    tap(layer, "确定")
    qtwait_jobs(tech(window))  # the PIN is checked off the GUI thread


def open_menu(window: KioskWindow) -> TechnicianController:
    corner_taps(window)
    enter_pin(window, PIN)
    assert tech(window).showing() == "menu"
    settle()
    return tech(window)


def audit_actions(kiosk: Kiosk) -> list[str]:
    return [record.action for record in AuditTrail(kiosk.journal).records()]


# ---- getting in --------------------------------------------------------------------------


@WITH_PIN
def test_five_taps_in_the_corner_ask_for_the_pin(window: KioskWindow) -> None:
    corner_taps(window, 4)
    assert tech(window).showing() == ""
    corner_taps(window, 1)
    assert tech(window).showing() == "pin"
    assert "技术人员菜单：请输入 PIN" in visible_texts(tech(window).layer)
    assert all(b.height() >= 80 for b in tech(window).pinpad.digit_buttons.values())
    tap(tech(window).layer, "取消")
    assert tech(window).showing() == ""


@WITH_PIN
def test_a_finger_on_the_touchscreen_counts_once_per_tap(window: KioskWindow) -> None:
    device = QTest.createTouchDevice()
    handle = window.windowHandle()
    for tapped in range(1, 6):
        QTest.touchEvent(handle, device).press(0, QPoint(30, 30)).commit()
        QTest.touchEvent(handle, device).release(0, QPoint(30, 30)).commit()
        settle()
        # Qt also makes a mouse press out of each touch: it must not count twice.
        assert tech(window).showing() == ("pin" if tapped == 5 else "")


@WITH_PIN
def test_taps_elsewhere_or_too_slow_do_not_open_it(
    window: KioskWindow, fake_clock: FakeClock
) -> None:
    corner_taps(window, 4)
    corner_taps(window, 1, QPoint(540, 900))  # a tap elsewhere starts the count again
    corner_taps(window, 1)
    assert tech(window).showing() == ""
    tech(window).gesture.reset()
    for _ in range(5):  # five corner taps, but over more than three seconds
        corner_taps(window, 1)
        fake_clock.advance(1.0)
    assert tech(window).showing() == ""


@WITH_PIN
def test_the_gesture_does_not_steal_taps(window: KioskWindow) -> None:
    tap(window, "取号")
    assert window.current_screen_name() == "category"
    home = window.top_bar.home_button
    corner = home.mapTo(window, QPoint(10, 10))
    assert corner.x() < 140
    assert corner.y() < 140
    corner_taps(window, 1, corner)  # the corner holds the Home button: it still works
    assert window.current_screen_name() == "home"
    assert tech(window).gesture.count() == 0  # and a tap on a button is no corner tap


@WITH_PIN
def test_five_quick_taps_on_home_never_open_the_pin_pad(window: KioskWindow) -> None:
    tap(window, "取号")
    corner = window.top_bar.home_button.mapTo(window, QPoint(10, 10))
    corner_taps(window, 5, corner)  # the first goes home; Home then hides, the others fall
    assert window.current_screen_name() == "home"
    assert tech(window).showing() == ""
    assert tech(window).gesture.count() == 4


DOUBLES = "每再锁定一次，时长加倍，直到输入正确的 PIN。"


def lock_message(window: KioskWindow) -> str:
    return next(text for text in visible_texts(tech(window).layer) if "菜单已锁定" in text)


@WITH_PIN
def test_five_wrong_pins_lock_the_menu_for_five_minutes(
    window: KioskWindow, fake_clock: FakeClock, demo_kiosk: Kiosk
) -> None:
    corner_taps(window)
    for attempt in range(4):
        enter_pin(window, WRONG_PIN)
        assert f"PIN 错误，还可尝试 {4 - attempt} 次" in visible_texts(tech(window).layer)
    enter_pin(window, WRONG_PIN)
    assert lock_message(window) == "错误次数过多，菜单已锁定，请 5 分钟后再试。\n" + DOUBLES
    assert not tech(window).pinpad.digit_buttons["2"].isEnabled()
    assert tech(window).gate.attempt(PIN).locked  # even the right PIN, while locked
    fake_clock.advance(4 * 60)
    tech(window).check()
    assert tech(window).showing() == ""  # an untouched PIN pad closes itself
    corner_taps(window)
    assert lock_message(window).startswith("错误次数过多，菜单已锁定，请 1 分钟后再试。")
    fake_clock.advance(61)
    tech(window).check()
    assert tech(window).pinpad.digit_buttons["2"].isEnabled()
    enter_pin(window, PIN)
    assert tech(window).showing() == "menu"
    actions = audit_actions(demo_kiosk)
    assert actions.count("pin_refused") == 5
    assert "locked" in actions
    assert actions[-1] == "entered"


@WITH_PIN
def test_each_further_lock_out_doubles_and_the_pad_says_how_long(
    window: KioskWindow, fake_clock: FakeClock
) -> None:
    shown = []
    for _ in range(6):  # 5, 10, 20, 40, 80, 160 minutes
        corner_taps(window)
        for _ in range(5):
            enter_pin(window, WRONG_PIN)
        shown.append(lock_message(window).split("\n")[0])
        fake_clock.advance(tech(window).gate.locked_seconds())
        tech(window).check()
        assert tech(window).showing() == ""  # the untouched pad closed itself meanwhile
    assert shown[1] == "错误次数过多，菜单已锁定，请 10 分钟后再试。"
    assert shown[4] == "错误次数过多，菜单已锁定，请 1 小时 20 分钟后再试。"
    assert shown[5] == "错误次数过多，菜单已锁定，请 2 小时 40 分钟后再试。"
    corner_taps(window)
    tech(window).pinpad.show_locked(24 * 3600)  # the cap, without ten rounds of taps
    assert lock_message(window).startswith("错误次数过多，菜单已锁定，请 24 小时 0 分钟后再试。")


@pytest.mark.settings(technician={"pin_hash": ""})
def test_without_a_pin_the_menu_cannot_be_opened(window: KioskWindow) -> None:
    corner_taps(window)
    assert "尚未设置 PIN：请在终端运行 kiosk config set-pin" in visible_texts(tech(window).layer)
    assert not tech(window).pinpad.ok_button.isEnabled()


@WITH_PIN
def test_the_right_pin_opens_the_menu_and_closing_is_audited(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    controller = open_menu(window)
    assert controller.menu.current == "settings"
    tap(controller.layer, "关闭菜单")
    assert controller.showing() == ""
    records = AuditTrail(demo_kiosk.journal).records()
    assert [r.action for r in records][-2:] == ["entered", "exited"]
    assert all(r.who == "technician" and r.at for r in records)
    assert records[-1].details == {"reason": "closed"}


@WITH_PIN
def test_the_menu_closes_itself_when_idle(
    window: KioskWindow, fake_clock: FakeClock, demo_kiosk: Kiosk
) -> None:
    controller = open_menu(window)
    fake_clock.advance(2 * 60)
    controller.check()
    assert controller.showing() == "menu"
    fake_clock.advance(61)
    controller.check()
    assert controller.showing() == ""
    assert AuditTrail(demo_kiosk.journal).records()[-1].details == {"reason": "idle"}
    assert window.current_screen_name() == "home"


# ---- settings ------------------------------------------------------------------------------


def settings_page(controller: TechnicianController, section: str) -> SettingsPage:
    page = controller.menu.show_page("settings")
    assert isinstance(page, SettingsPage)
    settle()
    tap(controller.layer, technician_texts.SECTION_NAMES[section].zh)
    settle()
    assert page.section.name == section
    return page


@WITH_PIN
def test_a_bad_value_is_refused_with_its_reason_and_nothing_written(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    machine = demo_kiosk.config_file
    assert machine is not None
    before = machine.read_bytes()
    controller = open_menu(window)
    page = settings_page(controller, "kiosk")
    page.editors["kiosk.id"].set_value("bad id!")
    tap(controller.layer, "保存")
    shown = page.message.text()
    assert shown.startswith("未保存：kiosk.id: String should match pattern")
    assert machine.read_bytes() == before
    assert not machine.with_name("kiosk.toml.last-good").exists()
    assert audit_actions(demo_kiosk)[-1] == "setting_refused"


@WITH_PIN
def test_a_good_change_is_saved_atomically_kept_and_audited(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    machine = demo_kiosk.config_file
    assert machine is not None
    before = machine.read_text(encoding="utf-8")
    controller = open_menu(window)
    page = settings_page(controller, "ui")
    editor = page.editors["ui.inactivity_seconds"]
    editor.nudge(+1)
    editor.nudge(+1)
    toggle = page.editors["ui.hide_cursor"]
    toggle.set_value(False)
    tap(controller.layer, "保存")
    assert page.message.text() == "已保存 2 项，重启应用后生效。"
    text = machine.read_text(encoding="utf-8")
    assert "inactivity_seconds = 62.0" in text
    assert "hide_cursor = false" in text
    assert 'id = "K07"' in text  # the rest of the machine file is kept
    assert machine.with_name("kiosk.toml.last-good").read_text(encoding="utf-8") == before
    assert not list(machine.parent.glob(".*tmp"))  # no temporary file left behind
    changes = [r for r in AuditTrail(demo_kiosk.journal).records() if r.key]
    assert [(r.key, r.old, r.new) for r in changes] == [
        ("ui.inactivity_seconds", 60.0, 62.0),
        ("ui.hide_cursor", True, False),
    ]
    # The audit trail page shows them, and never the PIN's hash.
    controller.menu.show_page("audit")
    QTest.qWait(0)
    QApplication.processEvents()
    qtwait_jobs(controller)
    shown = "\n".join(visible_texts(controller.layer))
    assert "ui.inactivity_seconds: 60 → 62" in shown
    assert PIN_HASH not in shown


def qtwait_jobs(controller: TechnicianController) -> None:
    from ui.automation import wait_until

    wait_until(lambda: not controller.jobs.busy(), "the menu's background jobs")
    settle()


@WITH_PIN
def test_the_pin_hash_is_shown_masked(window: KioskWindow) -> None:
    controller = open_menu(window)
    settings_page(controller, "technician")
    shown = visible_texts(controller.layer)
    assert MASK in shown
    assert not any(PIN_HASH in text for text in shown)


@WITH_PIN
def test_a_port_is_chosen_or_typed_on_the_on_screen_keyboard(window: KioskWindow) -> None:
    controller = open_menu(window)
    page = settings_page(controller, "printer")
    tap(controller.layer, "其他…")
    assert controller.showing() == "keyboard"
    tap(controller.layer, "清除")
    for key in "socket://":
        tap(controller.layer, key)
    tap(controller.layer, "完成")
    assert controller.showing() == "menu"
    assert page.editors["printer.port"].value() == "socket://"


# ---- kiosk mode ------------------------------------------------------------------------------


@WITH_PIN
def test_kiosk_mode_refuses_closing_and_leaving_asks_the_pin(
    window: KioskWindow, exits: list[int], demo_kiosk: Kiosk
) -> None:
    controller = tech(window)
    controller.enter_kiosk_mode()
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert QApplication.overrideCursor() is not None
    assert QApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    assert not window.close()  # Alt+F4 from a window manager ends here
    assert window.isVisible()
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible()
    open_menu(window)
    controller.menu.show_page("system")
    tap(controller.layer, "退出全屏模式")
    assert controller.showing() == "pin"
    assert "退出全屏模式：请再次输入 PIN" in visible_texts(controller.layer)
    enter_pin(window, WRONG_PIN)
    assert exits == []
    enter_pin(window, PIN)
    assert exits == [EXIT_LEFT_KIOSK]
    assert controller.may_close()
    assert QApplication.overrideCursor() is None
    assert "left_kiosk_mode" in audit_actions(demo_kiosk)


@WITH_PIN
def test_restart_from_the_menu(window: KioskWindow, exits: list[int]) -> None:
    controller = open_menu(window)
    controller.menu.show_page("system")
    tap(controller.layer, "重启应用")
    assert exits == [EXIT_RESTART]


@WITH_PIN
def test_the_catalog_reloads_without_a_restart_and_a_broken_one_changes_nothing(
    window: KioskWindow, demo_kiosk: Kiosk, tmp_path: Path, exits: list[int]
) -> None:
    from ui.automation import wait_until

    catalog_file = tmp_path / "catalog.toml"
    text = demo_kiosk.settings.catalog_path.read_text(encoding="utf-8")
    catalog_file.write_text(text.replace('version = "', 'version = "reloaded-', 1), "utf-8")
    hall = demo_kiosk.settings.hall.model_copy(update={"catalog": catalog_file})
    demo_kiosk.settings = demo_kiosk.settings.model_copy(update={"hall": hall})
    before = demo_kiosk.catalog.version
    controller = open_menu(window)
    page = controller.menu.show_page("catalog")
    tap(controller.layer, "重新加载")
    qtwait_jobs(controller)
    assert page.message.text().startswith("已重新加载")
    wait_until(lambda: demo_kiosk.catalog.version == "reloaded-" + before, "the new catalog")
    assert exits == []  # no restart

    catalog_file.write_text("version = [", "utf-8")
    tap(controller.layer, "重新加载")
    qtwait_jobs(controller)
    assert "TOML" in page.message.text()
    assert demo_kiosk.catalog.version == "reloaded-" + before
    assert "catalog_reload" in audit_actions(demo_kiosk)


# ---- pages -------------------------------------------------------------------------------------


@WITH_PIN
def test_today_tickets_and_logs_pages(
    window: KioskWindow, demo_kiosk: Kiosk, tmp_path: Path, qtbot: QtBot
) -> None:
    tap(window, "取号")
    tap(window, "发票办理")
    tap(window, "发票代开")
    tap(window, "确认取号")
    qtbot.waitUntil(lambda: window.last_ticket is not None, timeout=20_000)
    assert window.last_ticket is not None
    number = window.last_ticket.number
    window.finish_visit()
    controller = open_menu(window)
    today = controller.menu.show_page("today")
    qtwait_jobs(controller)
    assert any(
        text.startswith("各队列取号：") and " 1" in text for text in visible_texts(controller.layer)
    )
    path = today.export(tmp_path / "usb")  # type: ignore[attr-defined]
    assert path is not None
    assert number in path.read_text(encoding="utf-8-sig")
    controller.menu.show_page("tickets")
    qtwait_jobs(controller)
    tap(controller.layer, f"作废 {number}")
    settle()
    tap(controller.layer, "重复取号")
    qtwait_jobs(controller)
    assert f"{number} 已作废。" in visible_texts(controller.layer)
    assert demo_kiosk.hall.ticket_status(window.last_ticket.reservation.ticket_id) != "waiting"
    assert "void" in audit_actions(demo_kiosk)


# ---- sizes and names ----------------------------------------------------------------------------


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


@WITH_PIN
@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_every_page_has_touch_sized_named_buttons(
    window: KioskWindow, size: tuple[int, int]
) -> None:
    window.resize(*size)
    corner_taps(window)
    pages = ["pin"]
    enter_pin(window, PIN)
    controller = tech(window)
    pages += list(controller.menu.pages)
    for language in ("中文 / English", "中文 / English"):
        for page in pages[1:]:
            controller.menu.show_page(page)
            qtwait_jobs(controller)
            assert (window.width(), window.height()) == size
            buttons = visible_buttons(controller.layer)
            assert buttons
            for button in buttons:
                label = button.text()
                assert label
                assert button.accessibleName() == label
                assert button.width() >= 80, (page, label, button.size())
                assert button.height() >= 80, (page, label, button.size())
                fits = QFontMetrics(button.font()).horizontalAdvance(label) <= button.width() - 12
                assert fits, (page, label)
                if not _in_scroll_area(button):
                    top_left = button.mapTo(window, QPoint(0, 0))
                    assert window.rect().contains(top_left), (page, label)
                    assert top_left.x() + button.width() <= window.width(), (page, label)
        tap(controller.layer, language)


# ---- the crash handler ------------------------------------------------------------------------


@pytest.fixture
def crash_handler(tmp_path: Path) -> Iterator[tuple[CrashHandler, list[str]]]:
    restarts: list[str] = []
    handler = CrashHandler(tmp_path / "crash", lambda: restarts.append("restart"), delay_ms=10)
    handler.install()
    yield handler, restarts
    handler.close()


def test_a_crash_shows_please_wait_writes_a_clean_report_and_restarts(
    crash_handler: tuple[CrashHandler, list[str]], qtbot: QtBot
) -> None:
    handler, restarts = crash_handler
    id_number = "110105" + "19491231" + "002X"

    def fail_with_personal_data() -> None:
        holder = {"id": id_number}  # a local: never in the report
        raise RuntimeError(f"card {holder['id']} phone 1380013" + "8000")

    thread = threading.Thread(target=fail_with_personal_data, name="card-reader")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: restarts == ["restart"], timeout=5000)
    assert handler.screen is not None
    assert handler.screen.isVisible()
    assert handler.screen.shown_texts()[0] == "请稍候 / Please wait"
    assert len(handler.reports) == 1
    report = handler.reports[0].read_text(encoding="utf-8")
    assert "RuntimeError" in report
    assert "card-reader" in report
    assert "fail_with_personal_data" in report
    assert id_number not in report
    assert "19491231" not in report
    assert "13800138000" not in report
    assert "{'id': " not in report  # no local variables


def test_an_exception_in_the_gui_thread_goes_through_the_handler(
    crash_handler: tuple[CrashHandler, list[str]], qtbot: QtBot
) -> None:
    handler, restarts = crash_handler
    try:
        raise ValueError("boom")
    except ValueError as error:
        handler.handle(type(error), error, error.__traceback__)
    qtbot.waitUntil(lambda: restarts == ["restart"], timeout=5000)
    assert "ValueError: boom" in handler.reports[0].read_text(encoding="utf-8")


# ---- kiosk run under systemd ---------------------------------------------------------------------


def test_kiosk_run_says_ready_feeds_the_watchdog_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The real `kiosk run` in kiosk mode, with systemd's notify socket faked on tmp_path."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    machine = tmp_path / "kiosk.toml"
    machine.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n\n[printer]\nport = "/dev/ttyNONE"\n',
        encoding="utf-8",
    )
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(address)
        notify.settimeout(60)
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "NOTIFY_SOCKET": address,
            "WATCHDOG_USEC": "1000000",
        }
        kiosk = Path(sys.executable).parent / "kiosk"
        process = subprocess.Popen(
            [str(kiosk), "run", "--config", str(machine)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert notify.recv(64) == b"READY=1"
            assert notify.recv(64) == b"WATCHDOG=1"
            assert notify.recv(64) == b"WATCHDOG=1"
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err[-2000:]
        assert "Traceback" not in err
        messages = []
        notify.settimeout(0)
        try:
            while True:
                messages.append(notify.recv(64))
        except BlockingIOError:
            pass
        assert messages[-1] == b"STOPPING=1"


def test_every_page_has_its_title_in_the_text_catalog() -> None:
    keys = [f"technician.page_{page.key}" for page in PAGE_CLASSES]
    assert len(keys) == 9
    assert [key for key in keys if key not in default_texts()] == []


def test_a_job_reports_its_result_or_its_error_on_the_gui_thread(qapp: QApplication) -> None:
    from ui.automation import wait_until
    from ui.technician.jobs import Jobs

    jobs = Jobs()
    results: list[tuple[object, str, bool]] = []
    gui = threading.current_thread()

    def done(result: object, error: BaseException | None) -> None:
        results.append((result, str(error or ""), threading.current_thread() is gui))

    def fail() -> object:
        raise ValueError("no printer")

    jobs.run(lambda: 42, done)
    jobs.run(fail, done)
    wait_until(lambda: not jobs.busy(), "both jobs")
    jobs.close()
    assert sorted(results, key=str) == sorted([(42, "", True), (None, "no printer", True)], key=str)
