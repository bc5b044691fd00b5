"""Running an emulator from the command line until a technician stops it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType


def stop_on_signals() -> threading.Event:
    """An event that SIGINT (Ctrl+C on the bench) and SIGTERM (a test, systemd) set."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return stop


def serve_until(stop: threading.Event, shut_down: Callable[[], None]) -> int:
    """Wait for `stop`, then shut the emulator down; the exit status of a clean stop."""
    try:
        # Waking up now and then lets Python run the signal handler promptly.
        while not stop.wait(0.5):
            pass
    finally:
        shut_down()
    return 0
