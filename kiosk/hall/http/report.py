"""`kiosk hall status`: the link to the hall server and the outbox, as a technician reads it."""

from __future__ import annotations

from typing import Any

from kiosk.clock import SystemClock
from kiosk.hall.http.client import HttpHall
from kiosk.journal import Journal
from kiosk.settings import Settings


def hall_link_report(settings: Settings) -> dict[str, Any]:
    """The backend, whether the server answers now, the clock offset, and the outbox
    (waiting, refused, oldest) read from this kiosk's journal."""
    clock = SystemClock()
    data = settings.data_path
    report: dict[str, Any] = {"backend": settings.hall.backend, "kiosk": settings.kiosk.id}
    journal = Journal(data / "journal.sqlite3", clock)
    try:
        report.update(
            pending=journal.pending_outbox(),
            oldest_pending=journal.oldest_pending_at(),
            refused=len(journal.refused_outbox()),
        )
    finally:
        journal.close()
    if settings.hall.backend != "http":
        return report
    hall = HttpHall(settings, data / "hall-link.sqlite3", clock)
    try:
        info = hall.probe()
        status = hall.link.status()
        report.update(
            url=settings.hall.url,
            online=info is not None,
            error=status.last_error,
            server_time=None if info is None else info.server_time.isoformat(),
            clock_offset_seconds=round(hall.clock.offset_seconds, 3),
            business_day=hall.business_day().isoformat(),
            leased_left={queue.code: hall.leased_left(queue.code) for queue in settings.queues},
        )
    finally:
        hall.close()
    return report
