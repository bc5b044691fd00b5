"""HttpHall: the kiosk as a client of a hall server (kiosk/hall/api.py), online or not.

Online, numbers come from the server (reserve, then commit or void) and the
server's time, sent with every answer, sets the business day and the waits.
Offline, numbers come from leased blocks or the kiosk's own range (numbering.py).
Offline tickets reach the server through the journal's outbox (the ``ticket.*``
records kiosk/tickets.py journals); a commit or void the server could not take
is kept in the link file and retried by the sync worker (deliveries.py). The
link goes offline and back online by itself, without a restart.

The server's event stream (SSE) is read on a thread of its own (event_stream.py)
and republished to this backend's subscribers as HallEvents.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import httpx

from kiosk.clock import Clock
from kiosk.hall import api
from kiosk.hall.base import (
    HallBackend,
    HallError,
    HallEvent,
    QueueState,
    Reservation,
    TicketChannel,
)
from kiosk.hall.http.deliveries import TicketOutcomes, send_records
from kiosk.hall.http.event_stream import EventStreamReader, hall_event
from kiosk.hall.http.link_file import LinkFile
from kiosk.hall.http.lost_reservations import LostReservations
from kiosk.hall.http.numbering import OfflineNumbering
from kiosk.hall.http.wire import ConnectionTest, HallWire
from kiosk.hall.link import HallLink, LinkDown, ServerClock
from kiosk.hall.outbox_delivery import Delivery
from kiosk.journal import OutboxRecord
from kiosk.settings import Settings
from kiosk.taxpayer import (
    UNKNOWN_PROFILE,
    Appointment,
    CreditLevel,
    Identity,
    Reminder,
    TaxpayerProfile,
)
from kiosk.text import Text

log = logging.getLogger(__name__)

WINDOW_ACTION_PATHS = dict(
    zip(("call", "recall", "finish", "pause", "resume"), api.WINDOW_ACTIONS, strict=True)
)


class HttpHall(HallBackend):
    def __init__(
        self,
        settings: Settings,
        state_path: Path,
        clock: Clock,
        link: HallLink | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__()
        if not settings.hall.url:
            raise HallError("hall.url is empty: the kiosk does not know the hall server")
        self._settings = settings
        self._file = LinkFile(state_path)
        offset = self._file.meta("clock_offset")
        self.clock = ServerClock(clock, float(offset) if offset else 0.0)
        self.link = link or HallLink(clock)
        self.wire = HallWire(
            settings,
            self.clock,
            clock,
            self.link,
            lambda seconds: self._file.set_meta("clock_offset", f"{seconds:.3f}"),
            transport,
        )
        self._numbers = OfflineNumbering(settings, self._file, self.wire, self.clock)
        self._outcomes = TicketOutcomes(self._file, self.wire)
        self._lost = LostReservations(self._file, self.wire)
        self.event_stream = EventStreamReader(self.wire.stream_client, self.link, self.publish)
        self.events_connected = self.event_stream.connected

    def business_day(self) -> date:
        return self._numbers.business_day()

    def _queue_prefix(self, queue_code: str) -> str:
        try:
            return self._settings.queue(queue_code).prefix
        except KeyError:
            raise HallError(f"no queue has the code {queue_code!r}") from None

    # ---- queue states and tickets -------------------------------------------------------

    def queue_states(self) -> dict[str, QueueState]:
        answer = self.wire.online_call("GET", api.PATH_QUEUES, api.QueuesOut)
        if answer is None:
            return self._numbers.queue_states()
        states = {
            queue.code: QueueState(
                queue.code,
                queue.waiting,
                queue.estimated_wait_minutes,
                tuple(queue.windows),
                issued_today=queue.issued_today,
            )
            for queue in answer.queues
        }
        self._numbers.remember(states)
        return states

    def reserve(self, queue_code: str, matter_codes: Sequence[str], kiosk_id: str) -> Reservation:
        prefix = self._queue_prefix(queue_code)
        request = api.ReserveIn(
            queue_code=queue_code,
            matter_codes=list(matter_codes),
            idempotency_key=uuid.uuid4().hex,
        )
        answer = self.wire.online_call(
            "POST",
            api.PATH_RESERVE,
            api.ReservationOut,
            request,
            on_lost=lambda: self._lost.note(request),
        )
        if answer is None:
            return self._numbers.reserve(queue_code, prefix)
        self._file.add_online(
            answer.ticket_id,
            answer.business_day.isoformat(),
            answer.queue_code,
            answer.number,
            answer.status_url,
        )
        return Reservation(
            answer.ticket_id,
            answer.number,
            answer.queue_code,
            answer.business_day,
            answer.issued_at,
            answer.people_ahead,
            answer.estimated_wait_minutes,
        )

    def commit(self, ticket_id: str, channel: TicketChannel) -> None:
        self._outcomes.finish(ticket_id, "commit", channel.value, "")

    def void(self, ticket_id: str, reason: str) -> None:
        self._outcomes.finish(ticket_id, "void", None, reason)

    def unconfirmed(self, kiosk_id: str) -> list[str]:
        return self._file.reserved()  # the file only holds this kiosk's tickets

    def retry_pending(self) -> int:
        """Commits and voids the server has not taken yet; returns how many are left."""
        return self._outcomes.retry_pending()

    def ticket_status(self, ticket_id: str) -> str | None:
        local = self._file.ticket(ticket_id)
        if local is not None and local[1]:
            return local[0]  # the server may not know it yet
        try:
            answer = self.wire.online_call(
                "GET", api.PATH_TICKET.format(ticket_id=ticket_id), api.TicketOut
            )
        except HallError:
            answer = None
        if answer is not None:
            return answer.status
        return None if local is None else local[0]

    def ticket_status_url(self, reservation: Reservation) -> str | None:
        known = self._file.status_url(reservation.ticket_id)
        if known:  # empty: a server that knows no public address of its own
            return known
        # An offline ticket: the server shows it once the outbox has delivered it.
        return self.wire.base_url + api.PATH_STATUS_PAGE.format(ticket_id=reservation.ticket_id)

    # ---- the sync worker's side ---------------------------------------------------------

    def send(self, records: Sequence[OutboxRecord]) -> Delivery:
        """OutboxSender: one batch to the server; LinkDown when it cannot take it."""
        return send_records(self.wire, records)

    def maintain(self) -> None:
        """Each sync cycle: the server's time, pending commits and voids, and enough
        leased numbers for today. Raises LinkDown when the server cannot be reached."""
        try:
            info = self.wire.request("GET", api.PATH_INFO, api.InfoOut)
        except LinkDown as error:
            self.wire.went_offline(str(error))
            raise
        except HallError as error:
            raise LinkDown(str(error)) from None
        self._numbers.learn_range(info)
        self._lost.resolve()
        self.retry_pending()
        self.ensure_leases()

    def ensure_leases(self) -> None:
        """Lease a new block for every queue with less than half a block left today."""
        self._numbers.ensure_leases()

    def leased_left(self, queue_code: str) -> int:
        """Leased numbers still unused today for the queue (technicians, tests)."""
        return self._numbers.leased_left(queue_code)

    # ---- the catalog (kiosk/hall/catalog_updates.py), technicians ------------------------

    def catalog_version(self) -> str | None:
        """The catalog version the server serves now; None when it cannot be reached
        or refuses (logged)."""
        try:
            answer = self.wire.online_call("GET", api.PATH_CATALOG_VERSION, api.CatalogVersionOut)
        except HallError as error:
            log.warning("no catalog version from the hall server: %s", error)
            return None
        return None if answer is None else answer.version

    def fetch_catalog(self) -> api.CatalogOut | None:
        """The catalog and routing rules the server serves now, not yet validated;
        None when it cannot be reached or refuses (logged)."""
        try:
            return self.wire.online_call("GET", api.PATH_CATALOG, api.CatalogOut)
        except HallError as error:
            log.warning("no catalog from the hall server: %s", error)
            return None

    def probe(self) -> api.InfoOut | None:
        """Ask the server who we are and its time now; None when it cannot be reached."""
        return self.wire.probe()

    def test_connection(self) -> ConnectionTest:
        """One authenticated call (GET /v1/info), timed; never raises."""
        return self.wire.test_connection()

    # ---- taxpayers ----------------------------------------------------------------------

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        request = api.ProfileLookupIn(
            kind=identity.kind.value,
            key_hash=api.identity_key_hash(identity.key),
        )
        answer = self.wire.online_call("POST", api.PATH_PROFILE, api.ProfileOut, request)
        if answer is None:
            raise HallError("the hall server cannot be reached: no taxpayer profile offline")
        if not answer.known:
            return UNKNOWN_PROFILE
        try:
            return self._profile(answer)
        except OverflowError:  # a date the hall's time zone cannot hold (year 1 or 9999)
            raise HallError("the hall server's profile answer holds an impossible date") from None

    def _profile(self, answer: api.ProfileOut) -> TaxpayerProfile:
        zone = self._numbers.zone
        return TaxpayerProfile(
            credit_level=None if answer.credit_level is None else CreditLevel(answer.credit_level),
            new_taxpayer=answer.new_taxpayer,
            registered_on=answer.registered_on,
            appointments=tuple(
                Appointment(item.code, tuple(item.matter_codes), item.starts_at.astimezone(zone))
                for item in answer.appointments
            ),
            reminders=tuple(
                Reminder(item.matter_code, Text(zh=item.text_zh, en=item.text_en), item.due)
                for item in answer.reminders
            ),
            frequent_matters=tuple(answer.frequent_matters),
        )

    # ---- window actions ----------------------------------------------------------------

    def _window_action(self, window: int, action: str) -> HallEvent | None:
        path = api.PATH_WINDOW_ACTION.format(window=window, action=WINDOW_ACTION_PATHS[action])
        try:
            answer = self.wire.request("POST", path, api.WindowActionOut)
        except LinkDown as error:
            self.wire.went_offline(str(error))
            raise HallError(f"the hall server cannot be reached: {error}") from None
        return None if answer.event is None else hall_event(answer.event)

    def call_next_at(self, window: int) -> HallEvent | None:
        return self._window_action(window, "call")

    def recall_at(self, window: int) -> HallEvent | None:
        return self._window_action(window, "recall")

    def finish_at(self, window: int) -> HallEvent | None:
        return self._window_action(window, "finish")

    def pause_window(self, window: int) -> None:
        self._window_action(window, "pause")

    def resume_window(self, window: int) -> None:
        self._window_action(window, "resume")

    # ---- the event stream, closing --------------------------------------------------------

    def start_events(self) -> None:
        """Read the server's event stream on a thread, reconnecting with back-off."""
        self.event_stream.start()

    def close(self) -> None:
        self.event_stream.stop()
        self.wire.close()
        self._file.close()
