"""The Today page: tickets per queue, evaluations, follow-ups to close, CSV export."""

from __future__ import annotations

import csv
import glob
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from kiosk.technician import (
    FollowUpRow,
    TodayReport,
    today_report,
)
from kiosk.text import Text
from ui.technician import texts
from ui.technician.pages.base import MenuContext, Page
from ui.widgets import TextLabel, TouchButton

if TYPE_CHECKING:
    from kiosk.app import Kiosk


def report_of(kiosk: Kiosk) -> TodayReport:
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


class DayReportPage(Page):
    """A page over the day's report, read from the journal off the GUI thread."""

    def refresh(self) -> None:
        self.context.jobs.run(lambda: report_of(self.kiosk), self._report_read)

    def _report_read(self, report: Any, error: BaseException | None) -> None:
        self.clear_body()
        if error is not None or not isinstance(report, TodayReport):
            self.add_line(str(error))
            return
        self.show_report(report)

    def show_report(self, report: TodayReport) -> None:
        raise NotImplementedError

    def choose(
        self, heading: Text, choices: tuple[Text, ...], chosen: Callable[[Text], None]
    ) -> None:
        """Preset choices (no keyboard needed), or Cancel."""
        self.clear_body()
        self.add_line(heading, "subtitle")
        for choice in choices:
            button = TouchButton(choice)
            button.clicked.connect(lambda _=False, c=choice: chosen(c))
            self.body.addWidget(button)
        cancel = TouchButton(texts.CANCEL)
        cancel.clicked.connect(self.refresh)
        self.body.addWidget(cancel)
        self.body.addStretch(1)
        self.follow_language()

    def change_then_refresh(self, work: Callable[[], None], done: Text, failed: Text) -> None:
        """Run `work` off the GUI thread, say `done` or `failed` (with the reason), show anew."""

        def finished(result: object, error: BaseException | None) -> None:
            self.say(done if error is None else texts.fill(failed, reason=str(error)))
            self.refresh()

        self.context.jobs.run(work, finished)


class TodayPage(DayReportPage):
    key = "today"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.report: TodayReport | None = None
        self.export_button = self.add_button(texts.EXPORT, self.export)
        self.usb_button = self.add_button(texts.EXPORT_TO, self.export_usb)
        self.add_button(texts.REFRESH, self.refresh)

    def show_report(self, report: TodayReport) -> None:
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
        self.follow_language()

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
        self.choose(
            texts.fill(texts.CLOSE_NOTE, number=number),
            texts.CLOSE_NOTES,
            lambda note: self.close_follow_up(follow_up, note),
        )

    def close_follow_up(self, follow_up: FollowUpRow, note: Text) -> None:
        kiosk = self.kiosk
        number = follow_up.ticket_number or "—"
        evaluation_id = follow_up.evaluation_id
        text = f"{note.zh} / {note.en}"

        def work() -> None:
            windows = kiosk.windows
            if windows is not None:
                windows.close_follow_up(evaluation_id, text)
            else:  # no keypads now: the journal takes it all the same (and sends it on)
                kiosk.journal.record(
                    "follow_up.closed", {"evaluation_id": evaluation_id, "note": text}
                )

        self.context.audit.record(
            "follow_up_closed", evaluation_id=evaluation_id, number=number, note=note.en
        )

        self.change_then_refresh(
            work, texts.fill(texts.FOLLOW_UP_CLOSED, number=number), texts.FOLLOW_UP_FAILED
        )

    def export(self, directory: Path | None = None) -> Path | None:
        if self.report is None:
            self.report = report_of(self.kiosk)
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
