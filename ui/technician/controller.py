"""The technician layer over the kiosk window: gesture -> PIN -> menu, and kiosk mode.

The layer covers the whole window while it is open, so a taxpayer's screen is never
reachable from the menu and the menu never shows behind it. Every entry and exit is
audited; the menu closes itself after `technician.idle_minutes` without a touch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCursor, QKeyEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from kiosk.config_store import ConfigStore
from kiosk.settings import SYSTEM_MACHINE_FILE, default_machine_file
from kiosk.systemd import EXIT_LEFT_KIOSK, EXIT_RESTART
from kiosk.technician import AuditTrail, MenuIdle, PinGate, PinResult, state_file_for
from kiosk.text import Language, Text
from ui.chrome import ActivityFilter
from ui.technician import texts
from ui.technician.editors import OnScreenKeyboard
from ui.technician.gesture import CornerTapGesture
from ui.technician.jobs import Jobs
from ui.technician.menu import TechnicianMenu
from ui.technician.pages import MenuContext
from ui.technician.pinpad import PinPad
from ui.widgets import retranslate_tree

if TYPE_CHECKING:
    from ui.main_window import KioskWindow

log = logging.getLogger(__name__)

CHECK_MS = 1000
# Closing shortcuts a desktop would honour; a kiosk ignores them.
CLOSING_KEYS = frozenset(
    {
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
    }
)


def machine_file_of(window: KioskWindow) -> Path:
    return window.kiosk.config_file or default_machine_file() or SYSTEM_MACHINE_FILE


class _ClosingKeys(QObject):
    """Eats Alt+F4, Ctrl+W and Ctrl+Q while the kiosk is in kiosk mode."""

    def __init__(self, active: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._active = active

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(
            event, QKeyEvent
        ):
            modifiers = event.modifiers() & (
                Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier
            )
            if self._active() and (Qt.Key(event.key()), modifiers) in CLOSING_KEYS:
                return True
        return False


class TechnicianLayer(QWidget):
    """Covers the window: the PIN pad, the menu, the on-screen keyboard."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("technicianLayer")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#technicianLayer { background: #f4f7fb; }")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        column.addWidget(self.stack)
        self.hide()


class TechnicianController(QObject):
    def __init__(
        self,
        window: KioskWindow,
        *,
        exit_app: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        kiosk = window.kiosk
        settings = kiosk.settings.technician
        self.clock = kiosk.clock
        self.store = ConfigStore(machine_file_of(window))
        self.audit = AuditTrail(kiosk.journal)
        self.gate = PinGate(
            settings.pin_hash,
            state_file_for(kiosk.settings.data_path),
            kiosk.clock,
            self.audit,
            max_attempts=settings.max_attempts,
            lockout_seconds=settings.lockout_minutes * 60,
        )
        self.idle = MenuIdle(kiosk.clock, settings.idle_minutes)
        self.exit_app = exit_app or (lambda code: QApplication.exit(code))
        self.jobs = Jobs(self)
        self.kiosk_mode = False
        self.purpose = "enter"

        self.layer = TechnicianLayer(window)
        self.pinpad = PinPad()
        self.keyboard = OnScreenKeyboard()
        self._menu: TechnicianMenu | None = None  # built when first opened
        for widget in (self.pinpad, self.keyboard):
            self.layer.stack.addWidget(widget)
        self.pinpad.submitted.connect(self.submit_pin)
        self.pinpad.cancelled.connect(self._pin_cancelled)
        self._text_callback: Callable[[str], None] | None = None
        self.keyboard.accepted.connect(self._text_accepted)
        self.keyboard.cancelled.connect(lambda: self.layer.stack.setCurrentWidget(self.menu))

        self.gesture = CornerTapGesture(window, kiosk.clock.monotonic, parent=self)
        self.gesture.triggered.connect(self.open_pin_pad)
        self._activity = ActivityFilter(self._on_activity, self)
        self._closing_keys = _ClosingKeys(lambda: self.kiosk_mode, self)
        app = QApplication.instance()
        if app is not None:
            for watcher in (self.gesture, self._activity, self._closing_keys):
                app.installEventFilter(watcher)
        window.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self._cursor_hidden = False
        self._shut_down = False

    @property
    def menu(self) -> TechnicianMenu:
        if self._menu is None:
            context = MenuContext(
                self.window.kiosk,
                self.store,
                self.audit,
                self.jobs,
                self.ask_text,
                self.restart,
                self.ask_leave,
                self._language,
            )
            self._menu = TechnicianMenu(context)
            self._menu.close_requested.connect(lambda: self.close_menu("closed"))
            self._menu.language_toggled.connect(self._toggle_language)
            self.layer.stack.addWidget(self._menu)
        return self._menu

    # ---- state ------------------------------------------------------------------------------

    def is_open(self) -> bool:
        return not self.layer.isHidden()

    def menu_open(self) -> bool:
        return self.is_open() and self.layer.stack.currentWidget() is not self.pinpad

    def showing(self) -> str:
        if not self.is_open():
            return ""
        current = self.layer.stack.currentWidget()
        if current is self.pinpad:
            return "pin"
        if current is self.keyboard:
            return "keyboard"
        return "menu" if current is not None and current is self._menu else ""

    # ---- the way in ---------------------------------------------------------------------------

    def open_pin_pad(self, purpose: str = "enter") -> None:
        if purpose == "enter" and self.is_open():
            return
        self.purpose = purpose
        self.pinpad.reset(texts.PIN_AGAIN if purpose == "leave" else texts.PIN_TITLE)
        self._show_layer(self.pinpad)
        self._show_lock_state()

    def _show_lock_state(self) -> bool:
        locked = self.gate.locked_seconds()
        if locked > 0:
            self.pinpad.show_locked(locked)
            retranslate_tree(self.pinpad, self._language())
            return True
        if not self.gate.configured:
            self.pinpad.show_message(texts.NO_PIN)
            self.pinpad.set_input_enabled(False)
            retranslate_tree(self.pinpad, self._language())
            return True
        return False

    def submit_pin(self, pin: str) -> None:
        """scrypt takes a good fraction of a second by design: checked off the GUI thread."""
        purpose = self.purpose
        self.pinpad.set_input_enabled(False)
        self.jobs.run(
            lambda: self.gate.attempt(pin, purpose),
            lambda result, error: self._pin_checked(result, error, purpose),
        )

    def _pin_checked(
        self, result: PinResult | None, error: BaseException | None, purpose: str
    ) -> None:
        if purpose != self.purpose or self.showing() != "pin":
            return  # the pad was closed meanwhile
        self.pinpad.set_input_enabled(True)
        if result is None:
            self.pinpad.show_message(str(error))
            return
        if result.ok:
            if self.purpose == "leave":
                self.leave_kiosk_mode()
            else:
                self.open_menu()
            return
        if result.locked:
            self.pinpad.show_locked(result.locked_seconds)
        else:
            self.pinpad.show_message(texts.fill(texts.WRONG_PIN, left=result.attempts_left))
        retranslate_tree(self.pinpad, self._language())

    def _pin_cancelled(self) -> None:
        if self.purpose == "leave":
            self._show_layer(self.menu)
        else:
            self._hide_layer()

    def open_menu(self) -> None:
        self.audit.record("entered")
        log.info("technician menu opened")
        self.idle.touch()
        self._show_layer(self.menu)
        self.menu.show_page(self.menu.current or "settings")
        retranslate_tree(self.menu, self._language())

    def close_menu(self, reason: str = "closed") -> None:
        if not self.menu_open():
            self._hide_layer()
            return
        self.audit.record("exited", reason=reason)
        log.info("technician menu closed (%s)", reason)
        self._hide_layer()
        self.window.finish_visit()

    # ---- the menu's actions -------------------------------------------------------------------

    def ask_text(self, initial: str, title: Text | str, done: Callable[[str], None]) -> None:
        self._text_callback = done
        self.keyboard.start(initial, title)
        retranslate_tree(self.keyboard, self._language())
        self.layer.stack.setCurrentWidget(self.keyboard)

    def _text_accepted(self, text: str) -> None:
        callback, self._text_callback = self._text_callback, None
        self.layer.stack.setCurrentWidget(self.menu)
        if callback is not None:
            callback(text)

    def restart(self) -> None:
        self.audit.record("restart")
        log.info("technician restarts the app")
        self.exit_app(EXIT_RESTART)

    def ask_leave(self) -> None:
        self.open_pin_pad("leave")

    def leave_kiosk_mode(self) -> None:
        self.audit.record("left_kiosk_mode")
        self.audit.record("exited", reason="left kiosk mode")
        log.warning("technician left kiosk mode")
        self.kiosk_mode = False
        self._restore_cursor()
        self._hide_layer()
        self.exit_app(EXIT_LEFT_KIOSK)

    # ---- kiosk mode ---------------------------------------------------------------------------

    def enter_kiosk_mode(self) -> None:
        """Full screen without a frame; closing refused; the cursor hidden if set so."""
        self.kiosk_mode = True
        window = self.window
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        window.showFullScreen()
        if window.kiosk.settings.ui.hide_cursor and not self._cursor_hidden:
            QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
            self._cursor_hidden = True

    def may_close(self) -> bool:
        return not self.kiosk_mode

    def _restore_cursor(self) -> None:
        if self._cursor_hidden:
            QApplication.restoreOverrideCursor()
            self._cursor_hidden = False

    # ---- housekeeping -------------------------------------------------------------------------

    def check(self) -> None:
        """Every second: the lock-out's minutes on the PIN pad, and the menu's idle close."""
        if not self.is_open():
            return
        if self.showing() == "pin":
            if not self._show_lock_state() and not self.pinpad.clear_button.isEnabled():
                self.pinpad.reset(texts.PIN_AGAIN if self.purpose == "leave" else texts.PIN_TITLE)
                retranslate_tree(self.pinpad, self._language())
            if self.purpose == "enter" and self.idle.expired():
                self._hide_layer()
            return
        if self.idle.expired():
            self.close_menu("idle")

    def _on_activity(self) -> None:
        if self.is_open():
            self.idle.touch()

    def _show_layer(self, widget: QWidget) -> None:
        self.idle.touch()
        self.layer.stack.setCurrentWidget(widget)
        self.layer.setGeometry(self.window.rect())
        self.layer.show()
        self.layer.raise_()
        retranslate_tree(self.layer, self._language())

    def _hide_layer(self) -> None:
        self.layer.hide()
        self.pinpad.clear()

    def _language(self) -> Language:
        return self.window.visit.language

    def _toggle_language(self) -> None:
        self.window.set_language("en" if self._language() == "zh" else "zh")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.layer.setGeometry(self.window.rect())
        return False

    def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            for watcher in (self.gesture, self._activity, self._closing_keys):
                app.removeEventFilter(watcher)
        self._restore_cursor()
        self.jobs.close()
