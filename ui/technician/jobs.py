"""Work the menu starts off the GUI thread (printing, checking files, reading the journal).

A job is one call, not a loop until stopped, so it runs on a ThreadPoolExecutor rather
than a drivers.background.BackgroundThread; its result comes back to the GUI thread
through a queued Qt signal, then to the callback given with it.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]
# Device tests wait up to 15 s each; enough workers that one never queues behind another.
WORKERS = 8


class Jobs(QObject):
    _finished = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, Done] = {}
        self._futures: set[concurrent.futures.Future[None]] = set()
        self._pool = concurrent.futures.ThreadPoolExecutor(WORKERS, "technician-job")
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

        future = self._pool.submit(target)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return job

    def busy(self) -> bool:
        return bool(self._callbacks)

    def _deliver(self, job: int, result: object, error: object) -> None:
        callback = self._callbacks.pop(job, None)
        if callback is None:
            return
        try:
            callback(result, error if isinstance(error, BaseException) else None)
        except Exception:
            log.exception("the technician menu could not show a result")

    def close(self, timeout: float = 5.0) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        concurrent.futures.wait(set(self._futures), timeout)
        self._callbacks.clear()
