"""HttpHall: the kiosk as a client of a hall server (kiosk/hall/api.py), online or not.

Online, numbers come from the server (reserve, then commit or void) and the
server's time, sent with every answer, sets the business day and the waits.
Offline, numbers come from blocks the server leased to this kiosk for today
(leased while online, kept in a small SQLite file beside the journal) and,
for a kiosk that never had a lease today, from the kiosk's own range
(hall.offline_range): the server never issues those itself, so no two kiosks
ever print the same number on a day. Offline tickets reach the server through
the journal's outbox (the ``ticket.*`` records kiosk/tickets.py journals); a
commit or void the server could not take is kept here and retried by the sync
worker. The link goes offline and back online by itself, without a restart.

The server's event stream (SSE) is read on a thread of its own and republished
to this backend's subscribers as HallEvents.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
from pydantic import BaseModel, ValidationError

from kiosk.clock import Clock
from kiosk.hall import api
from kiosk.hall.base import (
    HallBackend,
    HallError,
    HallEvent,
    HallEventKind,
    QueueState,
    Reservation,
    TicketChannel,
)
from kiosk.hall.link import HallLink, LinkDown, ServerClock
from kiosk.hall.outbox_delivery import Delivery
from kiosk.settings import Settings
from kiosk.sqlite import open_database
from kiosk.store import OutboxRecord
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
# httpx logs every request line at INFO: a kiosk's log would be nothing else.
logging.getLogger("httpx").setLevel(logging.WARNING)

Model = TypeVar("Model", bound=BaseModel)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leases (
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    next INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('lease', 'own_range')),
    PRIMARY KEY (business_day, queue, first)
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id TEXT PRIMARY KEY,
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    number TEXT NOT NULL,
    status TEXT NOT NULL,
    offline INTEGER NOT NULL,
    status_url TEXT,
    retry TEXT CHECK (retry IN ('commit', 'void')),
    channel TEXT,
    reason TEXT,
    UNIQUE (business_day, queue, number)
);
"""

KEEP_DAYS = 7  # local ticket rows (status of this kiosk's tickets) kept this long
REFUSED_TOKEN = "the hall server refused this kiosk's token (kiosk hall token create)"
EVENT_KINDS = {kind.value: kind for kind in HallEventKind}
WINDOW_ACTION_PATHS = dict(
    zip(("call", "recall", "finish", "pause", "resume"), api.WINDOW_ACTIONS, strict=True)
)


class AnswerLost(LinkDown):
    """The request was sent but no usable answer came (timeout, connection cut)."""


@dataclass(frozen=True)
class ConnectionTest:
    """A technician's connection test: ok with the round trip and the server's time,
    or the reason it failed (never the token)."""

    ok: bool
    round_trip_ms: float
    server_time: datetime | None = None
    client_id: str | None = None
    reason: str | None = None


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
        hall = settings.hall
        if not hall.url:
            raise HallError("hall.url is empty: the kiosk does not know the hall server")
        self._settings = settings
        self._zone = ZoneInfo(settings.kiosk.timezone)
        self._base_url = hall.url.rstrip("/")
        self._own_range = hall.offline_numbers(settings.kiosk.id)
        self._lease_size = hall.lease_size
        self._lock = threading.Lock()
        self._db = open_database(state_path, SCHEMA)
        offset = self._meta("clock_offset")
        self.clock = ServerClock(clock, float(offset) if offset else 0.0)
        self._base_clock = clock
        self.link = link or HallLink(clock)
        self._probe_after = 0.0
        self._queue_cache: dict[str, QueueState] = {}
        timeout = httpx.Timeout(hall.request_timeout_seconds, connect=hall.connect_timeout_seconds)
        verify: bool | str = str(hall.ca_file) if hall.ca_file else hall.tls_verify
        headers = {"Authorization": f"Bearer {hall.token}"}
        self._client = httpx.Client(
            base_url=self._base_url,
            headers=headers,
            timeout=timeout,
            verify=verify,
            transport=transport,
        )
        self._stream_client = httpx.Client(
            base_url=self._base_url,
            headers=headers,
            timeout=httpx.Timeout(None, connect=hall.connect_timeout_seconds),
            verify=verify,
            transport=transport,
        )
        self._events_stop = threading.Event()
        self._events_thread: threading.Thread | None = None
        self._last_event_id: str | None = None
        self._stream: httpx.Response | None = None
        self.events_connected = threading.Event()

    # ---- the wire -------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        answer: type[Model],
        body: BaseModel | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Model:
        """One call; LinkDown when the server is unreachable or answers nonsense,
        HallError with the server's reason for a 4xx."""
        try:
            response = self._client.request(
                method,
                path,
                content=None if body is None else body.model_dump_json(),
                headers=None if body is None else {"Content-Type": "application/json"},
                params=params,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise LinkDown(f"hall server {self._base_url}: {type(error).__name__}") from None
        except httpx.HTTPError as error:  # the request may have reached the server
            raise AnswerLost(f"hall server {self._base_url}: {type(error).__name__}") from None
        if response.status_code == 401:
            raise LinkDown(REFUSED_TOKEN)
        if response.status_code >= 500:
            raise LinkDown(f"hall server error {response.status_code}")
        if response.status_code >= 400:
            raise HallError(f"the hall server refused: {_reason(response)}")
        try:
            parsed = answer.model_validate_json(response.content)
        except ValidationError as error:
            raise LinkDown(
                f"the hall server answered {path} with something unexpected "
                f"({error.error_count()} problem(s))"
            ) from None
        self.link.mark_online()
        server_time = getattr(parsed, "server_time", None)
        if isinstance(server_time, datetime):
            self._observe_time(server_time)
        return parsed

    def _observe_time(self, server_time: datetime) -> None:
        before = self.clock.offset_seconds
        after = self.clock.observe(server_time)
        if abs(after - before) >= 1.0:
            with self._lock:
                self._set_meta("clock_offset", f"{after:.3f}")

    def _online_call(
        self,
        method: str,
        path: str,
        answer: type[Model],
        body: BaseModel | None = None,
    ) -> Model | None:
        """A call worth trying now: online, or offline but due for a probe. None (and
        the link offline) when the server cannot be reached. A call whose answer was
        lost is repeated once, as it was (idempotent: the server answers the same)."""
        if not self.link.online and self._base_clock.monotonic() < self._probe_after:
            return None
        for attempt in (1, 2):
            try:
                return self._request(method, path, answer, body)
            except AnswerLost as error:
                if attempt == 2:
                    self._went_offline(str(error))
            except LinkDown as error:
                self._went_offline(str(error))
                break
        return None

    def _went_offline(self, reason: str) -> None:
        self.link.mark_offline(reason)
        self._probe_after = self._base_clock.monotonic() + self._settings.hall.sync_interval_seconds

    # ---- local state ------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def business_day(self) -> date:
        return self.clock.now().astimezone(self._zone).date()

    def _queue_prefix(self, queue_code: str) -> str:
        try:
            return self._settings.queue(queue_code).prefix
        except KeyError:
            raise HallError(f"no queue has the code {queue_code!r}") from None

    # ---- queue states -----------------------------------------------------------------

    def queue_states(self) -> dict[str, QueueState]:
        answer = self._online_call("GET", api.PATH_QUEUES, api.QueuesOut)
        if answer is not None:
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
            with self._lock:
                self._queue_cache = dict(states)
            return states
        return self._offline_states()

    def _offline_states(self) -> dict[str, QueueState]:
        """Approximate: the last states the server gave, plus this kiosk's tickets
        issued offline since (the screen says estimates are approximate)."""
        day = self.business_day().isoformat()
        states = {}
        with self._lock:
            cache = dict(self._queue_cache)
            rows = dict(
                self._db.execute(
                    "SELECT queue, COUNT(*) FROM tickets WHERE business_day = ? AND offline = 1"
                    " AND status IN ('reserved', 'waiting') GROUP BY queue",
                    (day,),
                ).fetchall()
            )
        for queue in self._settings.queues:
            known = cache.get(queue.code)
            waiting = (known.waiting if known else 0) + int(rows.get(queue.code, 0))
            minutes = math.ceil(waiting * queue.service_minutes / len(queue.windows))
            issued = None
            if known is not None and known.issued_today is not None:
                issued = known.issued_today + int(rows.get(queue.code, 0))
            states[queue.code] = QueueState(
                queue.code, waiting, minutes, queue.windows, issued_today=issued
            )
        return states

    # ---- tickets ------------------------------------------------------------------------

    def reserve(self, queue_code: str, matter_codes: Sequence[str], kiosk_id: str) -> Reservation:
        self._queue_prefix(queue_code)
        request = api.ReserveIn(
            queue_code=queue_code,
            matter_codes=list(matter_codes),
            idempotency_key=uuid.uuid4().hex,
        )
        answer = self._online_call("POST", api.PATH_RESERVE, api.ReservationOut, request)
        if answer is None:
            return self._reserve_offline(queue_code)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO tickets (ticket_id, business_day, queue, number, status,"
                " offline, status_url) VALUES (?, ?, ?, ?, 'reserved', 0, ?)",
                (
                    answer.ticket_id,
                    answer.business_day.isoformat(),
                    answer.queue_code,
                    answer.number,
                    answer.status_url,
                ),
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

    def _reserve_offline(self, queue_code: str) -> Reservation:
        prefix = self._queue_prefix(queue_code)
        now = self.clock.now()
        day = now.astimezone(self._zone).date()
        states = self._offline_states()
        ticket_id = uuid.uuid4().hex
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                seq = self._take_number(day.isoformat(), queue_code)
                number = f"{prefix}{seq:03d}"
                self._db.execute(
                    "INSERT INTO tickets (ticket_id, business_day, queue, number, status,"
                    " offline) VALUES (?, ?, ?, ?, 'reserved', 1)",
                    (ticket_id, day.isoformat(), queue_code, number),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise HallError(f"the kiosk's hall state failed: {error}") from None
            except HallError:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        state = states[queue_code]
        log.info("offline ticket %s from this kiosk's numbers", number)
        return Reservation(
            ticket_id, number, queue_code, day, now, state.waiting, state.estimated_wait_minutes
        )

    def _take_number(self, day: str, queue_code: str) -> int:
        """The next free number of today's leased blocks, then of the kiosk's own range;
        called inside a transaction."""
        row = self._db.execute(
            "SELECT first, next FROM leases WHERE business_day = ? AND queue = ? AND next <= last"
            " ORDER BY source = 'own_range', first LIMIT 1",
            (day, queue_code),
        ).fetchone()
        if row is None and self._own_range is not None:
            first, last = self._own_range
            self._db.execute(
                "INSERT OR IGNORE INTO leases (business_day, queue, first, last, next, source)"
                " VALUES (?, ?, ?, ?, ?, 'own_range')",
                (day, queue_code, first, last, first),
            )
            row = self._db.execute(
                "SELECT first, next FROM leases WHERE business_day = ? AND queue = ?"
                " AND source = 'own_range' AND next <= last",
                (day, queue_code),
            ).fetchone()
        if row is None:
            raise HallError(
                f"offline, and no numbers left for queue {queue_code} today: "
                "this kiosk has no leased block and its own range is used up or not set"
            )
        first, seq = int(row[0]), int(row[1])
        self._db.execute(
            "UPDATE leases SET next = next + 1 WHERE business_day = ? AND queue = ? AND first = ?",
            (day, queue_code, first),
        )
        return seq

    def _local_ticket(self, ticket_id: str) -> tuple[str, bool] | None:
        row = self._db.execute(
            "SELECT status, offline FROM tickets WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), bool(row[1]))

    def commit(self, ticket_id: str, channel: TicketChannel) -> None:
        self._finish_reservation(ticket_id, "commit", channel.value, "")

    def void(self, ticket_id: str, reason: str) -> None:
        self._finish_reservation(ticket_id, "void", None, reason)

    def unconfirmed(self, kiosk_id: str) -> list[str]:
        # This file only holds this kiosk's tickets.
        with self._lock:
            rows = self._db.execute(
                "SELECT ticket_id FROM tickets WHERE status = 'reserved' ORDER BY rowid"
            ).fetchall()
        return [str(row[0]) for row in rows]

    def _finish_reservation(
        self, ticket_id: str, action: str, channel: str | None, reason: str
    ) -> None:
        status = "waiting" if action == "commit" else "void"
        with self._lock:
            local = self._local_ticket(ticket_id)
            if local is None:
                raise HallError(f"ticket {ticket_id} was not issued by this kiosk")
            if local[0] == "void" or (action == "commit" and local[0] != "reserved"):
                raise HallError(f"ticket {ticket_id} is {local[0]}")
            # Offline tickets reach the server through the outbox; online ones are
            # told now, or retried by the sync worker (maintain) until the server takes it.
            self._db.execute(
                "UPDATE tickets SET status = ?, retry = ?, channel = ?, reason = ?"
                " WHERE ticket_id = ?",
                (status, None if local[1] else action, channel, reason[:200], ticket_id),
            )
            offline = local[1]
        if not offline:
            self._retry_one(ticket_id, action, channel, reason)

    def _retry_one(self, ticket_id: str, action: str, channel: str | None, reason: str) -> bool:
        body: BaseModel
        if action == "commit":
            body = api.CommitIn(channel="e_ticket" if channel == "e_ticket" else "printed")
            path = api.PATH_COMMIT.format(ticket_id=ticket_id)
        else:
            body = api.VoidIn(reason=reason[:200])
            path = api.PATH_VOID.format(ticket_id=ticket_id)
        try:
            answer = self._online_call("POST", path, api.TicketOut, body)
        except HallError as error:  # the server will never take it: stop retrying
            log.error("the hall server refused to %s ticket %s: %s", action, ticket_id, error)
            answer = None
            done = True
        else:
            done = answer is not None
        if done:
            with self._lock:
                self._db.execute(
                    "UPDATE tickets SET retry = NULL WHERE ticket_id = ?", (ticket_id,)
                )
        return done

    def retry_pending(self) -> int:
        """Commits and voids the server has not taken yet; returns how many are left."""
        with self._lock:
            rows = self._db.execute(
                "SELECT ticket_id, retry, channel, reason FROM tickets WHERE retry IS NOT NULL"
            ).fetchall()
        left = 0
        for ticket_id, action, channel, reason in rows:
            if not self._retry_one(str(ticket_id), str(action), channel, str(reason or "")):
                left += 1
        return left

    def ticket_status(self, ticket_id: str) -> str | None:
        with self._lock:
            local = self._local_ticket(ticket_id)
        if local is not None and local[1]:
            return local[0]  # the server may not know it yet
        try:
            answer = self._online_call(
                "GET", api.PATH_TICKET.format(ticket_id=ticket_id), api.TicketOut
            )
        except HallError:
            answer = None
        if answer is not None:
            return answer.status
        return None if local is None else local[0]

    def ticket_status_url(self, reservation: Reservation) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT status_url FROM tickets WHERE ticket_id = ?", (reservation.ticket_id,)
            ).fetchone()
        if row is not None and row[0]:
            return str(row[0])
        # An offline ticket: the server shows it once the outbox has delivered it.
        return self._base_url + api.PATH_STATUS_PAGE.format(ticket_id=reservation.ticket_id)

    # ---- the sync worker's side ---------------------------------------------------------

    def send(self, records: Sequence[OutboxRecord]) -> Delivery:
        """OutboxSender: one batch to the server; LinkDown when it cannot take it."""
        batch = api.RecordBatchIn(
            records=[
                api.RecordIn(
                    idempotency_key=record.idempotency_key,
                    kind=record.kind,
                    at=datetime.fromisoformat(record.at),
                    ticket_id=record.ticket_id,
                    payload=record.payload,
                )
                for record in records
            ]
        )
        try:
            answer = self._request("POST", api.PATH_RECORDS, api.RecordBatchOut, batch)
        except HallError as error:
            raise LinkDown(str(error)) from None
        by_key = {record.idempotency_key: record.event_id for record in records}
        acknowledged: list[int] = []
        refused: dict[int, str] = {}
        for result in answer.results:
            event_id = by_key.get(result.idempotency_key)
            if event_id is None:
                continue
            if result.status == "rejected":
                refused[event_id] = result.message or "rejected"
            else:
                acknowledged.append(event_id)
        return Delivery(acknowledged, refused)

    def maintain(self) -> None:
        """Each sync cycle: the server's time, pending commits and voids, and enough
        leased numbers for today. Raises LinkDown when the server cannot be reached."""
        try:
            self._request("GET", api.PATH_INFO, api.InfoOut)
        except LinkDown as error:
            self._went_offline(str(error))
            raise
        except HallError as error:
            raise LinkDown(str(error)) from None
        self.retry_pending()
        self.ensure_leases()

    # ---- the catalog (kiosk/hall/catalog_updates.py) --------------------------------------------

    def catalog_version(self) -> str | None:
        """The catalog version the server serves now; None when it cannot be reached
        or refuses (logged)."""
        try:
            answer = self._online_call("GET", api.PATH_CATALOG_VERSION, api.CatalogVersionOut)
        except HallError as error:
            log.warning("no catalog version from the hall server: %s", error)
            return None
        return None if answer is None else answer.version

    def fetch_catalog(self) -> api.CatalogOut | None:
        """The catalog and routing rules the server serves now, not yet validated;
        None when it cannot be reached or refuses (logged)."""
        try:
            return self._online_call("GET", api.PATH_CATALOG, api.CatalogOut)
        except HallError as error:
            log.warning("no catalog from the hall server: %s", error)
            return None

    def probe(self) -> api.InfoOut | None:
        """Ask the server who we are and its time now; None when it cannot be reached."""
        try:
            return self._request("GET", api.PATH_INFO, api.InfoOut)
        except LinkDown as error:
            self._went_offline(str(error))
        except HallError as error:
            self._went_offline(str(error))
        return None

    def test_connection(self) -> ConnectionTest:
        """One authenticated call (GET /v1/info), timed; never raises."""
        started = time.perf_counter()  # a real round trip, whatever the kiosk's clock
        reason: str | None = None
        info: api.InfoOut | None = None
        try:
            info = self._request("GET", api.PATH_INFO, api.InfoOut)
        except LinkDown as error:
            reason = str(error)
            self._went_offline(reason)
        except HallError as error:
            reason = str(error)
        elapsed = round((time.perf_counter() - started) * 1000.0, 1)
        if info is None:
            return ConnectionTest(False, elapsed, reason=reason or "no answer")
        return ConnectionTest(True, elapsed, info.server_time, info.client_id)

    def ensure_leases(self) -> None:
        """Lease a new block for every queue with less than half a block left today."""
        today = self.business_day()
        day = today.isoformat()
        kept_from = (today - timedelta(days=KEEP_DAYS)).isoformat()
        with self._lock:
            # Leases expire with their day; old tickets are only kept a while for status.
            self._db.execute("DELETE FROM leases WHERE business_day < ?", (day,))
            self._db.execute(
                "DELETE FROM tickets WHERE business_day < ? AND retry IS NULL", (kept_from,)
            )
            left = dict(
                self._db.execute(
                    "SELECT queue, SUM(last - next + 1) FROM leases WHERE business_day = ?"
                    " AND source = 'lease' AND next <= last GROUP BY queue",
                    (day,),
                ).fetchall()
            )
        short = [
            queue.code
            for queue in self._settings.queues
            if int(left.get(queue.code, 0)) * 2 < self._lease_size
        ]
        if not short:
            return
        request = api.LeaseIn(idempotency_key=uuid.uuid4().hex, size=self._lease_size, queues=short)
        try:
            answer = self._request("POST", api.PATH_LEASES, api.LeaseOut, request)
        except HallError as error:
            log.warning("no number lease: %s", error)
            return
        with self._lock:
            for block in answer.blocks:
                if not 0 <= block.first <= block.last < 2**63:  # SQLite's INTEGER: no overflow
                    log.warning("the hall server leased an impossible number block; ignored")
                    continue
                self._db.execute(
                    "INSERT OR IGNORE INTO leases (business_day, queue, first, last, next, source)"
                    " VALUES (?, ?, ?, ?, ?, 'lease')",
                    (
                        answer.business_day.isoformat(),
                        block.queue_code,
                        block.first,
                        block.last,
                        block.first,
                    ),
                )

    def leased_left(self, queue_code: str) -> int:
        """Leased numbers still unused today for the queue (technicians, tests)."""
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(last - next + 1), 0) FROM leases WHERE business_day = ?"
                " AND queue = ? AND source = 'lease' AND next <= last",
                (self.business_day().isoformat(), queue_code),
            ).fetchone()
        return int(row[0])

    # ---- taxpayers ----------------------------------------------------------------------

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        request = api.ProfileLookupIn(
            kind=identity.kind.value,
            key_hash=api.identity_key_hash(identity.key),
        )
        answer = self._online_call("POST", api.PATH_PROFILE, api.ProfileOut, request)
        if answer is None:
            raise HallError("the hall server cannot be reached: no taxpayer profile offline")
        if not answer.known:
            return UNKNOWN_PROFILE
        try:
            return self._profile(answer)
        except OverflowError:  # a date the hall's time zone cannot hold (year 1 or 9999)
            raise HallError("the hall server's profile answer holds an impossible date") from None

    def _profile(self, answer: api.ProfileOut) -> TaxpayerProfile:
        return TaxpayerProfile(
            credit_level=None if answer.credit_level is None else CreditLevel(answer.credit_level),
            new_taxpayer=answer.new_taxpayer,
            registered_on=answer.registered_on,
            appointments=tuple(
                Appointment(
                    item.code, tuple(item.matter_codes), item.starts_at.astimezone(self._zone)
                )
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
            answer = self._request("POST", path, api.WindowActionOut)
        except LinkDown as error:
            self._went_offline(str(error))
            raise HallError(f"the hall server cannot be reached: {error}") from None
        return None if answer.event is None else _hall_event(answer.event)

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

    # ---- the event stream ----------------------------------------------------------------

    def start_events(self) -> None:
        """Read the server's event stream on a thread, reconnecting with back-off."""
        if self._events_thread is not None:
            return
        self._events_stop.clear()
        self._events_thread = threading.Thread(
            target=self._read_events, name="hall-events", daemon=True
        )
        self._events_thread.start()

    def _read_events(self) -> None:
        delay = 0.5
        while not self._events_stop.is_set():
            try:
                headers = {"Accept": "text/event-stream"}
                if self._last_event_id is not None:
                    headers["Last-Event-ID"] = self._last_event_id
                with self._stream_client.stream("GET", api.PATH_EVENTS, headers=headers) as reply:
                    if reply.status_code != 200:
                        raise LinkDown(f"event stream answered {reply.status_code}")
                    self._stream = reply
                    self.events_connected.set()
                    self.link.mark_online()
                    delay = 0.5
                    for kind, event_id, data in _sse_events(reply.iter_lines()):
                        if self._events_stop.is_set():
                            return
                        self._on_stream_event(kind, event_id, data)
            except (httpx.HTTPError, LinkDown) as error:
                log.debug("hall event stream interrupted: %s", error)
            except Exception:
                log.exception("hall event stream failed")
            self._stream = None
            self.events_connected.clear()
            if self._events_stop.wait(delay):
                return
            delay = min(delay * 2, 5.0)

    def _on_stream_event(self, kind: str, event_id: str | None, data: str) -> None:
        if event_id is not None:
            self._last_event_id = event_id
        if kind not in EVENT_KINDS:
            return
        try:
            event = api.EventOut.model_validate_json(data)
        except ValidationError:
            log.warning("the hall server sent an unreadable %s event", kind)
            return
        self.publish(_hall_event(event))

    def close(self) -> None:
        self._events_stop.set()
        self._interrupt_stream()
        if self._events_thread is not None:
            self._events_thread.join(timeout=5)
            self._events_thread = None
        self._stream_client.close()
        self._client.close()
        with self._lock:
            self._db.close()

    def _interrupt_stream(self) -> None:
        """Wake the event thread blocked on reading the stream: shut its socket down."""
        reply = self._stream
        stream = None if reply is None else reply.extensions.get("network_stream")
        sock = None if stream is None else stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _hall_event(event: api.EventOut) -> HallEvent:
    return HallEvent(
        kind=EVENT_KINDS[event.kind],
        at=event.at,
        window=event.window,
        ticket_id=event.ticket_id,
        number=event.number,
        queue_code=event.queue_code,
        recall=event.recall,
        staff_id=event.staff_id,
    )


def _reason(response: httpx.Response) -> str:
    """The server's message (it names the field), or the status code."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[...
        return f"status {response.status_code}"
    if isinstance(body, dict):
        message = body.get("message") or body.get("detail")
        if isinstance(message, str):
            return message[:300]
        if message is not None:
            return json.dumps(message, ensure_ascii=False)[:300]
    return f"status {response.status_code}"


def _sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str | None, str]]:
    """(event, id, data) of a text/event-stream, per the WHATWG rules that matter here."""
    kind: str = "message"
    event_id: str | None = None
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield kind, event_id, "\n".join(data)
            kind, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            kind = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value


def hall_link_report(settings: Settings) -> dict[str, Any]:
    """For `kiosk hall status`: the backend, whether the server answers now, the clock
    offset, and the outbox (waiting, refused, oldest) read from this kiosk's journal."""
    from kiosk.clock import SystemClock
    from kiosk.store import Journal

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
