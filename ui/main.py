"""`kiosk run`: the kiosk on its real devices, full screen."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from kiosk.app import Kiosk, StartupError, build_kiosk, load_configuration
from kiosk.logs import setup_logging
from kiosk.retention import RetentionKeeper
from kiosk.service import EXIT_RESTART, Notifier, under_systemd
from kiosk.technician import log_tail
from ui.crash import CrashHandler, start_watchdog
from ui.main_window import KioskWindow
from ui.theme import apply_theme

log = logging.getLogger(__name__)

EXIT_STARTUP = 2


def application() -> QApplication:
    """The one QApplication, made on first use."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("hall-kiosk")
    return app


def install_quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl+C and SIGTERM (systemd stopping the kiosk) end the event loop cleanly.

    Python runs signal handlers only between bytecodes; the timer gives it a
    chance while Qt sits in its C++ event loop."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        # exit(), not quit(): quit() asks every window first, and kiosk mode refuses to close.
        signal.signal(signum, lambda *_: app.exit(0))
    timer = QTimer(app)
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


QT_LOG_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def route_qt_messages_to_logging() -> None:
    """Qt's own warnings go to the kiosk's log (JSON lines with --log-json), not stderr."""
    qt_log = logging.getLogger("qt")

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        qt_log.log(QT_LOG_LEVELS.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def install_crash_guard(window: KioskWindow) -> Callable[[], None]:
    """An exception escaping a slot is logged and the visit starts over at home:
    a taxpayer never sees a traceback or a frozen screen. Returns the undo."""
    previous = sys.excepthook

    def guard(
        kind: type[BaseException], error: BaseException, traceback: TracebackType | None
    ) -> None:
        log.error("unexpected error; back to the start", exc_info=(kind, error, traceback))
        try:
            window.finish_visit()
        except Exception:
            log.exception("could not return to the start")

    sys.excepthook = guard

    def undo() -> None:
        sys.excepthook = previous

    return undo


def run(config_file: Path | None, *, log_json: bool) -> int:
    if not logging.getLogger().handlers:
        setup_logging(json_lines=log_json)
    try:
        settings, catalog = load_configuration(config_file)
    except StartupError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return EXIT_STARTUP
    route_qt_messages_to_logging()
    app = application()
    apply_theme(app)
    try:
        kiosk: Kiosk = build_kiosk(settings, catalog)
    except StartupError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return EXIT_STARTUP
    kiosk.config_file = config_file
    window = KioskWindow(kiosk)
    kiosk.start_background()
    log_tail()  # the technician menu's Logs page
    retention = RetentionKeeper(
        kiosk.journal,
        kiosk.clock,
        settings.technician.retention_days,
        keep_undelivered=settings.hall.backend != "embedded",  # embedded: no server to wait for
    )
    retention.start()
    # Unhandled exceptions: a calm screen, a crash report, a restart (see ui/crash.py).
    crash = CrashHandler(settings.data_path / "crash")
    crash.install()
    signals_timer = install_quit_on_signals(app)
    notifier = Notifier()
    watchdog = None
    try:
        if settings.ui.fullscreen:
            window.technician.enter_kiosk_mode()
        else:
            window.resize(settings.ui.width, settings.ui.height)
            window.show()
        watchdog = start_watchdog(notifier, app)
        code = app.exec()
    finally:
        notifier.stopping()
        if watchdog is not None:
            watchdog.stop()
        signals_timer.stop()
        crash.close()
        retention.stop()
        window.technician.kiosk_mode = False
        window.close()
        window.shutdown()
        kiosk.close()
    if code == EXIT_RESTART and not under_systemd():
        # Without systemd to start it again, the kiosk starts itself again.
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    return code
