"""The devices' tests run off the GUI thread: a test print, one card, one code."""

from __future__ import annotations

import threading
from datetime import datetime

from drivers.printer.document import Align, PrintDocument, RuleBlock, TextBlock
from kiosk.device_watchers import CardCheck, CardWatcher, ScannerWatcher
from kiosk.identity import CardRefused
from kiosk.taxpayer import Identity, IdentityKind
from kiosk.text import Text, text
from ui.technician import texts


def sample_slip() -> PrintDocument:
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    title = text("device_pages.test_print")
    return PrintDocument(
        (
            TextBlock(f"{title.zh} / {title.en}", Align.CENTER, 2, 2),
            RuleBlock(),
            TextBlock(stamp, Align.CENTER),
            TextBlock("0123456789 ABCDEF 中文字符", Align.CENTER),
        )
    )


def masked_code(identity: Identity) -> str:
    """What a screen may show of a scanned code: credit codes come masked already; an
    appointment code keeps its prefix and last two digits."""
    shown = identity.masked
    if identity.kind is IdentityKind.APPOINTMENT_CODE and len(shown) > 6:
        shown = shown[:4] + "*" * (len(shown) - 6) + shown[-2:]
    return shown


class Waiter:
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
    watcher: CardWatcher, seconds: float, waiter: Waiter | None = None
) -> tuple[object, CardCheck | None]:
    """Watch the reader for one card, then give the reader back as it was (its
    listener, and whether a screen was watching). (None, None) when no card came."""
    waiter = waiter or Waiter()
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


def scan_one_code(watcher: ScannerWatcher, seconds: float, waiter: Waiter | None = None) -> object:
    """The next code the scanner reads (None when none came); the listener put back."""
    waiter = waiter or Waiter()
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
