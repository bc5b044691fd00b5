"""The whole kiosk as it runs: one root for `kiosk run`, `kiosk demo`, the soak's kiosks
and the benchmark.

`launch(settings, catalog, ...)` builds the services (kiosk.app.build_kiosk, with the
mode's devices: real, given ports or emulated) and the window on the one QApplication.
`KioskApplication.start()` / `.stop()` is the one lifecycle: the services' threads
(retention included), then, when supervised, the crash handler (ui/crash.py), quit on
SIGINT/SIGTERM and the Logs page's tail; `show()` puts the window up and starts the
systemd watchdog (READY=1, then WATCHDOG=1 from the event loop). `stop()` undoes all
of it in reverse.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from kiosk.app import EmulatedDevices, Kiosk, build_kiosk, load_configuration
from kiosk.catalog import Catalog
from kiosk.clock import Clock
from kiosk.logs import setup_logging
from kiosk.settings import Settings
from kiosk.startup import ConfigurationError, StartupError
from kiosk.systemd import EXIT_CONFIG, EXIT_RESTART, Notifier, under_systemd
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


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SignalHandler = Callable[[int, FrameType | None], Any] | int | None


def install_quit_on_signals(app: QApplication, on_signal: Callable[[], None]) -> QTimer:
    """Ctrl+C and SIGTERM (systemd stopping the kiosk) call `on_signal`.

    Python runs signal handlers only between bytecodes; the timer gives it a
    chance while Qt sits in its C++ event loop."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda *_: on_signal())
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


class KioskApplication:
    """The services, their window, and what keeps a kiosk up for months.

    `supervised=False` leaves out the crash handler, the signal handlers and the
    watchdog: for the headless scripted demo and the benchmark, which fail loudly
    rather than restart. `on_stop_signal` replaces quitting the event loop (the soak
    kiosk finishes its taxpayer first); `restart` replaces the crash handler's exit
    with EXIT_RESTART."""

    def __init__(
        self,
        kiosk: Kiosk,
        *,
        supervised: bool = True,
        on_stop_signal: Callable[[], None] | None = None,
        restart: Callable[[], None] | None = None,
    ) -> None:
        self.qt = application()
        self.kiosk = kiosk
        self.window = KioskWindow(kiosk)
        self.supervised = supervised
        self.crash = CrashHandler(kiosk.settings.data_path / "crash", restart)
        self.notifier = Notifier()
        # exit(), not quit(): quit() asks every window first, and kiosk mode refuses to close.
        self._on_stop_signal = on_stop_signal or (lambda: self.qt.exit(0))
        self._signals_timer: QTimer | None = None
        self._previous_handlers: dict[int, SignalHandler] = {}
        self._watchdog: QTimer | None = None

    def start(self) -> None:
        self.kiosk.start_background()
        if self.supervised:
            log_tail()  # the technician menu's Logs page
            # Unhandled exceptions: a calm screen, a crash report, a restart (ui/crash.py).
            self.crash.install()
            self._previous_handlers = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
            self._signals_timer = install_quit_on_signals(self.qt, self._on_stop_signal)

    def show(self, size: tuple[int, int] | None = None) -> None:
        """Full screen in kiosk mode when the settings say so, else a window of `size`
        (default: the settings' size); then READY=1 to systemd and its watchdog."""
        ui = self.kiosk.settings.ui
        if ui.fullscreen:
            self.window.technician.enter_kiosk_mode()
        else:
            self.window.resize(*(size or (ui.width, ui.height)))
            self.window.show()
        if self.supervised and self._watchdog is None:
            self._watchdog = start_watchdog(self.notifier, self.qt)

    def exec(self) -> int:
        return self.qt.exec()

    def stop(self) -> None:
        """Everything start() and show() started, in reverse; twice is harmless."""
        if self._watchdog is not None:
            self.notifier.stopping()
            self._watchdog.stop()
            self._watchdog = None
            self.notifier.close()
        if self._signals_timer is not None:
            self._signals_timer.stop()
            self._signals_timer = None
            for signum, handler in self._previous_handlers.items():
                signal.signal(signum, handler)
        self.crash.close()
        self.window.technician.kiosk_mode = False
        self.window.close()
        self.window.shutdown()
        self.kiosk.close()

    def __enter__(self) -> KioskApplication:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def launch(
    settings: Settings,
    catalog: Catalog,
    *,
    config_file: Path | None = None,
    clock: Clock | None = None,
    emulated: EmulatedDevices | None = None,
    printer_port: str | None = None,
    supervised: bool = True,
    on_stop_signal: Callable[[], None] | None = None,
    restart: Callable[[], None] | None = None,
) -> KioskApplication:
    """The kiosk of every mode, built in one order: Qt's log routing, the QApplication
    and its theme, the services (StartupError says what to fix), the window."""
    route_qt_messages_to_logging()
    apply_theme(application())
    kiosk = build_kiosk(
        settings, catalog, clock=clock, emulated=emulated, printer_port=printer_port
    )
    kiosk.config_file = config_file  # the technician menu saves its changes there
    try:
        return KioskApplication(
            kiosk, supervised=supervised, on_stop_signal=on_stop_signal, restart=restart
        )
    except BaseException:
        kiosk.close()
        raise


def restart_without_systemd(code: int) -> int:
    """After a crash or the menu's restart (EXIT_RESTART): systemd starts the kiosk
    again; without it, the kiosk starts itself again with the same command line."""
    if code == EXIT_RESTART and not under_systemd():
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    return code


def run(config_file: Path | None, *, log_json: bool) -> int:
    """`kiosk run`: the kiosk on its real devices, full screen."""
    if not logging.getLogger().handlers:
        setup_logging(json_lines=log_json)
    try:
        settings, catalog = load_configuration(config_file)
        kiosk = launch(settings, catalog, config_file=config_file)
    except StartupError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        # A wrong configuration stays wrong: the unit does not restart on EXIT_CONFIG.
        return EXIT_CONFIG if isinstance(error, ConfigurationError) else EXIT_STARTUP
    with kiosk:
        kiosk.show()
        code = kiosk.exec()
    return restart_without_systemd(code)
