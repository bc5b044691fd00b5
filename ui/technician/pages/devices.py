"""The Devices page: one block per device (port, state, last error) and a test for each."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.identity import CardRefused, CodeProblem
from kiosk.taxpayer import Identity
from kiosk.text import Text, text
from ui.technician import texts
from ui.technician.editors import serial_ports
from ui.technician.pages.base import MenuContext, Page
from ui.technician.pages.device_tests import (
    Waiter,
    card_outcome,
    masked_code,
    read_one_card,
    sample_slip,
    scan_one_code,
)
from ui.texts import joined
from ui.widgets import TextLabel, TouchButton, card_frame


class DevicesPage(Page):
    """One block per device: port, online or not, last error; a test for each."""

    key = "devices"
    settings_requested = Signal(str)  # a settings section: the menu shows it
    READ_SECONDS = 15.0
    SCAN_SECONDS = 15.0

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.add_button(texts.REFRESH, self.refresh)
        self.results: dict[str, list[Text]] = {}  # device -> the last test's lines
        self.busy: set[str] = set()
        self.buttons: dict[str, TouchButton] = {}
        self.waiters: list[Waiter] = []  # device tests waiting now

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
        self.follow_language()

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
        printer = self.kiosk.printer
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
        detail = report.status.detail
        column.addWidget(TextLabel(texts.fill(texts.LAST_ERROR, error=detail or texts.NONE)))
        self._actions(column, "printer", "printer", [(texts.TEST_PRINT, self.test_print)])

    def _reader_block(self) -> None:
        column = self._block(texts.CARD_READER)
        watcher = self.kiosk.card_watcher
        if watcher is None:
            column.addWidget(TextLabel(texts.NOT_CONFIGURED))
            self._actions(column, "reader", "identification", [])
            return
        _port_and_state(column, watcher.port, watcher.status.value)
        column.addWidget(TextLabel(texts.fill(texts.SAM_ID, sam=watcher.sam_id or texts.NOT_READ)))
        column.addWidget(
            TextLabel(texts.fill(texts.LAST_ERROR, error=watcher.last_error or texts.NONE))
        )
        self._actions(column, "reader", "identification", [(texts.READ_CARD, self.read_card)])

    def _scanner_block(self) -> None:
        column = self._block(texts.SCANNER)
        watcher = self.kiosk.scanner_watcher
        if watcher is None:
            column.addWidget(TextLabel(texts.NOT_CONFIGURED))
            self._actions(column, "scanner", "identification", [])
            return
        _port_and_state(column, watcher.port, watcher.status.value)
        column.addWidget(
            TextLabel(texts.fill(texts.LAST_ERROR, error=watcher.last_error or texts.NONE))
        )
        column.addWidget(TextLabel(texts.fill(texts.CODES_READ, count=watcher.codes_read)))
        self._actions(column, "scanner", "identification", [(texts.SCAN_TEST, self.scan_test)])

    def _keypads_block(self) -> None:
        column = self._block(texts.KEYPADS)
        windows = self.kiosk.windows
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
        """Ask the menu for the Settings page's section of this device (port, baud, profile)."""
        self.settings_requested.emit(section)

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
        printer = self.kiosk.printer
        if printer is None or "printer" in self.busy:
            return
        self._start("printer", texts.TEST_PRINTING, "test_print")
        self.context.jobs.run(lambda: printer.print_slip(sample_slip()), self._printed)

    def _printed(self, result: object, error: BaseException | None) -> None:
        if error is None:
            self._finish("printer", [texts.TEST_PRINTED])
        else:
            self._finish("printer", [texts.fill(texts.TEST_FAILED, reason=str(error))])

    def read_card(self) -> None:
        watcher = self.kiosk.card_watcher
        if watcher is None or "reader" in self.busy:
            return
        seconds = self.READ_SECONDS
        self._start("reader", texts.fill(texts.READ_CARD_WAIT, seconds=f"{seconds:g}"), "card_test")
        waiter = Waiter()
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
        watcher = self.kiosk.scanner_watcher
        if watcher is None or "scanner" in self.busy:
            return
        seconds = self.SCAN_SECONDS
        self._start("scanner", texts.fill(texts.SCAN_WAIT, seconds=f"{seconds:g}"), "scan_test")
        waiter = Waiter()
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
                "scanner", [texts.fill(texts.SCAN_OK, kind=kind, code=masked_code(result))]
            )
        elif isinstance(result, CodeProblem):
            self.context.audit.record("scan_test_result", outcome="problem")
            self._finish("scanner", [texts.fill(texts.SCAN_PROBLEM, reason=result.message)])

    def scan_bus(self) -> None:
        windows = self.kiosk.windows
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
                addresses=joined(
                    [texts.fill(text("device_pages.keypad_address"), address=a) for a in silent]
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


def _port_and_state(column: QVBoxLayout, port: str, state: str) -> None:
    """A reader's or a scanner's first two lines (both report the same states)."""
    column.addWidget(TextLabel(texts.fill(texts.PORT, port=port)))
    shown = texts.READER_STATES.get(state, state)
    column.addWidget(TextLabel(texts.fill(texts.DEVICE_STATE, state=shown)))
