"""The pages of the technician menu: each a small class over one service of the kiosk.

A page reads what the Kiosk object offers (getattr, so that a service not built yet
shows "未配置 / not configured" instead of failing) and does slow work through Jobs.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from drivers.printer.document import Align, ImageBlock, PrintDocument, QrBlock, RuleBlock, TextBlock
from kiosk.config_store import (
    ConfigRefused,
    ConfigStore,
    FieldSpec,
    SectionSpec,
    check_configuration,
    coerce,
    settings_sections,
    settings_value,
)
from kiosk.device_watchers import CardCheck, CardWatcher, ScannerWatcher
from kiosk.hall.base import Reservation
from kiosk.hall.http import ConnectionTest, HttpHall
from kiosk.hall.link import LinkStatus
from kiosk.identity import CardRefused, CodeProblem
from kiosk.service_windows.keypads import WindowService
from kiosk.taxpayer import Identity, IdentityKind
from kiosk.technician import (
    AuditTrail,
    FollowUpRow,
    TodayReport,
    log_tail,
    masked,
    today_report,
)
from kiosk.text import Language, Text
from kiosk.triage import Route
from ui.technician import texts
from ui.technician.editors import FieldEditor, TextRequest, editor_for, serial_ports, show_value
from ui.technician.jobs import Jobs
from ui.widgets import TextLabel, TouchButton, card_frame, finger_scroll_area

if TYPE_CHECKING:
    from kiosk.app import Kiosk


@dataclass
class MenuContext:
    """What the pages share: the kiosk, its machine file, the audit trail, background jobs."""

    kiosk: Kiosk
    store: ConfigStore
    audit: AuditTrail
    jobs: Jobs
    ask_text: TextRequest
    restart: Callable[[], None]
    leave_kiosk_mode: Callable[[], None]


class Page(QWidget):
    """A titled page whose body scrolls under a finger."""

    key = "page"
    title: Text = Text(zh="", en="")

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.kiosk = context.kiosk
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(16)
        self.heading = TextLabel(self.title, "title")
        outer.addWidget(self.heading)
        self.message = TextLabel("", "subtitle")
        self.message.hide()
        outer.addWidget(self.message)
        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 16, 0)
        self.body.setSpacing(16)
        self.scroll_area = finger_scroll_area(content)
        outer.addWidget(self.scroll_area, 1)
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(16)
        outer.addLayout(self.action_row)

    def refresh(self) -> None:
        """Read the kiosk's state again (called each time the page is shown)."""

    def say(self, message: Text | str) -> None:
        self.message.set_text(message)
        self.message.setVisible(bool(message))

    def clear_body(self) -> None:
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
            elif item is not None and item.layout() is not None:
                _drop_layout(item.layout())

    def add_line(self, text: Text | str, role: str | None = None) -> TextLabel:
        label = TextLabel(text, role)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.body.addWidget(label)
        return label

    def add_button(
        self, label: Text | str, action: Callable[[], object], kind: str = "secondary"
    ) -> TouchButton:
        button = TouchButton(label, kind)
        button.clicked.connect(lambda: action())  # never the clicked(bool) argument
        self.action_row.addWidget(button)
        return button


def _drop_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()
        elif item.layout() is not None:
            _drop_layout(item.layout())


def _lines_of(value: Any) -> list[str]:
    """key: value lines of a status object, secrets masked."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return [f"{key}: {show_value(masked(str(key), item))}" for key, item in value.items()]
    if isinstance(value, list | tuple):
        return [line for item in value for line in (_lines_of(item) or [str(item)])]
    return [str(value)]


# ---- settings ------------------------------------------------------------------------------


def field_title(spec: FieldSpec) -> Text:
    """The field's title in the menu's language, with its dotted key."""
    title = texts.FIELD_TITLES.get(spec.key)
    if title is None:  # a field without a Chinese title (a test catches it): English
        return Text(zh=f"{spec.title}  ({spec.key})", en=f"{spec.title}  ({spec.key})")
    return Text(zh=f"{title.zh}  ({spec.key})", en=f"{title.en}  ({spec.key})")


def field_help(spec: FieldSpec) -> Text | str:
    found = texts.FIELD_HELP.get(spec.key)
    if found is not None:
        return found
    return spec.description or ""


def _language_of(window: QWidget) -> Language:
    """The kiosk window's language (the menu follows it)."""
    language = getattr(getattr(window, "visit", None), "language", "zh")
    return "en" if language == "en" else "zh"


def _retranslate(page: QWidget) -> None:
    from ui.widgets import retranslate_tree

    language = _language_of(page.window())
    retranslate_tree(page, language)


class SettingsPage(Page):
    key = "settings"
    title = texts.PAGE_SETTINGS

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.sections = [s for s in settings_sections() if any(f.editable for f in s.fields)]
        self.section: SectionSpec = self.sections[0]
        self.editors: dict[str, FieldEditor] = {}
        self.section_buttons: dict[str, TouchButton] = {}
        self.save_button = self.add_button(texts.SAVE, self.save, "primary")

    def refresh(self) -> None:
        self.show_section(self.section.name)

    def show_section(self, name: str) -> None:
        self.section = next(s for s in self.sections if s.name == name)
        self.clear_body()
        self.editors = {}
        grid = QGridLayout()
        grid.setSpacing(12)
        self.section_buttons = {}
        for index, section in enumerate(self.sections):
            button = TouchButton(texts.SECTION_NAMES.get(section.name, section.name))
            button.setCheckable(True)
            button.setChecked(section.name == name)
            button.clicked.connect(lambda _=False, n=section.name: self.show_section(n))
            grid.addWidget(button, index // 3, index % 3)
            self.section_buttons[section.name] = button
        self.body.addLayout(grid)
        try:
            settings = self.context.store.settings()
        except Exception:  # a broken machine file: show what the kiosk runs with
            settings = self.kiosk.settings
        for spec in self.section.fields:
            self.body.addWidget(self._field_card(spec, settings_value(settings, spec.key)))
        self.body.addStretch(1)
        self._retranslate()

    def _field_card(self, spec: FieldSpec, value: Any) -> QWidget:
        card = card_frame()
        column = QVBoxLayout(card)
        column.setContentsMargins(24, 16, 24, 16)
        column.setSpacing(8)
        column.addWidget(TextLabel(field_title(spec), "subtitle"))
        help_text = field_help(spec)
        if help_text:
            column.addWidget(TextLabel(help_text, "muted"))
        if spec.limits_text():
            column.addWidget(
                TextLabel(texts.fill(texts.LIMITS, limits=spec.limits_text()), "muted")
            )
        editor = editor_for(spec, value, self.context.ask_text)
        self.editors[spec.key] = editor
        column.addWidget(editor)
        return card

    def _retranslate(self) -> None:
        from ui.widgets import retranslate_tree

        window = self.window()
        language = _language_of(window)
        retranslate_tree(self, language)

    def changes(self) -> dict[str, Any]:
        result = {}
        for key, editor in self.editors.items():
            if editor.is_changed():
                result[key] = editor.value()
        return result

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.say(texts.NOTHING_CHANGED)
            return
        try:
            coerced = {key: coerce(self.editors[key].spec, value) for key, value in changes.items()}
        except ValueError as error:
            self.say(texts.fill(texts.REFUSED, reason=str(error)))
            return
        try:
            saved = self.context.store.save(coerced)
        except ConfigRefused as refused:
            reason = "; ".join(
                f"{problem.key}: {problem.reason}" if problem.key else problem.reason
                for problem in refused.problems
            )
            self.context.audit.record("setting_refused", keys=sorted(coerced), reason=reason)
            self.say(texts.fill(texts.REFUSED, reason=reason))
            return
        except OSError as error:
            self.say(texts.fill(texts.REFUSED, reason=str(error)))
            return
        for change in saved:
            self.context.audit.changed(change.key, change.old, change.new)
        self.say(texts.fill(texts.SAVED, count=len(saved)))
        self.show_section(self.section.name)


# ---- devices ---------------------------------------------------------------------------------


def _test_document() -> PrintDocument:
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    return PrintDocument(
        (
            TextBlock("打印测试 / Test print", Align.CENTER, 2, 2),
            RuleBlock(),
            TextBlock(stamp, Align.CENTER),
            TextBlock("0123456789 ABCDEF 中文字符", Align.CENTER),
        )
    )


def _hhmmss(moment: datetime | None) -> Text | str:
    return texts.NEVER if moment is None else moment.strftime("%m-%d %H:%M:%S")


def _masked_code(identity: Identity) -> str:
    """What a screen may show of a scanned code: credit codes come masked already; an
    appointment code keeps its prefix and last two digits."""
    shown = identity.masked
    if identity.kind is IdentityKind.APPOINTMENT_CODE and len(shown) > 6:
        shown = shown[:4] + "*" * (len(shown) - 6) + shown[-2:]
    return shown


class _Waiter:
    """One result from a device thread's listener, waited for on a job's thread;
    `cancel()` (the menu closing) ends the wait with no result."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: object = None

    def __call__(self, result: object) -> None:
        if not self.done.is_set():
            self.result = result
            self.done.set()

    def cancel(self) -> None:
        self.done.set()


def read_one_card(
    watcher: CardWatcher, seconds: float, waiter: _Waiter | None = None
) -> tuple[object, CardCheck | None]:
    """Watch the reader for one card, then give the reader back as it was (its
    listener, and whether a screen was watching). (None, None) when no card came."""
    waiter = waiter or _Waiter()
    previous, was_watching = watcher.listener, watcher.watching
    watcher.last_check = None
    watcher.set_listener(waiter)
    try:
        watcher.start()
        watcher.start_watching()
        waiter.done.wait(seconds)
    finally:
        if not was_watching:
            watcher.stop_watching()
        watcher.set_listener(previous)
    if waiter.result is None:
        return None, None
    return waiter.result, watcher.last_check


def scan_one_code(watcher: ScannerWatcher, seconds: float, waiter: _Waiter | None = None) -> object:
    """The next code the scanner reads (None when none came); the listener put back."""
    waiter = waiter or _Waiter()
    previous = watcher.listener
    watcher.set_listener(waiter)
    try:
        watcher.start()
        waiter.done.wait(seconds)
    finally:
        watcher.set_listener(previous)
    return waiter.result


def card_outcome(result: object, check: CardCheck | None) -> list[Text]:
    """The read test's lines: type, masked number, check digit, dates; never a name."""
    lines: list[Text] = []
    if check is not None:
        lines.append(
            texts.fill(
                texts.READ_CARD_OK,
                kind=texts.CARD_KINDS.get(check.card_type, check.card_type),
                number=check.masked_number,
                check=texts.CHECK_OK if check.check_digit_ok else texts.CHECK_BAD,
                valid=texts.LONG_TERM if check.valid_to is None else check.valid_to.isoformat(),
                dates=texts.DATES_EXPIRED if check.expired else texts.DATES_OK,
            )
        )
    if isinstance(result, CardRefused):
        lines.append(texts.fill(texts.READ_CARD_REFUSED, reason=result.message))
    return lines


class DevicesPage(Page):
    """One block per device: port, online or not, last error; a test for each."""

    key = "devices"
    title = texts.PAGE_DEVICES
    READ_SECONDS = 15.0
    SCAN_SECONDS = 15.0

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.add_button(texts.REFRESH, self.refresh)
        self.results: dict[str, list[Text]] = {}  # device -> the last test's lines
        self.busy: set[str] = set()
        self.buttons: dict[str, TouchButton] = {}
        self.waiters: list[_Waiter] = []  # device tests waiting now

    def hideEvent(self, event: QHideEvent) -> None:  # Qt override
        """The menu closed or another page was chosen: stop waiting for cards and codes."""
        for waiter in self.waiters:
            waiter.cancel()
        self.waiters = []
        super().hideEvent(event)

    # ---- the blocks ------------------------------------------------------------------

    def refresh(self) -> None:
        self.clear_body()
        self.buttons = {}
        self._printer_block()
        self._reader_block()
        self._scanner_block()
        self._keypads_block()
        self.add_line(texts.SERIAL_PORTS, "subtitle")
        ports = serial_ports()
        self.add_line(", ".join(ports) if ports else texts.NO_PORTS, "muted")
        self.body.addStretch(1)
        _retranslate(self)

    def _block(self, title: Text) -> QVBoxLayout:
        card = card_frame()
        column = QVBoxLayout(card)
        column.setContentsMargins(24, 16, 24, 16)
        column.setSpacing(8)
        column.addWidget(TextLabel(title, "subtitle"))
        self.body.addWidget(card)
        return column

    def _actions(
        self, column: QVBoxLayout, device: str, section: str, tests: list[tuple[Text, Any]]
    ) -> None:
        for line in self.results.get(device, []):
            column.addWidget(TextLabel(line, "muted"))
        row = QHBoxLayout()
        row.setSpacing(12)
        for label, action in tests:
            button = TouchButton(label)
            button.clicked.connect(action)
            button.setEnabled(device not in self.busy)
            self.buttons[label.zh] = button
            row.addWidget(button)
        settings = TouchButton(texts.fill(texts.CHOOSE_PORT, device=texts.DEVICE_NAMES[device]))
        settings.clicked.connect(lambda _=False: self.open_settings(section))
        row.addWidget(settings)
        row.addStretch(1)
        column.addLayout(row)

    def _printer_block(self) -> None:
        column = self._block(texts.PRINTER)
        printer = getattr(self.kiosk, "printer", None)
        if printer is None:
            column.addWidget(TextLabel(texts.NOT_CONFIGURED))
            self._actions(column, "printer", "printer", [])
            return
        report = printer.health.report
        condition = report.status.condition.value
        column.addWidget(TextLabel(texts.fill(texts.PORT, port=printer.transport.url)))
        column.addWidget(
            TextLabel(
                f"{self.kiosk.settings.printer.profile} · {self.kiosk.settings.printer.baudrate}"
            )
        )
        state = texts.PRINTER_STATES.get(condition, condition)
        column.addWidget(
            TextLabel(
                texts.fill(
                    texts.PRINTER_STATE, state=state, since=report.since.strftime("%H:%M:%S")
                )
            )
        )
        detail = getattr(report.status, "detail", "") or ""
        column.addWidget(TextLabel(texts.fill(texts.LAST_ERROR, error=detail or texts.NONE)))
        self._actions(column, "printer", "printer", [(texts.TEST_PRINT, self.test_print)])

    def _reader_block(self) -> None:
        column = self._block(texts.CARD_READER)
        watcher: CardWatcher | None = getattr(self.kiosk, "card_watcher", None)
        if watcher is None:
            column.addWidget(TextLabel(texts.NOT_CONFIGURED))
            self._actions(column, "reader", "identification", [])
            return
        column.addWidget(TextLabel(texts.fill(texts.PORT, port=watcher.port)))
        state = watcher.status.value
        column.addWidget(
            TextLabel(texts.fill(texts.DEVICE_STATE, state=texts.READER_STATES.get(state, state)))
        )
        column.addWidget(TextLabel(texts.fill(texts.SAM_ID, sam=watcher.sam_id or texts.NOT_READ)))
        column.addWidget(
            TextLabel(texts.fill(texts.LAST_ERROR, error=watcher.last_error or texts.NONE))
        )
        self._actions(column, "reader", "identification", [(texts.READ_CARD, self.read_card)])

    def _scanner_block(self) -> None:
        column = self._block(texts.SCANNER)
        watcher: ScannerWatcher | None = getattr(self.kiosk, "scanner_watcher", None)
        if watcher is None:
            column.addWidget(TextLabel(texts.NOT_CONFIGURED))
            self._actions(column, "scanner", "identification", [])
            return
        column.addWidget(TextLabel(texts.fill(texts.PORT, port=watcher.port)))
        state = watcher.status.value
        column.addWidget(
            TextLabel(texts.fill(texts.DEVICE_STATE, state=texts.READER_STATES.get(state, state)))
        )
        column.addWidget(
            TextLabel(texts.fill(texts.LAST_ERROR, error=watcher.last_error or texts.NONE))
        )
        column.addWidget(TextLabel(texts.fill(texts.CODES_READ, count=watcher.codes_read)))
        self._actions(column, "scanner", "identification", [(texts.SCAN_TEST, self.scan_test)])

    def _keypads_block(self) -> None:
        column = self._block(texts.KEYPADS)
        windows: WindowService | None = getattr(self.kiosk, "windows", None)
        if windows is None:
            column.addWidget(TextLabel(texts.NOT_CONFIGURED))
            self._actions(column, "keypads", "keypads", [])
            return
        column.addWidget(TextLabel(texts.fill(texts.PORT, port=windows.port or "—")))
        try:
            states = windows.status()
        except Exception as error:  # a broken bus must not break the page
            column.addWidget(TextLabel(texts.fill(texts.LAST_ERROR, error=str(error))))
            states = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        headers = texts.KEYPAD_COLUMNS
        for col, header in enumerate(headers):
            title = TextLabel(header, "muted")
            title.setWordWrap(False)
            grid.addWidget(title, 0, col)
        for row, state in enumerate(states, start=1):
            seen: Text | str = (
                texts.NEVER if state.last_seen is None else state.last_seen.strftime("%H:%M:%S")
            )
            cells: list[Text | str] = [
                f"{state.address} / {state.window}",
                texts.ONLINE if state.online else texts.OFFLINE,
                seen,
                state.info or "—",
                texts.KEY_FAULT if state.key_fault else texts.NO_FAULT,
            ]
            for col, cell in enumerate(cells):
                label = TextLabel(cell, "notice" if col == 1 and not state.online else None)
                label.setWordWrap(col == 3)
                label.setObjectName(f"keypad-{state.address}-{col}")
                grid.addWidget(label, row, col)
        grid.setColumnStretch(3, 1)
        column.addLayout(grid)
        self._actions(column, "keypads", "keypads", [(texts.SCAN_BUS, self.scan_bus)])

    # ---- navigation --------------------------------------------------------------------

    def open_settings(self, section: str) -> None:
        """The Settings page's section for this device (port, baud, profile)."""
        menu: Any = self.parentWidget()
        while menu is not None and not hasattr(menu, "show_page"):
            menu = menu.parentWidget()
        if menu is None:
            return
        settings = menu.page("settings")
        if isinstance(settings, SettingsPage):
            settings.section = next(
                (s for s in settings.sections if s.name == section), settings.section
            )
        menu.show_page("settings")

    # ---- tests -------------------------------------------------------------------------

    def _start(self, device: str, message: Text, action: str) -> None:
        self.busy.add(device)
        self.results[device] = [message]
        self.context.audit.record(action)
        self.say(message)
        self.refresh()

    def _finish(self, device: str, lines: list[Text]) -> None:
        self.waiters = [waiter for waiter in self.waiters if not waiter.done.is_set()]
        self.busy.discard(device)
        self.results[device] = lines
        self.say(lines[0] if lines else "")
        self.refresh()

    def test_print(self) -> None:
        printer = getattr(self.kiosk, "printer", None)
        if printer is None or "printer" in self.busy:
            return
        self._start("printer", texts.TEST_PRINTING, "test_print")
        self.context.jobs.run(lambda: printer.print_slip(_test_document()), self._printed)

    def _printed(self, result: object, error: BaseException | None) -> None:
        if error is None:
            self._finish("printer", [texts.TEST_PRINTED])
        else:
            self._finish("printer", [texts.fill(texts.TEST_FAILED, reason=str(error))])

    def read_card(self) -> None:
        watcher: CardWatcher | None = getattr(self.kiosk, "card_watcher", None)
        if watcher is None or "reader" in self.busy:
            return
        seconds = self.READ_SECONDS
        self._start("reader", texts.fill(texts.READ_CARD_WAIT, seconds=f"{seconds:g}"), "card_test")
        waiter = _Waiter()
        self.waiters.append(waiter)
        self.context.jobs.run(lambda: read_one_card(watcher, seconds, waiter), self._card_read)

    def _card_read(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self._finish("reader", [texts.fill(texts.LAST_ERROR, error=str(error))])
            return
        card, check = result
        if card is None:
            seconds = f"{self.READ_SECONDS:g}"
            self.context.audit.record("card_test_result", outcome="no card")
            self._finish("reader", [texts.fill(texts.READ_CARD_NONE, seconds=seconds)])
            return
        outcome = "refused" if isinstance(card, CardRefused) else "read"
        self.context.audit.record("card_test_result", outcome=outcome)
        self._finish("reader", card_outcome(card, check))

    def scan_test(self) -> None:
        watcher: ScannerWatcher | None = getattr(self.kiosk, "scanner_watcher", None)
        if watcher is None or "scanner" in self.busy:
            return
        seconds = self.SCAN_SECONDS
        self._start("scanner", texts.fill(texts.SCAN_WAIT, seconds=f"{seconds:g}"), "scan_test")
        waiter = _Waiter()
        self.waiters.append(waiter)
        self.context.jobs.run(lambda: scan_one_code(watcher, seconds, waiter), self._scanned)

    def _scanned(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self._finish("scanner", [texts.fill(texts.LAST_ERROR, error=str(error))])
        elif result is None:
            self.context.audit.record("scan_test_result", outcome="nothing")
            seconds = f"{self.SCAN_SECONDS:g}"
            self._finish("scanner", [texts.fill(texts.SCAN_NONE, seconds=seconds)])
        elif isinstance(result, Identity):
            self.context.audit.record("scan_test_result", outcome=result.kind.value)
            kind = texts.CODE_KINDS.get(result.kind.value, result.kind.value)
            self._finish(
                "scanner", [texts.fill(texts.SCAN_OK, kind=kind, code=_masked_code(result))]
            )
        elif isinstance(result, CodeProblem):
            self.context.audit.record("scan_test_result", outcome="problem")
            self._finish("scanner", [texts.fill(texts.SCAN_PROBLEM, reason=result.message)])

    def scan_bus(self) -> None:
        windows: WindowService | None = getattr(self.kiosk, "windows", None)
        if windows is None or "keypads" in self.busy:
            return
        self._start("keypads", texts.SCANNING_BUS, "keypad_scan")
        self.context.jobs.run(windows.scan, self._bus_scanned)

    def _bus_scanned(self, result: Any, error: BaseException | None) -> None:
        if error is not None or not isinstance(result, dict):
            self._finish("keypads", [texts.fill(texts.BUS_FAILED, reason=str(error))])
            return
        self.context.audit.record(
            "keypad_scan_result", answered=sum(1 for info in result.values() if info)
        )
        silent = [address for address, info in sorted(result.items()) if not info]
        silent_text: Text | str = (
            texts.fill(
                texts.BUS_SILENT_LIST,
                addresses=Text(
                    zh="、".join(f"{address}号" for address in silent),
                    en=", ".join(f"#{address}" for address in silent),
                ),
            )
            if silent
            else ""
        )
        summary = texts.fill(
            texts.BUS_FOUND,
            answered=len(result) - len(silent),
            total=len(result),
            silent=silent_text,
        )
        self._finish("keypads", [summary])


# ---- hall link -------------------------------------------------------------------------------


def masked_token(token: str) -> Text | str:
    """A token's last four characters only."""
    if not token:
        return texts.NO_TOKEN
    return "••••" + token[-4:] if len(token) > 8 else "••••"


class HallLinkPage(Page):
    key = "hall"
    title = texts.PAGE_HALL

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.test_button = self.add_button(texts.TEST_CONNECTION, self.test_connection)
        self.add_button(texts.REFRESH, self.refresh)
        self.last_test: Text | None = None

    def refresh(self) -> None:
        self.clear_body()
        kiosk = self.kiosk
        hall_settings = kiosk.settings.hall
        self.add_line(texts.fill(texts.BACKEND, backend=hall_settings.backend), "subtitle")
        hall = kiosk.hall
        self.test_button.setEnabled(isinstance(hall, HttpHall))
        if not isinstance(hall, HttpHall):
            self.add_line(texts.EMBEDDED_HALL)
        else:
            self.add_line(texts.fill(texts.HALL_URL, url=hall_settings.url or "—"))
            self.add_line(texts.fill(texts.HALL_TOKEN, token=masked_token(hall_settings.token)))
            status: LinkStatus | None = None
            try:
                status = kiosk.hall_link_status()
            except Exception as error:
                self.add_line(texts.fill(texts.LAST_ERROR, error=str(error)))
            if status is not None:
                if status.online:
                    self.add_line(texts.fill(texts.LINK_ONLINE, at=_hhmmss(status.last_contact)))
                else:
                    self.add_line(
                        texts.fill(
                            texts.LINK_OFFLINE,
                            since=_hhmmss(status.offline_since),
                            reason=status.last_error or "—",
                        )
                    )
            sync = getattr(kiosk, "sync", None)
            synced = getattr(sync, "last_synced_at", None)
            self.add_line(
                texts.fill(
                    texts.LAST_SYNC,
                    at=texts.NEVER_SYNCED if synced is None else _hhmmss(synced),
                )
            )
            offset = hall.clock.offset_seconds
            self.add_line(texts.fill(texts.CLOCK_OFFSET, seconds=f"{offset:+.1f}"))
        self.add_line(texts.fill(texts.OUTBOX, count=kiosk.journal.pending_outbox()))
        self.add_line(texts.fill(texts.REFUSED_RECORDS, count=len(kiosk.journal.refused_outbox())))
        if self.last_test is not None:
            self.add_line(self.last_test, "subtitle")
        self.body.addStretch(1)
        _retranslate(self)

    def test_connection(self) -> None:
        hall = self.kiosk.hall
        if not isinstance(hall, HttpHall):
            return
        self.test_button.setEnabled(False)
        self.say(texts.TESTING_CONNECTION)
        self.context.audit.record("hall_test")
        self.context.jobs.run(hall.test_connection, self._tested)

    def _tested(self, result: Any, error: BaseException | None) -> None:
        self.test_button.setEnabled(True)
        if error is not None or not isinstance(result, ConnectionTest):
            shown = texts.fill(texts.CONNECTION_FAILED, reason=str(error))
        elif result.ok:
            server_time = result.server_time
            shown = texts.fill(
                texts.CONNECTION_OK,
                ms=f"{result.round_trip_ms:.0f}",
                time="—" if server_time is None else server_time.isoformat(timespec="seconds"),
                client=result.client_id or "—",
            )
        else:
            shown = texts.fill(texts.CONNECTION_FAILED, reason=result.reason or "—")
        self.context.audit.record(
            "hall_test_result",
            ok=bool(getattr(result, "ok", False)),
            ms=getattr(result, "round_trip_ms", None),
        )
        self.last_test = shown
        self.say(shown)
        self.refresh()


# ---- catalog and rules -----------------------------------------------------------------------


def preview_lines(kiosk: Kiosk) -> list[str]:
    """The sample ticket's text, block by block (images and codes as placeholders)."""
    settings = kiosk.settings
    catalog = kiosk.catalog
    queue = settings.queues[0]
    matters = tuple(catalog.matters[:1])
    now = kiosk.clock.now()
    reservation = Reservation("preview", f"{queue.prefix}001", queue.code, now.date(), now, 3, 12)
    route = Route(queue, matters, (), False)
    from kiosk.tickets import required_documents

    documents = required_documents(matters, catalog)
    document = kiosk.tickets.ticket_document(
        reservation, route, documents, "https://example.invalid/t", settings.kiosk.language
    )
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, TextBlock):
            lines.append(block.text)
        elif isinstance(block, RuleBlock):
            lines.append("-" * 24)
        elif isinstance(block, QrBlock):
            lines.append("[QR]")
        elif isinstance(block, ImageBlock):
            lines.append("[logo]")
        else:
            lines.append("")
    return lines


class CatalogPage(Page):
    key = "catalog"
    title = texts.PAGE_CATALOG

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.validate_button = self.add_button(texts.VALIDATE, self.validate)
        self.add_button(texts.RELOAD, self.reload)

    def refresh(self) -> None:
        self.clear_body()
        catalog = self.kiosk.catalog
        self.add_line(
            texts.fill(texts.CATALOG_VERSION, version=catalog.version, count=len(catalog.matters))
        )
        self.add_line(texts.PREVIEW, "subtitle")
        try:
            lines = preview_lines(self.kiosk)
        except Exception as error:
            lines = [str(error)]
        preview = TextLabel("\n".join(lines), "muted")
        preview.setProperty("role", "muted")
        self.body.addWidget(preview)
        self.body.addStretch(1)

    def _machine_file(self) -> Path | None:
        file = self.context.store.machine_file
        return file if file.exists() else None

    def validate(self) -> None:
        self.validate_button.setEnabled(False)
        machine = self._machine_file()
        self.context.jobs.run(lambda: check_configuration(machine), self._validated)

    def _validated(self, result: Any, error: BaseException | None) -> None:
        self.validate_button.setEnabled(True)
        if error is not None:
            self.say(texts.fill(texts.INVALID, problems=str(error)))
        elif result.ok:
            self.say(texts.fill(texts.VALID, version=result.catalog_version))
        else:
            self.say(texts.fill(texts.INVALID, problems="; ".join(result.problems)))

    def reload(self) -> None:
        """Read the catalog and rules again (with a hall server: ask it for its version);
        a valid version applies between visits, no restart; a broken one changes nothing."""
        self.context.audit.record("catalog_reload", catalog=self.kiosk.catalog.version)
        self.context.jobs.run(self.kiosk.reload_catalog_from_files, self._reloaded)

    def _reloaded(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.say(texts.fill(texts.INVALID, problems=str(error)))
        elif result:
            self.say(texts.fill(texts.INVALID, problems="; ".join(str(p) for p in result)))
        else:
            self.say(texts.RELOADED)


# ---- today -------------------------------------------------------------------------------------


def _report_of(kiosk: Kiosk) -> TodayReport:
    zone = ZoneInfo(kiosk.settings.kiosk.timezone)
    day = kiosk.hall.business_day().isoformat()

    def local_day(at: str) -> str:
        return datetime.fromisoformat(at).astimezone(zone).date().isoformat()

    return today_report(kiosk.journal, day, local_day)


def usb_export_dirs() -> list[Path]:
    """Mounted removable media (a USB stick) a technician can take the CSV away on."""
    found = glob.glob("/media/*/*") + glob.glob("/run/media/*/*")
    return [Path(path) for path in sorted(found) if Path(path).is_dir()]


def write_csv(report: TodayReport, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"today-{report.day}.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(report.csv_rows())
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")  # a BOM: Excel reads it as UTF-8
    return path


class TodayPage(Page):
    key = "today"
    title = texts.PAGE_TODAY

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.report: TodayReport | None = None
        self.export_button = self.add_button(texts.EXPORT, self.export)
        self.usb_button = self.add_button(texts.EXPORT_TO, self.export_usb)
        self.add_button(texts.REFRESH, self.refresh)

    def refresh(self) -> None:
        self.context.jobs.run(lambda: _report_of(self.kiosk), self._show_report)

    def _show_report(self, report: Any, error: BaseException | None) -> None:
        self.clear_body()
        if error is not None or not isinstance(report, TodayReport):
            self.add_line(str(error))
            return
        self.report = report
        queues = ", ".join(f"{q} {n}" for q, n in report.tickets_by_queue.items()) or "0"
        self.add_line(texts.fill(texts.TICKETS_BY_QUEUE, lines=queues))
        wait = (
            "—" if report.average_expected_wait is None else f"{report.average_expected_wait:.1f}"
        )
        self.add_line(texts.fill(texts.AVERAGE_WAIT, minutes=wait))
        self._evaluations(report)
        self._follow_ups(report)
        self.body.addStretch(1)
        self.usb_button.setEnabled(bool(usb_export_dirs()))
        _retranslate(self)

    def _evaluations(self, report: TodayReport) -> None:
        self.add_line(texts.EVALUATION_TITLE, "subtitle")
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        for row, level in enumerate(("1", "2", "3", "4", "5", "none")):
            name = TextLabel(texts.LEVEL_NAMES[level])
            count = TextLabel(str(report.evaluations_by_level.get(level, 0)))
            count.setObjectName(f"evaluations-{level}")
            grid.addWidget(name, row, 0)
            grid.addWidget(count, row, 1)
        grid.setColumnStretch(2, 1)
        self.body.addLayout(grid)

    def _follow_ups(self, report: TodayReport) -> None:
        self.add_line(texts.FOLLOW_UP_TITLE, "subtitle")
        if not report.follow_ups:
            self.add_line(texts.NO_FOLLOW_UPS, "muted")
            return
        today = self.kiosk.hall.business_day().isoformat()
        for follow_up in sorted(report.follow_ups, key=lambda f: f.deadline):
            number = follow_up.ticket_number or "—"
            overdue = bool(follow_up.deadline) and follow_up.deadline < today
            row = QHBoxLayout()
            row.setSpacing(12)
            line = TextLabel(
                texts.fill(
                    texts.FOLLOW_UP_ROW,
                    number=number,
                    window=follow_up.window,
                    level=texts.LEVEL_NAMES.get(str(follow_up.level), str(follow_up.level)),
                    deadline=follow_up.deadline,
                    overdue=texts.OVERDUE if overdue else "",
                ),
                "notice" if overdue else None,
            )
            row.addWidget(line, 1)
            if follow_up.evaluation_id:
                close = TouchButton(texts.fill(texts.CLOSE_FOLLOW_UP_OF, number=number))
                close.clicked.connect(lambda _=False, f=follow_up: self.ask_note(f))
                row.addWidget(close)
            self.body.addLayout(row)

    def ask_note(self, follow_up: FollowUpRow) -> None:
        """A preset note (no keyboard needed), or Cancel."""
        number = follow_up.ticket_number or "—"
        self.clear_body()
        self.add_line(texts.fill(texts.CLOSE_NOTE, number=number), "subtitle")
        for note in texts.CLOSE_NOTES:
            button = TouchButton(note)
            button.clicked.connect(lambda _=False, n=note: self.close_follow_up(follow_up, n))
            self.body.addWidget(button)
        cancel = TouchButton(texts.CANCEL)
        cancel.clicked.connect(self.refresh)
        self.body.addWidget(cancel)
        self.body.addStretch(1)
        _retranslate(self)

    def close_follow_up(self, follow_up: FollowUpRow, note: Text) -> None:
        kiosk = self.kiosk
        number = follow_up.ticket_number or "—"
        evaluation_id = follow_up.evaluation_id
        text = f"{note.zh} / {note.en}"

        def work() -> None:
            windows = getattr(kiosk, "windows", None)
            if windows is not None:
                windows.close_follow_up(evaluation_id, text)
            else:  # no keypads now: the journal takes it all the same (and sends it on)
                kiosk.journal.record(
                    "follow_up.closed", {"evaluation_id": evaluation_id, "note": text}
                )

        self.context.audit.record(
            "follow_up_closed", evaluation_id=evaluation_id, number=number, note=note.en
        )

        def done(result: object, error: BaseException | None) -> None:
            self.say(
                texts.fill(texts.FOLLOW_UP_CLOSED, number=number)
                if error is None
                else texts.fill(texts.FOLLOW_UP_FAILED, reason=str(error))
            )
            self.refresh()

        self.context.jobs.run(work, done)

    def export(self, directory: Path | None = None) -> Path | None:
        if self.report is None:
            self.report = _report_of(self.kiosk)
        target = directory or (self.kiosk.settings.data_path / "exports")
        try:
            path = write_csv(self.report, target)
        except OSError as error:
            self.say(texts.fill(texts.EXPORT_FAILED, reason=str(error)))
            return None
        self.context.audit.record("exported", file=path.name)
        self.say(texts.fill(texts.EXPORTED, path=str(path)))
        return path

    def export_usb(self) -> None:
        targets = usb_export_dirs()
        if targets:
            self.export(targets[0])


# ---- tickets -----------------------------------------------------------------------------------


class TicketsPage(Page):
    key = "tickets"
    title = texts.PAGE_TICKETS

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.rows: dict[str, tuple[str, str]] = {}  # number -> (ticket id, status)
        self.add_button(texts.REFRESH, self.refresh)

    def refresh(self) -> None:
        self.context.jobs.run(lambda: _report_of(self.kiosk), self._show)

    def _show(self, report: Any, error: BaseException | None) -> None:
        self.clear_body()
        if error is not None or not isinstance(report, TodayReport):
            self.add_line(str(error))
            return
        if not report.tickets:
            self.add_line(texts.NO_TICKETS)
        self.rows = {}
        for ticket in reversed(report.tickets):
            self.rows[ticket.number] = (ticket.ticket_id, ticket.status)
            row = QHBoxLayout()
            row.setSpacing(12)
            row.addWidget(TextLabel(f"{ticket.number}  {ticket.queue}  {ticket.status}"), 1)
            if ticket.status != "voided":
                reprint = TouchButton(texts.fill(texts.REPRINT, number=ticket.number))
                reprint.clicked.connect(lambda _=False, n=ticket.number: self.reprint(n))
                void = TouchButton(texts.fill(texts.VOID, number=ticket.number))
                void.clicked.connect(lambda _=False, n=ticket.number: self.ask_void(n))
                row.addWidget(reprint)
                row.addWidget(void)
            self.body.addLayout(row)
        self.body.addStretch(1)
        self._retranslate()

    def _retranslate(self) -> None:
        from ui.widgets import retranslate_tree

        language = _language_of(self.window())
        retranslate_tree(self, language)

    def reprint(self, number: str) -> None:
        self.context.audit.record("reprint", number=number)
        self.context.jobs.run(
            lambda: self.kiosk.tickets.reprint(number),
            lambda result, error: self.say(
                texts.fill(texts.REPRINTED, number=number)
                if error is None
                else texts.fill(texts.REPRINT_FAILED, reason=str(error))
            ),
        )

    def ask_void(self, number: str) -> None:
        self.clear_body()
        self.add_line(texts.fill(texts.VOID_REASON, number=number), "subtitle")
        for reason in texts.VOID_REASONS:
            button = TouchButton(reason)
            button.clicked.connect(lambda _=False, r=reason: self.void(number, r.en))
            self.body.addWidget(button)
        cancel = TouchButton(texts.CANCEL)
        cancel.clicked.connect(self.refresh)
        self.body.addWidget(cancel)
        self.body.addStretch(1)
        self._retranslate()

    def void(self, number: str, reason: str) -> None:
        ticket_id, _status = self.rows[number]

        def work() -> None:
            self.kiosk.hall.void(ticket_id, reason)
            self.kiosk.journal.record(
                "ticket.voided", {"number": number, "reason": f"technician: {reason}"}, ticket_id
            )

        self.context.audit.record("void", number=number, reason=reason)

        def done(result: object, error: BaseException | None) -> None:
            self.say(
                texts.fill(texts.VOIDED, number=number)
                if error is None
                else texts.fill(texts.VOID_FAILED, reason=str(error))
            )
            self.refresh()

        self.context.jobs.run(work, done)


# ---- logs, audit, system -------------------------------------------------------------------


class LogsPage(Page):
    key = "logs"
    title = texts.PAGE_LOGS

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.add_button(texts.REFRESH, self.refresh)

    def refresh(self) -> None:
        self.clear_body()
        lines = log_tail().lines(200)
        label = TextLabel("\n".join(reversed(lines)) if lines else texts.NO_LINES, "muted")
        self.body.addWidget(label)
        self.body.addStretch(1)


class AuditPage(Page):
    key = "audit"
    title = texts.PAGE_AUDIT

    def refresh(self) -> None:
        self.context.jobs.run(lambda: self.context.audit.records(100), self._show)

    def _show(self, records: Any, error: BaseException | None) -> None:
        self.clear_body()
        if error is not None:
            self.add_line(str(error))
            return
        for record in reversed(records or []):
            what = (
                f" {record.key}: {show_value(record.old)} → {show_value(record.new)}"
                if record.key
                else ""
            )
            extra = f" {json.dumps(record.details, ensure_ascii=False)}" if record.details else ""
            self.add_line(f"{record.at[:19]} {record.who} {record.action}{what}{extra}", "muted")
        if not records:
            self.add_line(texts.NO_LINES)
        self.body.addStretch(1)


class SystemPage(Page):
    key = "system"
    title = texts.PAGE_SYSTEM

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.add_line(texts.SYSTEM_NOTE)
        self.restart_button = TouchButton(texts.RESTART)
        self.restart_button.clicked.connect(self.context.restart)
        self.leave_button = TouchButton(texts.LEAVE_KIOSK)
        self.leave_button.clicked.connect(self.context.leave_kiosk_mode)
        self.body.addWidget(self.restart_button)
        self.body.addWidget(self.leave_button)
        self.body.addStretch(1)


PAGE_CLASSES: tuple[type[Page], ...] = (
    SettingsPage,
    DevicesPage,
    HallLinkPage,
    CatalogPage,
    TodayPage,
    TicketsPage,
    LogsPage,
    AuditPage,
    SystemPage,
)
