"""What the screens read, the same for both halls: the queue engine on its database, the
event stream, and the voice. The hall server gives its store and broker; the kiosk's
embedded hall gives its queue file and a broker it feeds from the hall's events."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from kiosk.hall import api
from kiosk.hall.server.events import EventBroker
from kiosk.queue import Database, QueueEngine, TicketRow, Transaction
from kiosk.settings import Settings
from kiosk.voice import CallReading, Speaker, announcement_wav, speaker_for

_T = TypeVar("_T")
AUDIO_CACHE = 64  # announcements kept: a recall or a second display needs no synthesis
# The staff number signed in at each window, read in the display's transaction.
StaffAt = Callable[[Transaction], dict[int, str]]


def nobody(_tx: Transaction) -> dict[int, str]:
    return {}


class ScreenSource:
    def __init__(
        self,
        settings: Settings,
        engine: QueueEngine,
        database: Database,
        broker: EventBroker,
        speaker: Speaker | None = None,
        staff: StaffAt = nobody,
    ) -> None:
        self.settings = settings
        self.staff = staff
        self.engine = engine
        self.broker = broker
        self._database = database
        self._speaker = speaker or speaker_for(settings.screens, settings.config_dir)
        self._audio: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._audio_lock = threading.Lock()
        self._making: dict[tuple[str, int], threading.Lock] = {}
        # Every hall of the server by name, this one included (they share the dict).
        self.halls: dict[str, ScreenSource] = {engine.hall: self}

    def add_hall(self, other: ScreenSource) -> None:
        """Another hall of the same server (on the same database and events)."""
        self.halls[other.engine.hall] = other
        other.halls = self.halls

    def of_hall(self, hall: str | None) -> ScreenSource | None:
        """The source of `hall` (None: this one); None for a hall not served here."""
        return self if hall is None else self.halls.get(hall)

    def of_ticket(self, ticket_id: str) -> tuple[ScreenSource, TicketRow] | None:
        """The ticket's hall and the ticket, whichever hall it is in: its id is all a
        taxpayer's phone has."""
        row = self.read(
            lambda tx: tx.one("SELECT hall FROM tickets WHERE ticket_id = ?", (ticket_id,))
        )
        source = None if row is None else self.halls.get(str(row[0]))
        ticket = None if source is None else source.ticket(ticket_id)
        return None if source is None or ticket is None else (source, ticket)

    def read(self, work: Callable[[Transaction], _T]) -> _T:
        with self._database.read() as tx:
            return work(tx)

    def ticket(self, ticket_id: str) -> TicketRow | None:
        return self.read(lambda tx: self.engine.ticket(tx, ticket_id))

    def public_state(self, ticket: TicketRow) -> api.TicketPublicOut:
        """The phone page's figures: no personal data."""
        queue = self.engine.queue(ticket.queue_code)
        ahead, estimate = self.read(lambda tx: self.engine.people_ahead(tx, ticket))
        return api.TicketPublicOut(
            server_time=self.engine.now(),
            number=ticket.number,
            queue_code=queue.code,
            queue_name_zh=queue.name_zh,
            queue_name_en=queue.name_en,
            status=ticket.status,
            people_ahead=ahead,
            estimated_wait_minutes=estimate,
            window=ticket.window,
            called_at=ticket.called_at,
        )

    def called(self, call_id: int) -> dict[str, Any] | None:
        """A recent call event by its id; None for any other id."""
        event = self.broker.recent(call_id)
        if event is None or event.get("kind") != "called" or event.get("number") is None:
            return None
        return event

    def audio(self, reading: CallReading) -> bytes:
        """The announcement's WAV, made once per number and window (VoiceError)."""
        key = (reading.number, reading.window)
        with self._audio_lock:
            if key in self._audio:
                self._audio.move_to_end(key)
                return self._audio[key]
            making = self._making.setdefault(key, threading.Lock())
        with making:  # two displays asking at once: one synthesis
            with self._audio_lock:
                if key in self._audio:
                    return self._audio[key]
            made = announcement_wav(reading, self.settings.screens, self._speaker)
            with self._audio_lock:
                self._audio[key] = made
                self._making.pop(key, None)
                while len(self._audio) > AUDIO_CACHE:
                    self._audio.popitem(last=False)
            return made
