"""Identification (实名办税) and appointment check-in (预约签到) on the kiosk's screens.

Most tests use fake device watchers with the real watchers' API, fed from a
separate thread as the real ones are; one test puts a card on the real pty ID
card reader emulator. The taxpayers are the embedded hall's fictitious ones
(config/taxpayers.toml); the fake clock says Monday 09:30 in the hall.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from drivers.idcard.card import id_check_digit, mask_id_number
from drivers.sim.idcard import SamReaderEmulator
from drivers.transport import Transport
from kiosk.app import Kiosk
from kiosk.clock import FakeClock
from kiosk.device_watchers import CardWatcher
from kiosk.identity import CardRefused, classify_code, credit_code_check_char
from kiosk.identity.texts import CARD_EXPIRED
from kiosk.taxpayer import UNKNOWN_PROFILE, CreditLevel, Identity, IdentityKind, TaxpayerProfile
from ui.automation import tap, visible_texts
from ui.main_window import KioskWindow

WAIT_MS = 20_000
IDENTIFY = "刷证/扫码 · 预约签到"
# Fictitious companies of config/taxpayers.toml (credit codes, not personal data).
A_CREDIT_EARLY = "91110105MA00000012"  # A credit; appointment YY10000001 at 10:30
NEW_IN_WINDOW = "91310104MA00000024"  # new taxpayer; appointment YY10000002 at 09:30
B_CREDIT_NO_APPOINTMENT = "92440305MA00000030"
# The emulator's long_term card (drivers/sim/cards.toml; no appointment), never written whole.
SENIOR_FIRST17 = "310104" + "19600102" + "246"
SENIOR_NUMBER = SENIOR_FIRST17 + id_check_digit(SENIOR_FIRST17)
# A credit code with no profile in the embedded hall; its check character computed.
UNKNOWN_FIRST17 = "91350100" + "M000100Y4"
UNKNOWN_COMPANY = UNKNOWN_FIRST17 + credit_code_check_char(UNKNOWN_FIRST17)


class FakeCardWatcher:
    """kiosk.device_watchers.CardWatcher's UI-facing API; `place` calls back from another thread."""

    def __init__(self) -> None:
        self.listener: Callable[[object], None] | None = None
        self.watching = False
        self.starts = 0
        self.stops = 0

    def set_listener(self, listener: Callable[[object], None] | None) -> None:
        self.listener = listener

    def start_watching(self) -> None:
        self.watching = True
        self.starts += 1

    def stop_watching(self) -> None:
        self.watching = False
        self.stops += 1

    def place(self, result: object) -> None:
        listener = self.listener
        assert listener is not None, "the window did not listen to the card reader"
        device_thread = threading.Thread(target=listener, args=(result,))
        device_thread.start()
        device_thread.join()


class FakeScannerWatcher:
    def __init__(self) -> None:
        self.listener: Callable[[object], None] | None = None

    def set_listener(self, listener: Callable[[object], None] | None) -> None:
        self.listener = listener

    def scan(self, text: str) -> None:
        listener = self.listener
        assert listener is not None, "the window did not listen to the scanner"
        device_thread = threading.Thread(target=listener, args=(classify_code(text),))
        device_thread.start()
        device_thread.join()


@pytest.fixture
def demo_kiosk(demo_kiosk: Kiosk) -> Iterator[Kiosk]:
    """The conftest's demo kiosk with fake watchers (restored before it closes)."""
    saved = {name: getattr(demo_kiosk, name, None) for name in ("card_watcher", "scanner_watcher")}
    demo_kiosk.card_watcher = FakeCardWatcher()  # type: ignore[assignment]
    demo_kiosk.scanner_watcher = FakeScannerWatcher()  # type: ignore[assignment]
    yield demo_kiosk
    for name, value in saved.items():
        setattr(demo_kiosk, name, value)


@pytest.fixture
def card(demo_kiosk: Kiosk) -> FakeCardWatcher:
    watcher = demo_kiosk.card_watcher
    assert isinstance(watcher, FakeCardWatcher)
    return watcher


@pytest.fixture
def scanner(demo_kiosk: Kiosk) -> FakeScannerWatcher:
    watcher = demo_kiosk.scanner_watcher
    assert isinstance(watcher, FakeScannerWatcher)
    return watcher


def senior_identity() -> Identity:
    return Identity(
        IdentityKind.ID_CARD,
        SENIOR_NUMBER,
        mask_id_number(SENIOR_NUMBER),
        birth_date=date(1960, 1, 2),
        display_name="测*",
    )


def wait_for_screen(qtbot: QtBot, window: KioskWindow, name: str) -> None:
    qtbot.waitUntil(lambda: window.current_screen_name() == name, timeout=WAIT_MS)


def type_code(window: KioskWindow, code: str) -> None:
    for key in code:
        tap(window, key)


def identify_by_credit_code(qtbot: QtBot, window: KioskWindow, code: str, screen: str) -> None:
    tap(window, IDENTIFY)
    tap(window, "输入信用代码")
    type_code(window, code)
    tap(window, "确定")
    wait_for_screen(qtbot, window, screen)


def every_text(window: KioskWindow) -> list[str]:
    """Every text a label or a button holds, shown or not, with accessible names."""
    found: list[str] = []
    for label in window.findChildren(QLabel):
        found += [label.text(), label.accessibleName(), label.accessibleDescription()]
    for button in window.findChildren(QAbstractButton):
        found += [button.text(), button.accessibleName(), button.accessibleDescription()]
    return [text for text in found if text]


# ---- the keypad -------------------------------------------------------------------------


def test_keypad_enables_ok_only_for_a_complete_valid_credit_code(window: KioskWindow) -> None:
    tap(window, IDENTIFY)
    tap(window, "输入信用代码")
    assert window.current_screen_name() == "code_entry"
    keypad = window.code_entry.pad()
    assert keypad.display.text() == "__ ______ _________ _"
    assert "共18位，由数字和大写字母组成" in visible_texts(window)
    for letter in "IOSVZ":  # GB 32100 never uses them: no key for them
        assert letter not in keypad.keys

    type_code(window, UNKNOWN_COMPANY[:17])
    assert not window.code_entry.ok_button.isEnabled()
    assert (
        keypad.display.text()
        == f"{UNKNOWN_COMPANY[:2]} {UNKNOWN_COMPANY[2:8]} {UNKNOWN_FIRST17[8:]} _"
    )
    tap(window, UNKNOWN_COMPANY[17])
    assert window.code_entry.ok_button.isEnabled()
    assert not keypad.problem_label.isVisible()
    assert not keypad.keys["0"].isEnabled()  # all 18 typed

    tap(window, "退格")
    assert keypad.typed() == UNKNOWN_COMPANY[:17]
    assert not window.code_entry.ok_button.isEnabled()


def test_keypad_says_what_is_wrong_as_the_code_is_typed(window: KioskWindow) -> None:
    tap(window, IDENTIFY)
    tap(window, "输入信用代码")
    keypad = window.code_entry.pad()
    type_code(window, "9A")  # the second character is the kind of entity: a digit
    assert keypad.problem_label.isVisible()
    assert "第2位" in keypad.problem_label.text()
    tap(window, "清空")
    assert keypad.typed() == ""
    assert not keypad.problem_label.isVisible()

    right = UNKNOWN_COMPANY[17]
    wrong = "1" if right != "1" else "2"
    type_code(window, UNKNOWN_COMPANY[:17] + wrong)
    assert keypad.problem_label.isVisible()
    assert "校验码不符" in keypad.problem_label.text()
    assert not window.code_entry.ok_button.isEnabled()
    tap(window, "English")
    assert "check character" in keypad.problem_label.text()
    tap(window, "Delete")
    assert not keypad.problem_label.isVisible()
    tap(window, right)
    assert window.code_entry.ok_button.isEnabled()


def test_appointment_code_typed_checks_in_inside_its_window(
    qtbot: QtBot, window: KioskWindow
) -> None:
    tap(window, IDENTIFY)
    tap(window, "输入预约码")
    keypad = window.code_entry.pad()
    assert set(keypad.keys) == set("0123456789Y")
    type_code(window, "Y1")
    assert "预约码以 YY 开头" in keypad.problem_label.text()
    tap(window, "退格")
    type_code(window, "Y10000002")
    assert keypad.display.text() == "YY 1000 0002"
    tap(window, "确定")
    wait_for_screen(qtbot, window, "checkin")

    shown = visible_texts(window)
    assert "预约签到" in shown
    assert "预约时间：09:30" in shown
    assert "签到并取号" in shown
    tap(window, "签到并取号")  # the booking chose the matters: no route screen to confirm
    assert window.current_screen_name() in ("printing", "done")
    assert window.visit.appointment is not None
    assert window.visit.appointment.code == "YY10000002"
    assert [matter.code for matter in window.visit.matters] == ["M0101"]
    context = window.visit_machine.visit_context()
    assert context.appointment == window.visit.appointment
    assert context.identity == window.visit.identity
    assert context.now is not None
    assert context.now.utcoffset() is not None
    assert context.now.hour == 9  # the hall's time zone, not UTC
    wait_for_screen(qtbot, window, "done")
    assert window.done.ticket is not None
    assert window.done.ticket.route.queue.code == "appointment"


def test_unknown_appointment_code_is_said_on_the_identify_screen(
    qtbot: QtBot, window: KioskWindow
) -> None:
    tap(window, IDENTIFY)
    tap(window, "输入预约码")
    type_code(window, "YY99999999")
    tap(window, "确定")
    qtbot.waitUntil(lambda: window.identify.problem_shown() is not None, timeout=WAIT_MS)
    assert window.current_screen_name() == "identify"
    assert window.visit.identity is None
    assert any("没有找到此预约码" in text for text in visible_texts(window))


# ---- the identify screen ----------------------------------------------------------------


def test_identify_screen_watches_the_card_reader_only_while_shown(
    window: KioskWindow, card: FakeCardWatcher
) -> None:
    assert not card.watching
    tap(window, IDENTIFY)
    assert window.current_screen_name() == "identify"
    assert card.watching
    assert card.starts == 1
    tap(window, "输入信用代码")
    assert not card.watching
    tap(window, "返回")
    assert card.watching
    tap(window, "返回")
    assert window.current_screen_name() == "home"
    assert not card.watching
    assert card.starts == 2


def test_card_refused_is_a_calm_message_and_the_reader_keeps_watching(
    qtbot: QtBot, window: KioskWindow, card: FakeCardWatcher
) -> None:
    tap(window, IDENTIFY)
    card.place(CardRefused(CARD_EXPIRED))
    qtbot.waitUntil(lambda: window.identify.problem_shown() == CARD_EXPIRED, timeout=WAIT_MS)
    assert window.current_screen_name() == "identify"
    assert CARD_EXPIRED.zh in visible_texts(window)
    assert card.watching
    assert window.visit.identity is None

    card.place(senior_identity())
    wait_for_screen(qtbot, window, "category")
    assert not window.identify.problem.isVisible()
    assert window.visit.identity == senior_identity()


def test_scans_identify_from_home_and_bad_codes_get_a_message(
    qtbot: QtBot, window: KioskWindow, scanner: FakeScannerWatcher
) -> None:
    scanner.scan("https://example.invalid/not-a-tax-code")
    qtbot.waitUntil(lambda: window.identify.problem_shown() is not None, timeout=WAIT_MS)
    assert window.current_screen_name() == "identify"
    problem = window.identify.problem_shown()
    assert problem is not None
    assert "无法识别此码" in problem.zh
    assert "example" not in problem.zh + problem.en  # an unknown code is never quoted

    scanner.scan("HALLTP:" + B_CREDIT_NO_APPOINTMENT)
    wait_for_screen(qtbot, window, "category")
    identity = window.visit.identity
    assert identity is not None
    assert identity.kind is IdentityKind.TAXPAYER_QR
    assert window.visit.profile.credit_level is CreditLevel.B


def test_a_scanned_appointment_code_is_shown_masked_as_a_booking(
    qtbot: QtBot, window: KioskWindow, scanner: FakeScannerWatcher
) -> None:
    scanner.scan("YY10000002")
    wait_for_screen(qtbot, window, "checkin")
    shown = visible_texts(window)
    assert "您好！预约码 YY****0002" in shown
    assert not any("YY10000002" in text for text in shown)
    assert not any("已验证" in text for text in shown)  # a code is not a verified person


def test_scans_elsewhere_are_ignored(
    qtbot: QtBot, window: KioskWindow, scanner: FakeScannerWatcher
) -> None:
    delivered: list[object] = []
    window.devices.scan_event.connect(delivered.append)
    tap(window, "取号")
    scanner.scan("YY10000002")
    qtbot.waitUntil(lambda: len(delivered) == 1, timeout=WAIT_MS)
    assert window.current_screen_name() == "category"
    assert window.visit.identity is None


def test_real_name_matter_needs_identification_first(
    qtbot: QtBot, window: KioskWindow, card: FakeCardWatcher
) -> None:
    catalog = window.kiosk.catalog
    matter = next(matter for matter in catalog.matters if matter.real_name)
    tap(window, "取号")
    tap(window, catalog.category(matter.category).name.zh)
    window.matter.matter_chosen.emit(matter.code)  # as its row does (row labels vary)
    assert window.current_screen_name() == "identify"
    assert card.watching
    assert window.identify.reason.isVisible()
    assert matter.name.zh in window.identify.reason.text()
    assert not window.identify.skip_button.isVisible()  # real name cannot be skipped

    card.place(senior_identity())
    wait_for_screen(qtbot, window, "route")
    assert [chosen.code for chosen in window.visit.matters] == [matter.code]
    assert window.visit.identity is not None
    assert not card.watching

    tap(window, "首页")
    window.matter.matter_chosen.emit(matter.code)  # the identity went with the visit
    assert window.current_screen_name() == "identify"


def test_skip_where_anonymous_tickets_are_allowed(window: KioskWindow) -> None:
    tap(window, IDENTIFY)
    tap(window, "跳过")
    assert window.current_screen_name() == "category"
    assert window.visit.identity is None
    assert not window.category.for_you.isVisible()


@pytest.mark.settings(identification={"anonymous_tickets": False})
def test_no_skip_and_no_anonymous_ticket_where_the_hall_says_so(
    qtbot: QtBot, window: KioskWindow
) -> None:
    tap(window, "取号")
    assert window.current_screen_name() == "identify"
    assert not window.identify.skip_button.isVisible()
    assert "跳过" not in visible_texts(window)
    tap(window, "输入信用代码")
    type_code(window, B_CREDIT_NO_APPOINTMENT)
    tap(window, "确定")
    wait_for_screen(qtbot, window, "category")


# ---- after identification ---------------------------------------------------------------


def test_greeting_credit_level_and_for_you_after_an_early_appointment(
    qtbot: QtBot, window: KioskWindow
) -> None:
    identify_by_credit_code(qtbot, window, A_CREDIT_EARLY, "checkin")
    shown = visible_texts(window)
    assert "A级纳税人，可享优先服务" in shown
    assert "签到并取号" not in shown  # 10:30 is not yet open at 09:30
    assert any("请于 10:15 后签到" in text for text in shown)
    assert window.visit.appointment is None

    tap(window, "继续取号")
    assert window.current_screen_name() == "category"
    for_you = window.category.for_you
    assert for_you.isVisible()
    shown = visible_texts(window)
    assert "为您推荐" in shown
    assert "A级纳税人，可享优先服务" in shown
    rows = [row.text() for row in for_you.rows]
    vat = window.kiosk.catalog.matter("M0301").name.zh
    assert rows[0] == vat  # the reminder (应办事项) first
    assert "本月增值税尚未申报" in for_you.rows[0].accessibleDescription()
    assert window.kiosk.catalog.matter("M0201").name.zh in rows  # a frequent matter

    tap(window, vat)
    assert window.current_screen_name() == "route"
    assert [matter.code for matter in window.visit.matters] == ["M0301"]
    tap(window, "返回")
    assert window.current_screen_name() == "matter"


def test_masked_identity_only_never_the_whole_number(
    qtbot: QtBot, window: KioskWindow, card: FakeCardWatcher
) -> None:
    tap(window, IDENTIFY)
    card.place(senior_identity())
    wait_for_screen(qtbot, window, "category")
    masked = mask_id_number(SENIOR_NUMBER)
    assert f"您好，测*（{masked}）" in visible_texts(window)
    for language in ("English", "中文"):
        tap(window, language)
        texts = every_text(window)
        assert not [text for text in texts if SENIOR_NUMBER in text]
        assert not [text for text in texts if SENIOR_FIRST17 in text]
        assert not [text for text in texts if "测试乙" in text]


def test_idle_timeout_forgets_the_taxpayer(
    qtbot: QtBot, window: KioskWindow, card: FakeCardWatcher, fake_clock: FakeClock
) -> None:
    identify_by_credit_code(qtbot, window, B_CREDIT_NO_APPOINTMENT, "category")
    assert window.visit.identity is not None
    assert window.category.for_you.isVisible()

    ui = window.kiosk.settings.ui
    fake_clock.advance(ui.inactivity_seconds + ui.countdown_seconds + 1)
    window.check_idle()
    assert window.current_screen_name() == "home"
    assert window.visit.identity is None
    assert window.visit.profile.credit_level is None
    assert window.visit.appointment is None
    assert window.category.for_you.isHidden()
    assert window.category.for_you.rows == []
    assert window.code_entry.pad().typed() == ""
    assert not card.watching
    assert not [text for text in every_text(window) if "92440305" in text]

    tap(window, IDENTIFY)  # the next taxpayer finds a fresh screen
    assert window.identify.problem_shown() is None
    assert not window.identify.busy()


def test_a_profile_arriving_after_the_visit_ended_is_ignored(
    qtbot: QtBot, window: KioskWindow, card: FakeCardWatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    service = window.profiles._worker._service
    original = service.identify

    def slow_identify(identity: Identity) -> TaxpayerProfile:
        release.wait(WAIT_MS / 1000)
        return original(identity)

    monkeypatch.setattr(service, "identify", slow_identify)
    arrived: list[int] = []
    window.profiles.profile_read.connect(lambda request_id, *_: arrived.append(request_id))
    tap(window, IDENTIFY)
    card.place(senior_identity())
    qtbot.waitUntil(window.identify.busy, timeout=WAIT_MS)
    assert not window.identify.credit_code_button.isEnabled()  # one look-up at a time
    tap(window, "首页")
    release.set()
    qtbot.waitUntil(lambda: len(arrived) == 1, timeout=WAIT_MS)
    assert window.current_screen_name() == "home"
    assert window.visit.identity is None
    assert window.visit.profile == UNKNOWN_PROFILE


# ---- the real card reader ---------------------------------------------------------------


@pytest.fixture
def real_reader(demo_kiosk: Kiosk, tmp_path: Path) -> Iterator[SamReaderEmulator]:
    """The pty ID card reader emulator and the real CardWatcher, in place of the fake."""
    emulator = SamReaderEmulator()
    path = emulator.start()
    watcher = CardWatcher(Transport(path, baudrate=115200), lambda: date(2026, 11, 23))
    watcher.start()
    demo_kiosk.card_watcher = watcher
    yield emulator
    watcher.close()
    emulator.stop()


def test_a_card_on_the_emulated_reader_end_to_end(
    real_reader: SamReaderEmulator, window: KioskWindow, qtbot: QtBot
) -> None:
    watcher = window.devices.card_watcher
    assert isinstance(watcher, CardWatcher)
    assert not watcher.watching
    tap(window, IDENTIFY)
    assert watcher.watching

    real_reader.insert("expired")
    qtbot.waitUntil(lambda: window.identify.problem_shown() == CARD_EXPIRED, timeout=WAIT_MS)
    real_reader.remove()
    qtbot.waitUntil(lambda: not watcher.card_present, timeout=WAIT_MS)

    real_reader.insert("long_term")
    wait_for_screen(qtbot, window, "category")
    identity = window.visit.identity
    assert identity is not None
    assert identity.kind is IdentityKind.ID_CARD
    assert identity.key == SENIOR_NUMBER
    assert not watcher.watching
    assert not [text for text in every_text(window) if SENIOR_NUMBER in text]
    assert any(mask_id_number(SENIOR_NUMBER) in text for text in visible_texts(window))
