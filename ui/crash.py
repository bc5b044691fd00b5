"""When something unexpected escapes: a calm screen, a crash report, a restart.

Any unhandled exception (in a slot on the GUI thread, or in any other thread)
covers the screen with "请稍候 / Please wait", writes a crash report to
`data_dir/crash/` and, after a short delay, restarts the app:

- the restart quits the event loop with EXIT_RESTART (75). Under systemd
  (`kiosk install-service`) the unit's Restart=always starts the kiosk again;
  without systemd, `ui.main.restart_without_systemd` re-executes the same command line itself.

The report holds the traceback only: no local variables, and ID-like numbers
(identity numbers, phone numbers, card numbers) replaced by their length.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLayout, QVBoxLayout, QWidget

from kiosk.logs import scrub
from kiosk.systemd import EXIT_RESTART, Notifier, watchdog_interval_seconds
from ui.technician import texts
from ui.widgets import TextLabel

log = logging.getLogger(__name__)

RESTART_DELAY_MS = 3000
# Long digit runs (ID numbers with their X, phones, bank cards): never in a report.
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d[\d ]{6,}\d[Xx]?(?![0-9A-Za-z])|\d{17}[\dXx]")


def scrub_report(text: str) -> str:
    text = scrub(text)
    return _LONG_NUMBER.sub(lambda match: f"<{len(match.group(0))} digits>", text)


def crash_report(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None, where: str
) -> str:
    """The traceback without locals (format_exception never includes them), scrubbed."""
    lines = traceback.format_exception(kind, error, trace)
    header = f"hall-kiosk crash at {datetime.now(UTC).isoformat()} in {where}\n"
    return scrub_report(header + "".join(lines))


class CalmScreen(QWidget):
    """Full screen, frameless: nothing a taxpayer could worry about or touch."""

    def __init__(self) -> None:
        super().__init__(
            None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setObjectName("crashScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#crashScreen { background: #f4f7fb; }")
        column = QVBoxLayout(self)
        # A top-level whose layout imposes no minimum: the screen's size is not negotiable.
        column.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        center = Qt.AlignmentFlag.AlignHCenter
        self.title = TextLabel(
            f"{texts.PLEASE_WAIT.zh} / {texts.PLEASE_WAIT.en}", "headline", align=center
        )
        self.detail = TextLabel(
            f"{texts.RESTARTING.zh}\n{texts.RESTARTING.en}", "subtitle", align=center
        )
        column.addStretch(1)
        column.addWidget(self.title)
        column.addWidget(self.detail)
        column.addStretch(1)

    def shown_texts(self) -> list[str]:
        return [self.title.text(), self.detail.text()]


class CrashHandler(QObject):
    """Installed as sys.excepthook and threading.excepthook by `ui.main.KioskApplication`."""

    _crashed = Signal()

    def __init__(
        self,
        crash_dir: Path,
        restart: Callable[[], None] | None = None,
        *,
        delay_ms: int = RESTART_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.crash_dir = crash_dir
        self.restart = restart or (lambda: QApplication.exit(EXIT_RESTART))
        self.delay_ms = delay_ms
        self.screen: CalmScreen | None = None
        self.reports: list[Path] = []
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._installed = False
        self._restart_timer = QTimer(self)
        self._restart_timer.setSingleShot(True)
        self._restart_timer.timeout.connect(self._restart)
        self._crashed.connect(self._show_and_restart)  # queued from other threads

    def install(self) -> None:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        self._installed = True

    def uninstall(self) -> None:
        if self._installed:
            sys.excepthook = self._previous_hook
            threading.excepthook = self._previous_thread_hook
            self._installed = False

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, where=name)

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
        where: str = "the GUI thread",
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.exit(130)
            return
        log.critical("unhandled %s in %s: restarting the kiosk", kind.__name__, where)
        self.write_report(crash_report(kind, error, trace, where))
        self._crashed.emit()

    def write_report(self, text: str) -> Path | None:
        try:
            self.crash_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = self.crash_dir / f"crash-{stamp}-{os.getpid()}.txt"
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            log.error("cannot write the crash report: %s", error)
            return None
        self.reports.append(path)
        return path

    def _show_and_restart(self) -> None:
        if self.screen is None:
            self.screen = CalmScreen()
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                self.screen.setGeometry(screen.geometry())
            self.screen.show()
        if not self._restart_timer.isActive():
            self._restart_timer.start(self.delay_ms)

    def _restart(self) -> None:
        try:
            self.restart()
        except Exception:
            log.exception("restart failed")
            os._exit(EXIT_RESTART)

    def close(self) -> None:
        self.uninstall()
        self._restart_timer.stop()
        if self.screen is not None:
            self.screen.close()
            self.screen.deleteLater()
            self.screen = None


def start_watchdog(notifier: Notifier, parent: QObject) -> QTimer | None:
    """READY=1 now, then WATCHDOG=1 from the GUI event loop: a hung loop stops feeding it."""
    if not notifier.enabled:
        return None
    notifier.ready()
    timer = QTimer(parent)
    timer.setInterval(int(watchdog_interval_seconds() * 1000))
    timer.timeout.connect(notifier.watchdog)
    timer.start()
    return timer
