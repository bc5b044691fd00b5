"""One way to run a named background thread and stop it: start, stop, join.

Device readers, emulators, the hall link, health checks and retention each need a
thread that runs until told to stop. They all use `BackgroundThread`, so that start
twice is harmless, stop wakes a waiting loop at once, and a stopped thread can be
started again.

    loop = BackgroundThread("printer-health", body)      # body(stop: threading.Event)
    loop.start(); ...; loop.stop()

    periodic = BackgroundThread.every("retention", 3600.0, run_once)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Body = Callable[[threading.Event], None]


class BackgroundThread:
    """A daemon thread running `body(stop)` until `stop` is set."""

    def __init__(self, name: str, body: Body, *, join_seconds: float = 5.0) -> None:
        self.name = name
        self._body = body
        self._join_seconds = join_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @classmethod
    def every(
        cls,
        name: str,
        interval_seconds: float | Callable[[], float],
        step: Callable[[], object],
        *,
        first_wait: float = 0.0,
    ) -> BackgroundThread:
        """A thread that calls `step` now (or after `first_wait`) and then every interval.

        An exception in one step is logged and the loop goes on: a periodic check
        must never end because one run failed.
        """

        def interval() -> float:
            return interval_seconds() if callable(interval_seconds) else interval_seconds

        def body(stop: threading.Event) -> None:
            if first_wait and stop.wait(first_wait):
                return
            while not stop.is_set():
                try:
                    step()
                except Exception:
                    log.exception("%s: one run failed", name)
                if stop.wait(interval()):
                    return

        return cls(name, body)

    @property
    def stop_event(self) -> threading.Event:
        """Set when a stop was asked for; a body waits on it instead of sleeping."""
        return self._stop

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._body(self._stop)
        except Exception:
            log.exception("%s stopped on an error", self.name)

    def stop(self) -> None:
        """Ask the body to stop and wait for it (at most `join_seconds`)."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self._join_seconds)
            if thread.is_alive():
                log.warning("%s did not stop within %.0f s", self.name, self._join_seconds)
