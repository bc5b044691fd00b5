"""The calling display's state and its calls, as JSON for the pages: numbers, queues,
windows and waiting figures, nothing about who holds a number."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.screens.texts import TEXTS
from kiosk.queue import TicketRow, Transaction
from kiosk.queue.help import HelpRequest, open_help
from kiosk.queue.tickets import TICKET_COLUMNS
from kiosk.settings import Settings
from kiosk.voice import CallReading

AUDIO_PATH = "/display/audio/{call_id}.wav"


def recent_calls(tx: Transaction, hall: str, day: date, limit: int) -> list[TicketRow]:
    """Today's calls of the hall, the newest first."""
    rows = tx.all(
        f"SELECT {TICKET_COLUMNS} FROM tickets WHERE hall = ? AND business_day = ?"
        " AND called_at IS NOT NULL ORDER BY called_at DESC, seq DESC LIMIT ?",
        (hall, day.isoformat(), limit),
    )
    return [TicketRow.from_row(row) for row in rows]


def call_view(
    settings: Settings,
    number: str,
    window: int,
    queue_code: str,
    *,
    call_id: int | None = None,
    recall: bool = False,
    at: str = "",
) -> dict[str, Any]:
    """One call as the display shows and says it."""
    try:
        queue = settings.queue(queue_code)
        names = (queue.name_zh, queue.name_en)
    except KeyError:
        names = (queue_code, queue_code)
    shown = TEXTS["go_to_window"]
    return {
        "call_id": call_id,
        "number": number,
        "window": window,
        "queue_code": queue_code,
        "queue_zh": names[0],
        "queue_en": names[1],
        "recall": recall,
        "at": at,
        "zh": shown.zh.format(number=number, window=window),
        "en": shown.en.format(number=number, window=window),
        "spoken_zh": CallReading(number, window).chinese,
        "audio": None if call_id is None else AUDIO_PATH.format(call_id=call_id),
    }


def call_of_event(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
    """A `called` event of the hall's stream, as the display announces it."""
    return call_view(
        settings,
        str(event["number"]),
        int(event["window"]),
        str(event.get("queue_code") or ""),
        call_id=int(event["id"]),
        recall=bool(event.get("recall")),
        at=str(event.get("at") or ""),
    )


def help_view(request: HelpRequest) -> dict[str, Any]:
    """一键求助 as the display shows it: the kiosk and when, nothing about the visitor."""
    shown = TEXTS["help_requested"]
    return {
        "kiosk": request.kiosk_id,
        "at": request.requested_at.isoformat(),
        "zh": shown.zh.format(kiosk=request.kiosk_id),
        "en": shown.en.format(kiosk=request.kiosk_id),
    }


def display_state(source: ScreenSource, hall: str | None) -> dict[str, Any]:
    """The latest and recent calls, waiting per queue, every window: what a display
    and a window screen show, of the source's hall (`hall`: as the page asked for it)."""
    settings = source.settings
    engine = source.engine
    day = engine.business_day()

    def work(tx: Transaction) -> dict[str, Any]:
        calls = recent_calls(tx, engine.hall, day, settings.screens.recent_calls + 1)
        staff = source.staff(tx)
        return {
            "calls": [
                call_view(settings, row.number, row.window, row.queue_code, at=_at(row))
                for row in calls
                if row.window is not None
            ],
            "queues": [
                {
                    "code": figures.queue.code,
                    "prefix": figures.queue.prefix,
                    "name_zh": figures.queue.name_zh,
                    "name_en": figures.queue.name_en,
                    "waiting": figures.waiting,
                    "estimated_wait_minutes": figures.estimated_wait_minutes,
                }
                for figures in engine.figures(tx)
            ],
            "windows": [
                {
                    "window": state.window,
                    "paused": state.paused,
                    "number": state.number,
                    "staff": staff.get(state.window),
                }
                for state in engine.window_states(tx).values()
            ],
            "help": [help_view(request) for request in open_help(tx, engine.hall, engine.now())],
        }

    state = source.read(work)
    calls = state.pop("calls")
    return {
        "hall": hall or "",
        "latest": calls[0] if calls else None,
        "recent": calls[1:],
        **state,
    }


def _at(row: TicketRow) -> str:
    return "" if row.called_at is None else row.called_at.isoformat()
