"""Work the menu starts off the GUI thread (printing, checking files, reading the journal).

Each job runs on its own short-lived Python thread; its result comes back to the GUI
thread through a queued Qt signal, then to the callback given with it.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


class Jobs(QObject):
    _finished = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, Done] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._finished.connect(self._deliver)
        self._closed = False

    def run(self, work: Callable[[], Any], done: Done) -> int:
        job = next(self._ids)
        self._callbacks[job] = done

        def target() -> None:
            try:
                result, error = work(), None
            except Exception as failure:  # handed to the page, which shows the reason
                result, error = None, failure
            if not self._closed:
                self._finished.emit(job, result, error)

        thread = threading.Thread(target=target, name=f"technician-job-{job}", daemon=True)
        self._threads[job] = thread
        thread.start()
        return job

    def busy(self) -> bool:
        return bool(self._callbacks)

    def _deliver(self, job: int, result: object, error: object) -> None:
        self._threads.pop(job, None)
        callback = self._callbacks.pop(job, None)
        if callback is None:
            return
        try:
            callback(result, error if isinstance(error, BaseException) else None)
        except Exception:
            log.exception("the technician menu could not show a result")

    def close(self, timeout: float = 5.0) -> None:
        self._closed = True
        for thread in list(self._threads.values()):
            thread.join(timeout)
        self._threads.clear()
        self._callbacks.clear()
