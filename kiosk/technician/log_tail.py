"""The last lines of the kiosk's log, personal data masked, for the Logs page."""

from __future__ import annotations

import logging
from collections import deque

from kiosk.logs import scrub


class LogTail(logging.Handler):
    """Keeps the last lines of the kiosk's log in memory, personal data masked."""

    def __init__(self, lines: int = 500) -> None:
        super().__init__(logging.INFO)
        self._lines: deque[str] = deque(maxlen=lines)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(scrub(self.format(record)))
        except Exception:  # a log handler never raises into the code that logs
            self.handleError(record)

    def lines(self, count: int = 200) -> list[str]:
        return list(self._lines)[-count:]


_tail: LogTail | None = None


def log_tail() -> LogTail:
    """The one LogTail, attached to the root logger on first use."""
    global _tail
    if _tail is None:
        _tail = LogTail()
    root = logging.getLogger()
    if _tail not in root.handlers:
        root.addHandler(_tail)
    return _tail
