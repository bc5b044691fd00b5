from __future__ import annotations

import logging

from kiosk.technician import (
    LogTail,
)

CHEAP = {"n": 2**10}


def test_the_log_tail_keeps_the_last_lines_masked() -> None:
    tail = LogTail(lines=3)
    logger = logging.getLogger("test.tail")
    logger.addHandler(tail)
    logger.setLevel(logging.INFO)
    try:
        for index in range(5):
            logger.info("line %d for %s", index, "110105" + "19491231" + "002X")
    finally:
        logger.removeHandler(tail)
    lines = tail.lines()
    assert len(lines) == 3
    assert lines[-1].endswith("line 4 for 110***002X")
