"""The calling line: a banner at the bottom of the kiosk with the latest calls.

"请 A012 号到 3 号窗口" / "Number A012, please go to window 3", newest first, in
the window's language. Hall events arrive on whatever thread produced them
(the keypad bus, a hall server's event stream); they reach the banner through
a queued Qt signal. Each call is also spoken when a speech engine is installed
(espeak-ng or spd-say), by a background thread one call after another: the
GUI never waits for it, and without an engine the kiosk is simply silent.
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QWidget

from drivers.background import BackgroundThread
from kiosk.hall.base import HallBackend, HallEvent, HallEventKind
from kiosk.text import Language, Text, text
from ui import theme
from ui.texts import fill
from ui.widgets import TextLabel, pick

log = logging.getLogger(__name__)

MAX_CALLS = 3  # the newest large, two earlier ones small
SPEECH_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 2.0

SpeechCommand = Callable[[str, Language], Sequence[str] | None]


def call_text(event: HallEvent) -> Text:
    template = text("calling.recall") if event.recall else text("calling.call")
    return fill(template, number=event.number or "", window=event.window or 0)


def _spelled(number: str) -> str:
    """The letter and each digit apart, as halls announce them."""
    return " ".join(number)


def find_speech_command(
    which: Callable[[str], str | None] = shutil.which,
) -> SpeechCommand | None:
    """How to speak on this machine: espeak-ng or spd-say; None when neither is installed."""
    espeak = which("espeak-ng")
    if espeak is not None:
        voices = {"zh": "cmn", "en": "en"}
        return lambda text, language: [espeak, "-v", voices[language], text]
    spd_say = which("spd-say")
    if spd_say is not None:
        return lambda text, language: [spd_say, "--wait", "-l", language, text]
    return None


class Speaker:
    """Runs the speech command for each text, one at a time, on a daemon thread."""

    def __init__(self, command: SpeechCommand | None) -> None:
        self._command = command
        self._texts: queue.Queue[tuple[str, Language] | None] = queue.Queue()
        self._loop = BackgroundThread("speech", self._run, join_seconds=STOP_TIMEOUT_S)
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self.spoken = 0  # commands that ran to the end (diagnostics, tests)

    @property
    def available(self) -> bool:
        return self._command is not None

    def say(self, text: str, language: Language) -> None:
        if self._command is None:
            return
        self._loop.start()
        self._texts.put((text, language))

    def stop(self) -> None:
        """Cut the current text short; the thread ends after the texts queued before
        (waiting at most STOP_TIMEOUT_S). Calling it again does nothing."""
        if not self._loop.running:
            return
        self._texts.put(None)  # the end of the queue: wakes a thread waiting for a text
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
        self._loop.stop()

    def _run(self, stop: threading.Event) -> None:
        while (item := self._texts.get()) is not None:
            text, language = item
            command = self._command
            argv = None if command is None else command(text, language)
            if argv:
                self._speak(list(argv))

    def _speak(self, argv: list[str]) -> None:
        try:
            with self._lock:
                self._process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                process = self._process
            try:
                process.wait(timeout=SPEECH_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                log.warning("the speech engine took longer than %.0f s", SPEECH_TIMEOUT_S)
                return
            self.spoken += 1
        except (OSError, subprocess.SubprocessError) as error:
            log.warning("the call could not be spoken: %s", error)
        finally:
            with self._lock:
                self._process = None


class CallingLine(QFrame):
    """The latest calls, newest first; hidden until the first call."""

    # A HallEvent, emitted on the thread that produced it; always queued to the GUI.
    hall_event = Signal(object)

    def __init__(
        self,
        speaker: Speaker | None = None,
        parent: QWidget | None = None,
        *,
        voice_language: Language = "zh",
    ) -> None:
        super().__init__(parent)
        # The hall hears every call: in the hall's language (kiosk.language), not in the
        # language the visitor at the screen chose.
        self.voice_language: Language = voice_language
        self.setObjectName("callingLine")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.set_senior(False)
        # The calls one under the other; side by side on a wide screen, which is short.
        self._layout = layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        layout.setContentsMargins(theme.MARGIN_PX, 12, theme.MARGIN_PX, 12)
        layout.setSpacing(4)
        self._labels = [
            TextLabel("", "callingNow" if index == 0 else "callingEarlier")
            for index in range(MAX_CALLS)
        ]
        for index, label in enumerate(self._labels):
            layout.addWidget(label, 2 if index == 0 else 1)
            label.hide()
        self._calls: list[Text] = []
        self._language: Language = "zh"
        self._speaker = speaker or Speaker(None)
        self._hall: HallBackend | None = None
        self._listener = self.hall_event.emit  # one object to subscribe and unsubscribe
        self.hall_event.connect(self.show_event, Qt.ConnectionType.QueuedConnection)
        self.hide()

    def set_senior(self, senior: bool) -> None:
        """Senior mode's larger type (ui/senior.py): earlier calls at 42 px, not 30."""
        now_px, earlier_px = (64, 42) if senior else (theme.TITLE_PX, theme.BODY_PX)
        self.setStyleSheet(
            f"#callingLine {{ background: {theme.BLUE_DARK}; }}"
            f" #callingLine QLabel {{ color: {theme.WHITE}; background: transparent; }}"
            f' #callingLine QLabel[role="callingNow"] {{ font-size: {now_px}px;'
            " font-weight: bold; }"
            f' #callingLine QLabel[role="callingEarlier"] {{ font-size: {earlier_px}px; }}'
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        wide = event.size().width() >= theme.WIDE_PX
        self._layout.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        self._layout.setSpacing(32 if wide else 4)

    # ---- wiring ------------------------------------------------------------------------

    def attach(self, hall: HallBackend) -> None:
        """Listen to `hall`'s events (any thread)."""
        self.detach()
        self._hall = hall
        hall.subscribe(self._listener)

    def detach(self) -> None:
        if self._hall is not None:
            self._hall.unsubscribe(self._listener)
            self._hall = None

    def shutdown(self) -> None:
        self.detach()
        self._speaker.stop()

    # ---- showing -----------------------------------------------------------------------

    def show_event(self, event: object) -> None:
        if not isinstance(event, HallEvent) or event.kind is not HallEventKind.CALLED:
            return
        if not event.number or event.window is None:
            return
        self._calls = [call_text(event), *self._calls][:MAX_CALLS]
        self._show()
        spoken = fill(
            text("calling.spoken_call"), number=_spelled(event.number), window=event.window
        )
        self._speaker.say(spoken.get(self.voice_language), self.voice_language)

    def calls(self) -> list[str]:
        """The calls shown, newest first, in the current language."""
        return [pick(call, self._language) for call in self._calls]

    def retranslate(self, language: Language) -> None:
        self._language = language
        self._show()

    def _show(self) -> None:
        for index, label in enumerate(self._labels):
            if index < len(self._calls):
                label.set_text(self._calls[index])
                label.retranslate(self._language)
                label.show()
            else:
                label.hide()
        self.setVisible(bool(self._calls))
