"""The hall server's HTTP/JSON API: paths and models shared by the server and HttpHall.

Start one: ``kiosk hall serve --db FILE --port 0`` or ``server.runner.run_in_thread``.

Conventions (stable; changes only add optional fields):

- Every request under ``/v1`` needs ``Authorization: Bearer <token>``; without a valid
  token the answer is 401. A token belongs to one client id (a kiosk id such as "K01",
  or a window's software); the server takes the kiosk id from the token, never the body.
- Roles and halls (kiosk.hall.server.principal): a token has a role (kiosk, display,
  admin), a hall, the windows a kiosk may act for, and may expire (401). A kiosk reads,
  commits and voids only its own tickets (outbox records too), acts only for its
  granted windows, reads only its own records and devices; a display only reads;
  admin alone reloads. Anything else is 403. Nothing of another hall is visible: its
  tickets are 404, its events never sent.
- Every successful JSON answer carries ``server_time`` (aware, UTC) and most carry the
  hall's ``business_day``: kiosks use them for waits and day boundaries, not their own
  clock.
- Errors: 4xx with ``{"detail": "<message naming the field or the reason>"}``; a
  malformed body gets 422 with FastAPI's ``detail`` list plus ``message`` (a one-line
  summary naming every bad field); 401 no/bad token; 404 unknown ticket;
  409 a state conflict (commit of a void ticket, a paused window, numbers exhausted);
  413 body larger than the limit (1 MiB by default).
- Idempotency: reserve, lease and every uploaded record carry an ``idempotency_key``
  (8..64 chars of [A-Za-z0-9_-]); a request repeated with the same key (same client)
  returns the first answer and changes nothing. Commit and void are idempotent by
  nature (repeating them is a no-op, answered 200).
- Numbering: prefix letter + three digits per queue per business day (hall time zone).
  The server never issues seq >= ``offline_floor`` (default 900, see ``InfoOut``):
  numbers ``offline_floor..999`` belong to kiosks that never connected, each kiosk a
  distinct sub-range of ``OFFLINE_RANGE_SIZE`` numbers the server assigns it on first
  use (``InfoOut.offline_range``: the one its id derives, K01 900-919, K02 920-939,
  when free; kept for good); before it learnt it, a kiosk uses the range its settings
  give. An offline number outside the uploading kiosk's range is rejected. A number
  lease gives the kiosk a block of consecutive numbers per queue from the same
  counter the server uses (the counter jumps past the block), valid for that
  business day only; every lease request with a new key takes a new block (ask when
  the numbers left run low). The server's own numbers stop at offline_floor - 1 (409
  when a queue has none left).
- Offline tickets reach the server as records of the batch upload (below): a
  ``ticket.reserved`` record whose ``ticket_id`` the server does not know, with a
  payload holding ``number``, ``queue`` and ``business_day`` (as kiosk/tickets.py
  journals it) creates the ticket in the server's queue (status reserved); then
  ``ticket.printed`` / ``ticket.e_ticket`` make it waiting and ``ticket.voided`` voids
  it. For tickets the server issued itself these records are only stored. The number
  must come from a block leased to that kiosk that day or from its own offline range,
  and ``business_day`` must be the server's today (or yesterday: a late upload), else
  the record is "rejected" (never retried). The queue is ordered by the server's
  time: the record's ``at`` is kept as sent (the audit), but the ticket takes its
  place at ``at`` only inside [the start of its business day, this upload's
  receipt]; an ``at`` outside its day or after its receipt counts as received (the
  end of its day for yesterday's).
- A record the server cannot take as it is (an ``at`` that has no UTC time, text
  that is not Unicode, a number with other than ASCII digits, a matter code off its
  pattern) is "rejected" with the reason, on its own: the rest of the batch is taken.
- Reservations expire: one neither committed nor voided within the hall's
  ``reservation_ttl_seconds`` (default 120) no longer counts in ``waiting`` and
  ``people_ahead``; committed later, it still joins the queue. Reusing an
  idempotency key with other parameters is 422 (a record's key reused for another
  kind or ticket: that record is rejected).
- Every record is stored as it came; evaluations, follow-ups, staff, calls, services,
  heartbeats and device events also fill typed tables (a payload that does not fit is
  rejected naming the field). ``help.requested`` (一键求助; payload {"kiosk", "step"})
  opens a help request of the kiosk, shown on the display and the dashboard for 15 min
  (a ``help_requested`` event). A ``heartbeat``: {"kiosk", "printer", "printer_severity",
  "card_reader", "scanner", "app_version", "pending", "keypads_online": {"WINDOW": bool}}
  (others not kept); ``GET /v1/devices``: the latest per client, with later device events.
- Events: ``GET /v1/events`` is a server-sent event stream: ``event:`` is a
  HallEventKind value (called, finished, queue_changed, window_paused,
  window_resumed, catalog_updated, evaluated: a service rated on the phone page,
  help_requested: a kiosk's visitor asked for a guide), ``id:`` a sequence number (send
  ``Last-Event-ID`` to resume), ``data:`` one line of JSON (``EventOut``). A comment line
  (``: ping``) is sent every 15 s.
- Profiles: the kiosk sends ``identity_key_hash(key)`` (never the key itself).
- The ticket-status page (public, no token; the ticket id is unguessable):
  ``GET /t/{ticket_id}`` HTML, ``GET /t/{ticket_id}/state`` JSON (TicketPublicOut),
  ``GET /t/{ticket_id}/events`` SSE of ``state`` events. Reservations carry
  ``status_url``.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

API_PREFIX = "/v1"

# ---- paths -----------------------------------------------------------------------------
PATH_INFO = "/v1/info"  # GET -> InfoOut (who am I, server time, offline floor, versions)
PATH_QUEUES = "/v1/queues"  # GET -> QueuesOut
PATH_RESERVE = "/v1/tickets/reserve"  # POST ReserveIn -> ReservationOut
PATH_TICKET = "/v1/tickets/{ticket_id}"  # GET -> TicketOut
PATH_COMMIT = "/v1/tickets/{ticket_id}/commit"  # POST CommitIn -> TicketOut
PATH_VOID = "/v1/tickets/{ticket_id}/void"  # POST VoidIn -> TicketOut
PATH_LEASES = "/v1/leases"  # POST LeaseIn -> LeaseOut
PATH_RECORDS = "/v1/records"  # POST RecordBatchIn -> RecordBatchOut; GET ?kind= -> RecordsOut
PATH_DEVICES = "/v1/devices"  # GET -> DevicesOut (latest heartbeat per client)
PATH_PROFILE = "/v1/profiles/lookup"  # POST ProfileLookupIn -> ProfileOut
PATH_WINDOW_ACTION = "/v1/windows/{window}/{action}"  # POST (empty body) -> WindowActionOut
WINDOW_ACTIONS = ("call-next", "recall", "finish", "pause", "resume")
PATH_EVENTS = "/v1/events"  # GET -> text/event-stream
PATH_CATALOG_VERSION = "/v1/catalog/version"  # GET -> CatalogVersionOut
PATH_CATALOG = "/v1/catalog"  # GET -> CatalogOut
PATH_RELOAD = "/v1/admin/reload"  # POST -> CatalogVersionOut (re-reads config files)
PATH_STATUS_PAGE = "/t/{ticket_id}"  # GET, public: HTML
PATH_STATUS_STATE = "/t/{ticket_id}/state"  # GET, public: TicketPublicOut
PATH_STATUS_EVENTS = "/t/{ticket_id}/events"  # GET, public: SSE "state" events
PATH_OPENAPI = "/openapi.json"

DEFAULT_PORT = 8470
DEFAULT_OFFLINE_FLOOR = 900
MAX_BODY_BYTES = 1024 * 1024
MAX_BATCH = 1000  # records per upload
MAX_LEASE = 200  # numbers per queue per lease
OFFLINE_RANGE_SIZE = 20  # numbers per queue per day of a kiosk's own offline range

KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
TICKET_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,16}$"
QUEUE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
MATTER_PATTERN = r"^[A-Z0-9]{3,12}$"

TicketStatusName = Literal["reserved", "waiting", "called", "finished", "void"]
EventKindName = Literal[
    "called",
    "finished",
    "queue_changed",
    "window_paused",
    "window_resumed",
    "catalog_updated",
    "evaluated",
    "help_requested",
]


def identity_key_hash(key: str) -> str:
    """What the kiosk sends instead of an ID number, credit code or appointment code."""
    normalized = "".join(key.split()).upper()
    return hashlib.sha256(("hall-kiosk-identity:" + normalized).encode("utf-8")).hexdigest()


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Timed(_Out):
    server_time: AwareDatetime
    business_day: date


# ---- requests ---------------------------------------------------------------------------


MatterCode = Annotated[str, Field(pattern=MATTER_PATTERN)]


class ReserveIn(_In):
    queue_code: str = Field(pattern=QUEUE_PATTERN)
    matter_codes: list[MatterCode] = Field(default_factory=list, max_length=20)
    idempotency_key: str = Field(pattern=KEY_PATTERN)


class CommitIn(_In):
    channel: Literal["printed", "e_ticket"] = "printed"


class VoidIn(_In):
    reason: str = Field("", max_length=200)


class LeaseIn(_In):
    idempotency_key: str = Field(pattern=KEY_PATTERN)
    size: int = Field(20, ge=1, le=MAX_LEASE, description="Numbers per queue.")
    queues: list[str] | None = Field(
        None, max_length=32, description="Queue codes; null: every queue."
    )


class RecordIn(_In):
    idempotency_key: str = Field(pattern=KEY_PATTERN)
    kind: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")
    at: AwareDatetime
    ticket_id: str | None = Field(None, pattern=TICKET_ID_PATTERN)
    payload: dict[str, Any] = Field(default_factory=dict)


class RecordBatchIn(_In):
    records: list[RecordIn] = Field(max_length=MAX_BATCH)


class ProfileLookupIn(_In):
    kind: Literal["id_card", "credit_code", "appointment_code", "taxpayer_qr"]
    key_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="identity_key_hash(key)")


# ---- answers ----------------------------------------------------------------------------


class QueueOut(_Out):
    code: str
    prefix: str
    name_zh: str
    name_en: str
    waiting: int
    estimated_wait_minutes: int
    windows: list[int]
    issued_today: int | None = Field(
        None, description="Numbers issued today, voided ones aside (for daily quotas)."
    )


class QueuesOut(Timed):
    queues: list[QueueOut]


class OfflineRangeOut(_Out):
    first: int  # numbers first..last (inclusive) of every queue, every day
    last: int


class InfoOut(Timed):
    client_id: str
    hall: str = Field(
        "main",
        description="The hall the token belongs to (absent from servers of one hall: main).",
    )
    role: Literal["kiosk", "display", "admin"] = Field(
        "kiosk", description="What the token may do (absent from servers before roles: kiosk)."
    )
    offline_floor: int
    offline_range: OfflineRangeOut | None = Field(
        None,
        description="This kiosk's own offline numbers, assigned by the server (absent from"
        " servers before them; null: every range is taken).",
    )
    catalog_version: str
    timezone: str
    hall_name_zh: str
    hall_name_en: str


class ReservationOut(Timed):
    ticket_id: str
    number: str
    queue_code: str
    issued_at: AwareDatetime
    people_ahead: int
    estimated_wait_minutes: int
    status_url: str


class TicketOut(Timed):
    ticket_id: str
    number: str
    queue_code: str
    status: TicketStatusName
    channel: Literal["printed", "e_ticket"] | None
    issued_at: AwareDatetime
    called_at: AwareDatetime | None
    window: int | None
    kiosk_id: str


class LeaseBlock(_Out):
    queue_code: str
    prefix: str
    first: int  # numbers first..last (inclusive) of business_day are this kiosk's
    last: int


class LeaseOut(Timed):
    blocks: list[LeaseBlock]


class RecordResult(_Out):
    idempotency_key: str
    status: Literal["accepted", "duplicate", "rejected"]
    message: str = ""


class RecordBatchOut(Timed):
    results: list[RecordResult]


class StoredRecord(_Out):
    client_id: str
    idempotency_key: str
    kind: str
    at: AwareDatetime
    ticket_id: str | None
    payload: dict[str, Any]
    received_at: AwareDatetime


class RecordsOut(Timed):
    records: list[StoredRecord]
    total: int


class DeviceHealth(_Out):
    client_id: str
    at: AwareDatetime
    received_at: AwareDatetime
    payload: dict[str, Any]


class DevicesOut(Timed):
    devices: list[DeviceHealth]


class AppointmentOut(_Out):
    code: str
    matter_codes: list[str]
    starts_at: AwareDatetime


class ReminderOut(_Out):
    matter_code: str
    text_zh: str
    text_en: str
    due: date | None = None


class ProfileOut(Timed):
    known: bool
    credit_level: Literal["A", "B", "M", "C", "D"] | None = None
    new_taxpayer: bool = False
    registered_on: date | None = None
    appointments: list[AppointmentOut] = Field(
        default_factory=list, description="Today's appointments only."
    )
    reminders: list[ReminderOut] = Field(default_factory=list)
    frequent_matters: list[str] = Field(default_factory=list)


class EventOut(_Out):
    """The data of one server-sent event (also a window action's answer)."""

    id: int
    kind: EventKindName
    at: AwareDatetime
    window: int | None = None
    ticket_id: str | None = None
    number: str | None = None
    queue_code: str | None = None
    recall: bool = False
    staff_id: str | None = None
    catalog_version: str | None = None
    kiosk_id: str | None = None  # help_requested: the kiosk whose visitor asked for a guide


class WindowActionOut(Timed):
    event: EventOut | None = Field(description="null: nobody waits / nothing to recall.")
    paused: bool


class CatalogVersionOut(Timed):
    version: str = Field(description="The catalog's version field + a hash of every file.")
    files: dict[str, str] = Field(description="File name -> sha256 of its content.")


class CatalogOut(CatalogVersionOut):
    catalog: dict[str, Any] = Field(description="catalog.toml as JSON.")
    rules: dict[str, Any] | None = Field(None, description="The routing rules file, if any.")


class TicketPublicOut(_Out):
    """What the ticket-status page shows: no personal data."""

    server_time: AwareDatetime
    number: str
    queue_code: str
    queue_name_zh: str
    queue_name_en: str
    status: TicketStatusName
    people_ahead: int
    estimated_wait_minutes: int
    window: int | None
    called_at: AwareDatetime | None


class ErrorOut(_Out):
    detail: str


# ---- 好差评 (issue 17; models in kiosk/hall/evaluation_api.py) --------------------------
# Public (no token: the ticket id is unguessable): the phone page posts 差评 content.
PATH_TICKET_EVALUATION = "/t/{ticket_id}/evaluation"  # GET -> EvaluationStateOut; POST
PATH_WINDOW_STAFF = "/v1/window-staff/{window}"  # POST WindowStaffIn -> WindowStaffOut
PATH_FOLLOW_UPS_OVERDUE = "/v1/follow-ups/overdue"  # GET -> OverdueFollowUpsOut
PATH_FOLLOW_UP = "/v1/follow-ups/{evaluation_id}"  # POST FollowUpIn -> FollowUpOut
PATH_STAFF_FIGURES = "/v1/staff-figures"  # GET ?first=&last= -> StaffFiguresOut
