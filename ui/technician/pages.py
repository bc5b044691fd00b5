"""The pages of the technician menu: each a small class over one service of the kiosk.

A page reads what the Kiosk object offers (getattr, so that a service not built yet
shows "未配置 / not configured" instead of failing) and does slow work through Jobs.
"""

from __future__ import annotations

import csv
import glob
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
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
from kiosk.hall.base import Reservation
from kiosk.technician import AuditTrail, TodayReport, log_tail, masked, today_report
from kiosk.text import Text
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
        self.scroll = finger_scroll_area(content)
        outer.addWidget(self.scroll, 1)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(16)
        outer.addLayout(self.actions)

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
        self, label: Text | str, action: Callable[[], None], kind: str = "secondary"
    ) -> TouchButton:
        button = TouchButton(label, kind)
        button.clicked.connect(action)
        self.actions.addWidget(button)
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
            button = TouchButton(section.name)
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
        column.addWidget(TextLabel(f"{spec.title}  ({spec.key})", "subtitle"))
        if spec.description:
            column.addWidget(TextLabel(spec.description, "muted"))
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
        language = getattr(getattr(window, "visit", None), "language", "zh")
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


class DevicesPage(Page):
    key = "devices"
    title = texts.PAGE_DEVICES

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.test_button = self.add_button(texts.TEST_PRINT, self.test_print)
        self.add_button(texts.REFRESH, self.refresh)

    def refresh(self) -> None:
        self.clear_body()
        kiosk = self.kiosk
        self.add_line(texts.PRINTER, "subtitle")
        printer = getattr(kiosk, "printer", None)
        if printer is None:
            self.add_line(texts.NOT_CONFIGURED)
            self.test_button.setEnabled(False)
        else:
            report = printer.health.report
            since = report.since.strftime("%H:%M:%S")
            self.add_line(f"{kiosk.settings.printer.port} · {kiosk.settings.printer.profile}")
            self.add_line(
                texts.fill(texts.PRINTER_STATE, state=report.status.condition.value, since=since)
            )
            detail = getattr(report.status, "detail", "") or ""
            self.add_line(texts.fill(texts.LAST_ERROR, error=detail or texts.NONE))
        for title, attribute in (
            (texts.CARD_READER, "card_watcher"),
            (texts.SCANNER, "scanner_watcher"),
            (texts.KEYPADS, "windows"),
        ):
            self.add_line(title, "subtitle")
            service = getattr(kiosk, attribute, None)
            if service is None:
                self.add_line(texts.NOT_CONFIGURED)
                continue
            status = getattr(service, "status", None)
            try:
                shown = status() if callable(status) else repr(service)
            except Exception as error:
                shown = str(error)
            for line in _lines_of(shown) or [str(texts.NONE.zh)]:
                self.add_line(line, "muted")
        self.add_line(texts.SERIAL_PORTS, "subtitle")
        ports = serial_ports()
        self.add_line(", ".join(ports) if ports else texts.NO_PORTS, "muted")
        self.body.addStretch(1)

    def test_print(self) -> None:
        printer = getattr(self.kiosk, "printer", None)
        if printer is None:
            return
        self.test_button.setEnabled(False)
        self.say(texts.TEST_PRINTING)
        self.context.audit.record("test_print")
        self.context.jobs.run(lambda: printer.print_slip(_test_document()), self._printed)

    def _printed(self, result: object, error: BaseException | None) -> None:
        self.test_button.setEnabled(True)
        if error is None:
            self.say(texts.TEST_PRINTED)
        else:
            self.say(texts.fill(texts.TEST_FAILED, reason=str(error)))
        self.refresh()


# ---- hall link -------------------------------------------------------------------------------


class HallLinkPage(Page):
    key = "hall"
    title = texts.PAGE_HALL

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.add_button(texts.REFRESH, self.refresh)

    def refresh(self) -> None:
        self.clear_body()
        status = getattr(self.kiosk, "hall_link_status", None)
        if not callable(status):
            self.add_line(texts.EMBEDDED_HALL)
        else:
            try:
                result = status()
                lines = None if result is None else _lines_of(result)
            except Exception as error:
                lines = [str(error)]
            for line in lines if lines is not None else [texts.EMBEDDED_HALL]:
                self.add_line(line)
        self.add_line(texts.fill(texts.OUTBOX, count=self.kiosk.journal.pending_outbox()))
        self.body.addStretch(1)


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
        """The catalog is read at start-up: reloading is a restart, once it is valid."""
        result = check_configuration(self._machine_file())
        if not result.ok:
            self.say(texts.fill(texts.INVALID, problems="; ".join(result.problems)))
            return
        self.context.audit.record("catalog_reload", catalog=result.catalog_version)
        self.context.restart()


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
        levels = ", ".join(f"{k}: {n}" for k, n in report.evaluations_by_level.items()) or "0"
        self.add_line(texts.fill(texts.EVALUATIONS, lines=levels))
        follow = [
            f"#{f.window} {f.ticket_number or '—'} ({f.level}) → {f.deadline}"
            for f in report.follow_ups
        ]
        self.add_line(texts.fill(texts.FOLLOW_UPS, lines="; ".join(follow) or "0"))
        self.body.addStretch(1)
        self.usb_button.setEnabled(bool(usb_export_dirs()))

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

        language = getattr(getattr(self.window(), "visit", None), "language", "zh")
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
