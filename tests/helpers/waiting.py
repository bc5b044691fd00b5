"""Waiting on a condition that has no signal to wait on (a server in another thread or
process, an HTTP answer, a browser's page): the condition is checked until it holds or
the deadline passes. A wait never stands in for "long enough": it ends as soon as the
condition holds, and fails with what was awaited."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

CHECK_EVERY_S = 0.01


def wait_for(condition: Callable[[], T], seconds: float = 10.0, what: str = "") -> T:
    """The condition's first true value; AssertionError naming `what` at the deadline."""
    deadline = time.monotonic() + seconds
    pause = threading.Event()  # never set: only its timeout paces the checks
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not in time: {what or 'the condition'}")
        pause.wait(CHECK_EVERY_S)
    return value
