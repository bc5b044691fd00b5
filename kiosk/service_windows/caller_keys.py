"""What a staff key pressed on a window's keypad asks of the hall.

- 0x10 call next -> `hall.call_next_at(window)`: the embedded hall finishes the
  current ticket first, so that service is evaluated too;
- 0x11 recall -> `hall.recall_at`; 0x12 pause -> `hall.pause_window`;
  0x13 resume -> `hall.resume_window`;
- 0x14 the staff key (ask for evaluation: the service is finished) ->
  `hall.finish_at(window)`.

The keys 1..5 are votes (`kiosk.evaluation`). Only HallBackend methods are used,
so the same keys work with the embedded hall and with a hall server's backend.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from drivers.keypad.protocol import KeypadEvent
from kiosk.hall.base import HallBackend, HallError

log = logging.getLogger(__name__)


def press_caller_key(hall: HallBackend, window: int, event: KeypadEvent) -> None:
    """Carry out a staff key at `window`. Never raises: a caller key is acknowledged
    anyway, and pressing it again is the retry."""
    actions: dict[KeypadEvent, Callable[[int], object]] = {
        KeypadEvent.CALL_NEXT: hall.call_next_at,
        KeypadEvent.RECALL: hall.recall_at,
        KeypadEvent.PAUSE: hall.pause_window,
        KeypadEvent.RESUME: hall.resume_window,
        KeypadEvent.ASK_EVALUATION: hall.finish_at,
    }
    action = actions.get(event)
    if action is None:
        return
    try:
        result = action(window)
    except HallError as error:
        log.warning("window %d: %s refused: %s", window, event.name.lower(), error)
        return
    except Exception:
        log.exception("window %d: %s failed", window, event.name.lower())
        return
    if result is None and event in (KeypadEvent.CALL_NEXT, KeypadEvent.RECALL):
        log.info("window %d: %s: nobody to call", window, event.name.lower())
    elif result is None and event is KeypadEvent.ASK_EVALUATION:
        log.info("window %d: staff key, but no number is being served", window)
