"""The technician menu's device, hall link and today pages as tools: a card read on the
real pty reader emulator (masked, the screen's listener given back), the keypad bus
scanned through its thread, a scan test, the hall server's connection test on loopback,
follow-ups closed with a preset note, and Chinese titles for every setting."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QWidget
from test_ui_technician import (
    MACHINE_FILE,
    WITH_PIN,
    _in_scroll_area,
    audit_actions,
    open_menu,
    qtwait_jobs,
)
from uitest_support import LANDSCAPE, PORTRAIT

from drivers.idcard.card import id_check_digit
from drivers.printer.document import Align, TextBlock
from drivers.sim.scanner import ScannerEmulator
from kiosk.app import Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.clock import FakeClock
from kiosk.config_store import ConfigStore, settings_sections
from kiosk.evaluation import EvaluationLevel
from kiosk.hall.server.runner import start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.identity import credit_code_check_char
from kiosk.settings import load_settings
from kiosk.startup import open_scanner_watcher
from kiosk.technician import AuditTrail
from ui.automation import settle, tap, visible_buttons, visible_texts, wait_until
from ui.main_window import KioskWindow
from ui.technician import texts
from ui.technician.editors import choice_label
from ui.technician.jobs import Jobs
from ui.technician.pages import DevicesPage, HallLinkPage, MenuContext, SettingsPage
from ui.technician.pages.device_tests import sample_slip

# Built from parts: never a whole ID number or credit code written in a test file.
RESIDENT_NUMBER = "110105" + "19900307" + "123"
RESIDENT_NUMBER += id_check_digit(RESIDENT_NUMBER)
CREDIT_FIRST17 = "91110105" + "MA01" + "ABCD" + "1"
CREDIT_CODE = CREDIT_FIRST17 + credit_code_check_char(CREDIT_FIRST17)


@pytest.fixture
def scanner() -> Iterator[tuple[ScannerEmulator, str]]:
    emulator = ScannerEmulator()
    port = emulator.start()
    yield emulator, port
    emulator.stop()


@pytest.fixture
def demo_kiosk(scanner: tuple[ScannerEmulator, str], demo_kiosk: Kiosk, tmp_path: Path) -> Kiosk:
    """The conftest's demo kiosk with a machine file, a QR scanner on a pty, and its
    card reader and keypad bus threads running."""
    machine = tmp_path / "machine" / "kiosk.toml"
    machine.parent.mkdir()
    machine.write_text(MACHINE_FILE, encoding="utf-8")
    demo_kiosk.config_file = machine
    demo_kiosk.scanner_watcher = open_scanner_watcher(demo_kiosk.settings, scanner[1])
    assert demo_kiosk.scanner_watcher is not None
    demo_kiosk.scanner_watcher.start()
    assert demo_kiosk.card_watcher is not None
    demo_kiosk.card_watcher.start()
    assert demo_kiosk.windows is not None
    demo_kiosk.windows.start()
    return demo_kiosk


def devices_page(window: KioskWindow) -> DevicesPage:
    controller = open_menu(window)
    page = controller.menu.show_page("devices")
    assert isinstance(page, DevicesPage)
    settle()
    return page


def cell(root: QWidget, name: str) -> str:
    """The text of the visible label called `name` (a refreshed page drops the old ones)."""
    found = [w for w in root.findChildren(QLabel, name) if w.isVisible()]
    assert len(found) == 1, name
    return found[0].text()


def shown(window: KioskWindow) -> str:
    return "\n".join(visible_texts(window.technician.layer))


# ---- devices ---------------------------------------------------------------------------------


@WITH_PIN
def test_each_device_has_its_block_with_port_state_and_sam_id(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    watcher = demo_kiosk.card_watcher
    assert watcher is not None
    assert watcher.wait_until(lambda: watcher.sam_id is not None, 10)
    page = devices_page(window)
    page.refresh()
    settle()
    text = shown(window)
    assert f"SAM 编号：{watcher.sam_id}" in text
    assert f"端口：{watcher.port}" in text
    assert "状态：就绪" in text
    for title in ("打印机", "身份证读卡器", "扫码器", "评价器与叫号器"):
        assert title in text
    assert "地址/窗口" in text
    assert demo_kiosk.printer is not None
    assert f"端口：{demo_kiosk.printer.transport.url}" in text


@WITH_PIN
def test_a_devices_port_button_opens_its_settings_section(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    page = devices_page(window)
    tap(window.technician.layer, "扫码器设置")
    settle()
    menu = window.technician.menu
    assert menu.current == "settings"
    settings = menu.page("settings")
    assert isinstance(settings, SettingsPage)
    assert settings.section.name == "identification"
    assert not page.isVisible()


@WITH_PIN
def test_read_a_card_shows_it_masked_and_gives_the_reader_back(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    watcher = demo_kiosk.card_watcher
    emulator = demo_kiosk.card_emulator
    assert watcher is not None
    assert emulator is not None
    screen_listener = watcher.listener
    assert screen_listener is not None  # the window's own
    page = devices_page(window)
    emulator.insert("resident")
    tap(window.technician.layer, "读卡测试")
    qtwait_jobs(window.technician)
    text = shown(window)
    masked = RESIDENT_NUMBER[:3] + "*" * 11 + RESIDENT_NUMBER[-4:]
    assert f"读卡成功：居民身份证，号码 {masked}，校验位正确，有效期至 2035-01-01" in text
    assert RESIDENT_NUMBER not in text
    assert "测试甲" not in text  # never the name
    assert watcher.listener is screen_listener
    assert not watcher.watching  # no screen was watching before the test
    assert {"card_test", "card_test_result"} <= set(audit_actions(demo_kiosk))
    records = AuditTrail(demo_kiosk.journal).records()
    assert RESIDENT_NUMBER not in repr([r.details for r in records])
    assert page.busy == set()


@WITH_PIN
def test_read_a_card_with_a_wrong_check_digit_says_so(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    assert demo_kiosk.card_emulator is not None
    devices_page(window)
    demo_kiosk.card_emulator.insert("bad_check")
    tap(window.technician.layer, "读卡测试")
    qtwait_jobs(window.technician)
    text = shown(window)
    assert "校验位错误" in text
    assert "读到证件，但不能使用：证件号码无法核验" in text


@WITH_PIN
def test_no_card_within_the_time_is_said_plainly(window: KioskWindow, demo_kiosk: Kiosk) -> None:
    page = devices_page(window)
    page.READ_SECONDS = 0.3
    tap(window.technician.layer, "读卡测试")
    qtwait_jobs(window.technician)
    assert "0.3 秒内没有读到证件。" in shown(window)


@WITH_PIN
def test_closing_the_menu_ends_a_read_test_and_gives_the_reader_back(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    watcher = demo_kiosk.card_watcher
    assert watcher is not None
    screen_listener = watcher.listener
    page = devices_page(window)
    page.READ_SECONDS = 600.0  # far longer than the wait below
    tap(window.technician.layer, "读卡测试")
    wait_until(lambda: watcher.watching, "the read test watching")
    tap(window.technician.layer, "关闭菜单")
    qtwait_jobs(window.technician)
    assert watcher.listener is screen_listener
    assert not watcher.watching
    assert page.busy == set()


@WITH_PIN
def test_the_keypad_bus_scan_goes_through_the_bus_thread(
    window: KioskWindow, demo_kiosk: Kiosk
) -> None:
    keypads = demo_kiosk.keypad_emulator
    assert keypads is not None
    keypads.silent.add(3)
    devices_page(window)
    tap(window.technician.layer, "扫描键盘总线")
    qtwait_jobs(window.technician)
    text = shown(window)
    assert demo_kiosk.windows is not None
    count = len(demo_kiosk.windows.windows)
    assert f"总线扫描：{count - 1}/{count} 台应答；无应答：3号" in text
    assert "keypad_scan" in audit_actions(demo_kiosk)
    # The table: keypad 1 answered (online, model), keypad 3 did not.
    assert demo_kiosk.windows is not None
    windows = demo_kiosk.windows
    wait_until(
        lambda: not next(s for s in windows.status() if s.address == 3).online,
        "keypad 3 offline",
    )
    tap(window.technician.layer, "刷新")
    settle()
    layer = window.technician.layer
    assert cell(layer, "keypad-3-1") == "离线"
    assert cell(layer, "keypad-1-1") == "在线"
    assert cell(layer, "keypad-1-3") == "KP1-SIM/1.0"


@WITH_PIN
def test_scan_test_shows_the_codes_kind_masked(
    window: KioskWindow, demo_kiosk: Kiosk, scanner: tuple[ScannerEmulator, str]
) -> None:
    watcher = demo_kiosk.scanner_watcher
    assert watcher is not None
    screen_listener = watcher.listener
    devices_page(window)
    tap(window.technician.layer, "扫码测试")
    wait_until(lambda: watcher.listener is not screen_listener, "the scan test listening")
    scanner[0].send_code(CREDIT_CODE)
    qtwait_jobs(window.technician)
    text = shown(window)
    assert "扫到：统一社会信用代码，" in text
    assert CREDIT_CODE not in text
    assert watcher.listener is screen_listener
    assert "scan_test_result" in audit_actions(demo_kiosk)


@WITH_PIN
def test_a_devices_settings_button_opens_its_settings_section(window: KioskWindow) -> None:
    devices_page(window)
    tap(window.technician.layer, "评价器设置")
    settle()
    menu = window.technician.menu
    assert menu.current == "settings"
    page = menu.page("settings")
    assert isinstance(page, SettingsPage)
    assert page.section.name == "keypads"
    assert "评价器总线端口" in shown(window).splitlines()


# ---- today: follow-ups -----------------------------------------------------------------------


@WITH_PIN
def test_a_follow_up_is_listed_with_its_deadline_and_closed_with_a_preset_note(
    window: KioskWindow, demo_kiosk: Kiosk, fake_clock: FakeClock
) -> None:
    windows = demo_kiosk.windows
    assert windows is not None
    windows.evaluations.vote(4, EvaluationLevel.VERY_DISSATISFIED)
    windows.evaluations.vote(5, EvaluationLevel.SATISFIED)
    [follow_up] = windows.open_follow_ups()
    controller = open_menu(window)
    controller.menu.show_page("today")
    qtwait_jobs(controller)
    text = shown(window)
    deadline = follow_up.deadline.isoformat()
    assert f"— · 4号窗口 · 非常不满意 · 截止 {deadline}" in text
    assert "已逾期" not in text
    assert cell(controller.layer, "evaluations-5") == "1"
    assert cell(controller.layer, "evaluations-2") == "1"
    fake_clock.advance(timedelta(days=30).total_seconds())
    tap(controller.layer, "刷新")
    qtwait_jobs(controller)
    assert f"截止 {deadline}（已逾期）" in shown(window)
    tap(controller.layer, "已处理 —")
    settle()
    tap(controller.layer, "已电话回访")
    qtwait_jobs(controller)
    assert windows.open_follow_ups() == []
    assert "没有待回访的评价。" in shown(window)
    closed = [r for r in AuditTrail(demo_kiosk.journal).records() if r.action == "follow_up_closed"]
    assert closed[0].details["evaluation_id"] == follow_up.evaluation_id
    assert closed[0].details["note"] == "Called back"


# ---- hall link -------------------------------------------------------------------------------


def _http_kiosk(tmp_path: Path, url: str, token: str) -> Kiosk:
    settings = load_settings(
        None,
        overrides={
            "kiosk": {"id": "K09", "data_dir": str(tmp_path / "k09")},
            "hall": {"backend": "http", "url": url, "token": token},
            "printer": {"port": str(tmp_path / "no-printer")},
        },
    )
    return build_kiosk(settings, load_catalog(settings.catalog_path))


def _hall_page(window: KioskWindow, kiosk: Kiosk, tmp_path: Path) -> tuple[HallLinkPage, Jobs]:
    """The page over another kiosk (one with a hall server), shown inside the window."""
    jobs = Jobs()
    context = MenuContext(
        kiosk,
        ConfigStore(tmp_path / "machine.toml"),
        AuditTrail(kiosk.journal),
        jobs,
        lambda initial, title, done: None,
        lambda: None,
        lambda: None,
        lambda: window.visit.language,
    )
    page = HallLinkPage(context, window)
    page.setGeometry(window.rect())
    page.show()
    page.raise_()
    page.refresh()
    settle()
    return page, jobs


def _texts(page: QWidget) -> str:
    return "\n".join(visible_texts(page))


def test_the_hall_link_page_tests_a_real_server(window: KioskWindow, tmp_path: Path) -> None:
    db = tmp_path / "server.sqlite3"
    base = load_settings(None)
    running = start_in_thread(db, base)
    token = create_token(db, "K09", base)
    kiosk = _http_kiosk(tmp_path, running.url, token)
    try:
        page, jobs = _hall_page(window, kiosk, tmp_path)
        text = _texts(page)
        assert "后台：大厅服务器" in text  # named, not the raw "http"
        assert f"服务器地址：{running.url}" in text
        assert f"令牌：••••{token[-4:]}" in text
        assert token not in text
        assert "待上传记录：" in text
        assert "被拒记录：0" in text
        assert "服务器时钟偏差：" in text
        tap(page, "连接测试")
        wait_until(lambda: not jobs.busy(), "the connection test")
        settle()
        assert page.message.text().startswith("连接正常：往返 ")
        assert "本机编号 K09" in page.message.text()
        assert any(line.startswith("在线（最近联系 ") for line in visible_texts(page))
        assert "hall_test_result" in [r.action for r in AuditTrail(kiosk.journal).records()]
        assert "最近成功同步：尚未同步" in visible_texts(page)
        assert kiosk.outbox_delivery is not None
        malformed = kiosk.journal.record("Not A Kind", {})  # refused: set aside, kept
        assert kiosk.outbox_delivery.cycle()  # one delivery, as the sync thread does
        tap(page, "刷新")
        settle()
        assert "待上传记录：0" in visible_texts(page)
        assert "被拒记录：1" in visible_texts(page)
        shown = [t for t in visible_texts(page) if t.strip().startswith(f"记录 #{malformed}")]
        assert shown
        assert "kind" in shown[0]
        assert not any(t.startswith("最近成功同步：尚未") for t in visible_texts(page))
        jobs.close()
    finally:
        kiosk.close()
        running.stop()


def test_the_connection_test_against_a_dead_port_gives_a_clear_reason(
    window: KioskWindow, tmp_path: Path
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    kiosk = _http_kiosk(tmp_path, f"http://127.0.0.1:{port}", "t" * 40)
    try:
        page, jobs = _hall_page(window, kiosk, tmp_path)
        tap(page, "连接测试")
        wait_until(lambda: not jobs.busy(), "the connection test")
        settle()
        assert page.message.text() == (
            f"连接失败：hall server http://127.0.0.1:{port}: ConnectError"
        )
        assert any(line.startswith("离线，自 ") for line in visible_texts(page))
        jobs.close()
    finally:
        kiosk.close()


# ---- settings in Chinese ---------------------------------------------------------------------


def test_every_setting_in_the_schema_has_a_chinese_title() -> None:
    keys = {spec.key for section in settings_sections() for spec in section.fields}
    missing = sorted(keys - set(texts.FIELD_TITLES))
    assert not missing, f"settings without a Chinese title in ui/technician/texts.py: {missing}"
    for key, title in texts.FIELD_TITLES.items():
        assert any("\u4e00" <= char <= "\u9fff" for char in title.zh), key
        assert title.en, key
    assert set(texts.FIELD_HELP) <= keys
    sections = {section.name for section in settings_sections()}
    assert sections <= set(texts.SECTION_NAMES), "a settings section without a name in words"


@WITH_PIN
def test_the_settings_page_shows_chinese_titles_and_english_after_the_switch(
    window: KioskWindow,
) -> None:
    controller = open_menu(window)
    page = controller.menu.show_page("settings")
    assert isinstance(page, SettingsPage)
    settle()
    tap(controller.layer, "打印机")
    settle()
    assert "打印机端口" in shown(window).splitlines()  # no raw key in Chinese
    assert "printer.port" not in shown(window)
    tap(controller.layer, "中文 / English")
    settle()
    assert "Printer port  (printer.port)" in shown(window)
    assert "Printer" in shown(window)  # the section's button follows the language


# ---- sizes and names -------------------------------------------------------------------------


@WITH_PIN
@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_the_device_tools_fit_and_are_named(
    window: KioskWindow, demo_kiosk: Kiosk, size: tuple[int, int]
) -> None:
    window.resize(*size)
    page = devices_page(window)
    page.READ_SECONDS = 0.2
    tap(window.technician.layer, "读卡测试")
    settle()
    tap(window.technician.layer, "扫描键盘总线")
    qtwait_jobs(window.technician)
    for language in ("zh", "en"):
        buttons = visible_buttons(window.technician.layer)
        names = {button.text() for button in buttons}
        expected = {"打印测试页", "读卡测试", "扫码测试", "扫描键盘总线", "打印机设置"}
        if language == "en":
            expected = {"Test print", "Read a card", "Scan test", "Scan the keypad bus"}
        assert expected <= names
        for button in buttons:
            label = button.text()
            assert button.accessibleName() == label
            assert button.width() >= 80, (label, button.size())
            assert button.height() >= 80, (label, button.size())
            fits = QFontMetrics(button.font()).horizontalAdvance(label) <= button.width() - 12
            assert fits, label
            if not _in_scroll_area(button):
                top_left = button.mapTo(window, QPoint(0, 0))
                assert window.rect().contains(top_left), label
        tap(window.technician.layer, "中文 / English")
        settle()


def test_the_test_slip_is_titled_in_both_languages_large() -> None:
    title = sample_slip().blocks[0]
    assert title == TextBlock("打印测试 / Test print", Align.CENTER, 2, 2)


def test_every_described_setting_has_chinese_help_and_every_choice_a_name() -> None:
    for section in settings_sections():
        for spec in section.fields:
            if spec.editable and spec.description:
                assert spec.key in texts.FIELD_HELP, f"{spec.key}: English help in Chinese mode"
            for choice in spec.choices if spec.editable else ():
                assert choice_label(spec, choice) != choice, (spec.key, choice)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@WITH_PIN
@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_settings_in_chinese_show_whole_section_names_and_no_raw_keys(
    window: KioskWindow, size: tuple[int, int]
) -> None:
    window.resize(*size)
    controller = open_menu(window)
    page = controller.menu.show_page("settings")
    assert isinstance(page, SettingsPage)
    keys = {spec.key for section in settings_sections() for spec in section.fields}
    for section in page.sections:
        page.show_section(section.name)
        settle()
        for button in page.section_buttons.values():
            # Not clipped: the button is as wide as its label with its padding needs.
            assert button.width() >= button.sizeHint().width(), (size, button.text())
        shown = visible_texts(controller.layer)
        assert not any(key in text for key in keys for text in shown), section.name
        for label in page.findChildren(QLabel):
            if label.isVisible() and label.property("role") == "muted" and label.text():
                assert _has_chinese(label.text()), (section.name, label.text())
        buttons = {button.text() for button in visible_buttons(controller.layer)}
        assert not buttons & {"zh", "en", "e_ticket", "void", "embedded", "http"}
