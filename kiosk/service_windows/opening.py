"""The service windows and their keypads, as the settings describe them."""

from __future__ import annotations

import logging

from drivers.keypad.bus import KeypadBus
from drivers.transport import Transport, TransportError
from kiosk.clock import Clock
from kiosk.evaluation import EvaluationRecorder
from kiosk.hall.base import HallBackend
from kiosk.holidays import calendar_of
from kiosk.journal import Journal
from kiosk.service_windows.keypads import WindowService
from kiosk.settings import Settings

log = logging.getLogger(__name__)


def all_windows(settings: Settings) -> list[int]:
    return sorted({window for queue in settings.queues for window in queue.windows})


def open_window_service(
    settings: Settings,
    hall: HallBackend,
    journal: Journal,
    clock: Clock,
    *,
    port: str | None = None,
) -> WindowService | None:
    """The keypads of `settings.keypads` (None when no port is set). A port that cannot
    be opened yet is not fatal: the bus retries it with back-off."""
    section = settings.keypads
    url = port or section.port
    if not url:
        return None
    windows = section.address_windows(all_windows(settings))
    transport = Transport(url, baudrate=section.baudrate, timeout=section.reply_timeout_seconds)
    try:
        transport.open()
    except TransportError as error:
        log.warning("keypad bus not available yet: %s", error)
    bus = KeypadBus(transport, sorted(windows), reply_timeout=section.reply_timeout_seconds)
    evaluations = EvaluationRecorder(
        journal,
        clock,
        timezone=settings.kiosk.timezone,
        prompt_seconds=settings.evaluation.prompt_seconds,
        follow_up_working_days=settings.evaluation.follow_up_working_days,
        calendar=calendar_of(settings),
        staff_entry_seconds=settings.evaluation.staff_entry_seconds,
    )
    return WindowService(
        hall,
        evaluations,
        journal,
        bus,
        clock,
        windows,
        poll_interval=section.poll_interval_seconds,
        on_close=transport.close,
        port=url,
    )
