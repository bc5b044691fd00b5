"""The FastAPI application of the reference hall server (paths and models: kiosk.hall.api)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kiosk.clock import Clock, SystemClock
from kiosk.hall import api
from kiosk.hall.server.catalog import CatalogSource, CatalogWatcher
from kiosk.hall.server.events import PING_SECONDS, EventBroker
from kiosk.hall.server.page import status_page_html
from kiosk.hall.server.profiles import DirectoryProfiles, NoProfiles, ProfileSource
from kiosk.hall.server.store import HallStore, StoreError, TicketRow, WindowChange
from kiosk.settings import Settings
from kiosk.taxpayer import IdentityKind

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": api.ErrorOut, "description": "The body cannot be decoded."},
    401: {"model": api.ErrorOut, "description": "No valid bearer token."},
    404: {"model": api.ErrorOut, "description": "Unknown ticket, window or queue."},
    409: {"model": api.ErrorOut, "description": "The state forbids it."},
    413: {"model": api.ErrorOut, "description": "The body is too large."},
}
PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": api.ErrorOut, "description": "Unknown ticket."},
}
PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"content": {"text/html": {}}, "description": "Unknown ticket."}
}
NOT_FOUND_PAGE = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>未找到 / Not found</title><p>没有这张票。/ No such ticket.</p></html>"
)
TICKET_ID = Annotated[str, PathParam(pattern=api.TICKET_ID_PATTERN)]


BEARER = HTTPBearer(auto_error=False, scheme_name="token")


def _client(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> str:
    """The client id of the bearer token; 401 without a valid one."""
    server: HallServer = request.app.state.hall
    found = server.store.client_for(credentials.credentials) if credentials else None
    if found is None:
        raise StoreError(401, "a valid bearer token is needed (Authorization: Bearer ...)")
    return found


Client = Annotated[str, Depends(_client)]


@dataclass
class ServerOptions:
    offline_floor: int = api.DEFAULT_OFFLINE_FLOOR
    max_body_bytes: int = api.MAX_BODY_BYTES
    public_url: str = ""  # base of status_url; empty: the URL the kiosk used
    catalog_poll_seconds: float = 1.0
    # None: the taxpayers file of the settings (identification.taxpayers), if present.
    profiles: ProfileSource | None = None


class HallServer:
    """Everything one running server holds: store, events, catalog, profiles."""

    def __init__(
        self,
        db_path: Path,
        settings: Settings,
        clock: Clock | None = None,
        options: ServerOptions | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or ServerOptions()
        # The files first: a ConfigError leaves nothing open.
        self.catalog = CatalogSource(settings.catalog_path, settings.rules_path)
        self.profiles = self.options.profiles or self._profiles_file()
        self.store = HallStore(
            db_path, settings, clock or SystemClock(), self.options.offline_floor
        )
        self.broker = EventBroker()
        self._watcher = CatalogWatcher(
            self.catalog, self.catalog_updated, self.options.catalog_poll_seconds
        )
        self._watcher.start()

    def _profiles_file(self) -> ProfileSource:
        section = self.settings.identification
        path = section.taxpayers
        path = path if path.is_absolute() else self.settings.config_dir / path
        if not path.is_file():
            return NoProfiles()
        return DirectoryProfiles(
            path,
            new_taxpayer_days=section.new_taxpayer_days,
            timezone=self.settings.kiosk.timezone,
            known_matters={m["code"] for m in self.catalog.current.catalog.get("matters", [])},
        )

    def catalog_updated(self, version: str) -> None:
        log.info("catalog version %s", version)
        self.publish("catalog_updated", catalog_version=version)

    def publish(self, kind: str, **data: Any) -> dict[str, Any]:
        return self.broker.publish({"kind": kind, "at": self.store.now().isoformat(), **data})

    def timed(self) -> dict[str, Any]:
        now = self.store.now()
        return {"server_time": now, "business_day": self.store.business_day(now)}

    def close(self) -> None:
        self._watcher.stop()
        self.broker.close()
        self.store.close()


# ---- conversions -----------------------------------------------------------------------


def ticket_out(server: HallServer, ticket: TicketRow) -> api.TicketOut:
    return api.TicketOut(
        **server.timed(),
        ticket_id=ticket.ticket_id,
        number=ticket.number,
        queue_code=ticket.queue_code,
        status=ticket.status,
        channel=ticket.channel,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        window=ticket.window,
        kiosk_id=ticket.kiosk_id,
    )


def public_state(server: HallServer, ticket: TicketRow) -> api.TicketPublicOut:
    queue = server.store.queue(ticket.queue_code)
    ahead, estimate = server.store.people_ahead(ticket)
    return api.TicketPublicOut(
        server_time=server.store.now(),
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


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC text: stored times then compare correctly as strings."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def sse(event: str, data: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


# ---- the body limit ----------------------------------------------------------------------


class BodyLimit:
    """Refuses bodies over `limit` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"the body is larger than {self.limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# ---- the application --------------------------------------------------------------------


def create_app(server: HallServer) -> FastAPI:  # noqa: C901 - one route table
    app = FastAPI(
        title="Hall server",
        version="1",
        description="The reference hall server of the hall kiosk (see kiosk/hall/api.py).",
        docs_url=None,
        redoc_url=None,
    )
    store = server.store
    app.state.hall = server

    def openapi() -> dict[str, Any]:
        """The document names this hall's queue codes, so that clients (and schemathesis)
        know which are valid."""
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            codes = [queue.code for queue in server.settings.queues]
            schemas = document["components"]["schemas"]
            schemas["ReserveIn"]["properties"]["queue_code"]["enum"] = codes
            for variant in schemas["LeaseIn"]["properties"]["queues"].get("anyOf", []):
                if variant.get("type") == "array":
                    variant["items"]["enum"] = codes
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(StoreError)
    async def store_error(request: Request, error: StoreError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        if error.status == 422:  # the same shape as a malformed body's answer
            loc = ["body", error.field] if error.field else ["body"]
            detail = [{"loc": loc, "msg": error.message, "type": "value_error"}]
            return JSONResponse({"detail": detail, "message": error.message}, 422)
        return JSONResponse({"detail": error.message}, error.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(part) for part in item["loc"]], "msg": item["msg"], "type": item["type"]}
            for item in error.errors()
        ]
        message = "; ".join(f"{'.'.join(item['loc'])}: {item['msg']}" for item in errors)
        return JSONResponse({"detail": errors, "message": message}, 422)

    # ---- information and queues -----------------------------------------------------

    @app.get(api.PATH_INFO, responses=ERRORS)
    def info(client_id: Client) -> api.InfoOut:
        return api.InfoOut(
            **server.timed(),
            client_id=client_id,
            offline_floor=store.offline_floor,
            catalog_version=server.catalog.current.version,
            timezone=server.settings.kiosk.timezone,
            hall_name_zh=server.settings.hall.name_zh,
            hall_name_en=server.settings.hall.name_en,
        )

    @app.get(api.PATH_QUEUES, responses=ERRORS)
    def queues(client_id: Client) -> api.QueuesOut:
        return api.QueuesOut(
            **server.timed(),
            queues=[
                api.QueueOut(
                    code=figures.queue.code,
                    prefix=figures.queue.prefix,
                    name_zh=figures.queue.name_zh,
                    name_en=figures.queue.name_en,
                    waiting=figures.waiting,
                    estimated_wait_minutes=figures.estimated_wait_minutes,
                    windows=list(figures.queue.windows),
                    issued_today=figures.issued_today,
                )
                for figures in store.queue_figures()
            ],
        )

    # ---- tickets ----------------------------------------------------------------------

    @app.post(api.PATH_RESERVE, responses=ERRORS)
    def reserve(body: api.ReserveIn, request: Request, client_id: Client) -> api.ReservationOut:
        answer, new = store.reserve(
            client_id, body.idempotency_key, body.queue_code, body.matter_codes
        )
        if new:
            server.publish("queue_changed", queue_code=answer["queue_code"])
        base = server.options.public_url or str(request.base_url)
        now = store.now()
        return api.ReservationOut(
            server_time=now,
            business_day=date.fromisoformat(answer["business_day"]),
            ticket_id=answer["ticket_id"],
            number=answer["number"],
            queue_code=answer["queue_code"],
            issued_at=datetime.fromisoformat(answer["issued_at"]),
            people_ahead=answer["people_ahead"],
            estimated_wait_minutes=answer["estimated_wait_minutes"],
            status_url=f"{base.rstrip('/')}/t/{answer['ticket_id']}",
        )

    @app.get(api.PATH_TICKET, responses=ERRORS)
    def ticket(ticket_id: TICKET_ID, client_id: Client) -> api.TicketOut:
        found = store.ticket(ticket_id)
        if found is None:
            raise StoreError(404, f"ticket_id: no ticket {ticket_id!r}")
        return ticket_out(server, found)

    @app.post(api.PATH_COMMIT, responses=ERRORS)
    def commit(ticket_id: TICKET_ID, body: api.CommitIn, client_id: Client) -> api.TicketOut:
        return ticket_out(server, store.commit(ticket_id, body.channel))

    @app.post(api.PATH_VOID, responses=ERRORS)
    def void(ticket_id: TICKET_ID, body: api.VoidIn, client_id: Client) -> api.TicketOut:
        before = store.ticket(ticket_id)
        after = store.void(ticket_id)
        if before is not None and before.status != after.status:
            server.publish("queue_changed", queue_code=after.queue_code)
        return ticket_out(server, after)

    @app.post(api.PATH_LEASES, responses=ERRORS)
    def lease(body: api.LeaseIn, client_id: Client) -> api.LeaseOut:
        answer = store.lease(client_id, body.idempotency_key, body.size, body.queues)
        return api.LeaseOut(
            server_time=store.now(),
            business_day=date.fromisoformat(answer["business_day"]),
            blocks=[api.LeaseBlock(**block) for block in answer["blocks"]],
        )

    # ---- records, devices ---------------------------------------------------------------

    @app.post(api.PATH_RECORDS, responses=ERRORS)
    def upload(body: api.RecordBatchIn, client_id: Client) -> api.RecordBatchOut:
        results, changed = store.add_records(
            client_id,
            [
                {**record.model_dump(exclude={"at"}), "at": utc_text(record.at)}
                for record in body.records
            ],
        )
        for queue_code in sorted(changed):
            server.publish("queue_changed", queue_code=queue_code)
        return api.RecordBatchOut(
            **server.timed(),
            results=[
                api.RecordResult(idempotency_key=key, status=status, message=message)
                for key, status, message in results
            ],
        )

    @app.get(api.PATH_RECORDS, responses=ERRORS)
    def records(
        client_id: Client,
        kind: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_.]{0,63}$")] = None,
        client: Annotated[str | None, Query(pattern=api.CLIENT_ID_PATTERN)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> api.RecordsOut:
        found, total = store.records(kind, client, limit, offset)
        return api.RecordsOut(
            **server.timed(), records=[api.StoredRecord(**r) for r in found], total=total
        )

    @app.get(api.PATH_DEVICES, responses=ERRORS)
    def devices(client_id: Client) -> api.DevicesOut:
        return api.DevicesOut(
            **server.timed(), devices=[api.DeviceHealth(**d) for d in store.devices()]
        )

    # ---- profiles -----------------------------------------------------------------------

    @app.post(api.PATH_PROFILE, responses=ERRORS)
    def profile(body: api.ProfileLookupIn, client_id: Client) -> api.ProfileOut:
        now = store.now()
        day = store.business_day(now)
        found = server.profiles.lookup(IdentityKind(body.kind), body.key_hash, now)
        return api.ProfileOut(
            **server.timed(),
            known=found.known,
            credit_level=found.credit_level.value if found.credit_level else None,
            new_taxpayer=found.new_taxpayer,
            registered_on=found.registered_on,
            appointments=[
                api.AppointmentOut(
                    code=item.code, matter_codes=list(item.matter_codes), starts_at=item.starts_at
                )
                for item in found.appointments
                if item.starts_at.astimezone(store.zone).date() == day
            ],
            reminders=[
                api.ReminderOut(
                    matter_code=item.matter_code,
                    text_zh=item.text.zh,
                    text_en=item.text.en,
                    due=item.due,
                )
                for item in found.reminders
            ],
            frequent_matters=list(found.frequent_matters),
        )

    # ---- windows ------------------------------------------------------------------------

    def event_of(change: WindowChange, window: int) -> dict[str, Any]:
        ticket = change.ticket
        data: dict[str, Any] = {"window": window, "recall": change.recall}
        if ticket is not None:
            data.update(
                ticket_id=ticket.ticket_id, number=ticket.number, queue_code=ticket.queue_code
            )
        return server.publish(change.kind, **data)

    @app.post(api.PATH_WINDOW_ACTION, responses=ERRORS)
    def window_action(
        window: Annotated[int, PathParam(ge=1, le=999)],
        action: Literal["call-next", "recall", "finish", "pause", "resume"],
        client_id: Client,
    ) -> api.WindowActionOut:
        if action == "call-next":
            changes = store.call_next(window)
        elif action == "recall":
            changes = store.recall(window)
        elif action == "finish":
            changes = store.finish(window)
        else:
            changes = store.set_paused(window, action == "pause")
        events = [event_of(change, window) for change in changes]
        for queue_code in sorted({c.ticket.queue_code for c in changes if c.ticket}):
            server.publish("queue_changed", queue_code=queue_code)
        wanted = {"call-next": "called"}.get(action)
        chosen = [e for e in events if wanted is None or e["kind"] == wanted]
        return api.WindowActionOut(
            **server.timed(),
            event=api.EventOut(**chosen[-1]) if chosen else None,
            paused=store.window_paused(window),
        )

    # ---- events -------------------------------------------------------------------------

    @app.get(
        api.PATH_EVENTS,
        responses={
            **ERRORS,
            200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."},
        },
        response_class=StreamingResponse,
    )
    async def events(
        client_id: Client,
        last_event_id: Annotated[str | None, Header(max_length=32)] = None,
    ) -> StreamingResponse:
        last = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
        subscriber, missed = server.broker.subscribe(last)

        async def stream() -> AsyncIterator[str]:
            try:
                yield ": connected\n\n"
                for old in missed:
                    yield sse(old["kind"], json.dumps(old), old["id"])
                while True:
                    try:
                        event = await asyncio.wait_for(subscriber.queue.get(), PING_SECONDS)
                    except TimeoutError:
                        yield ": ping\n\n"
                        continue
                    if event is None:
                        return
                    yield sse(event["kind"], json.dumps(event), event["id"])
            finally:
                server.broker.unsubscribe(subscriber)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    # ---- catalog ------------------------------------------------------------------------

    def version_out() -> api.CatalogVersionOut:
        current = server.catalog.current
        return api.CatalogVersionOut(**server.timed(), version=current.version, files=current.files)

    @app.get(api.PATH_CATALOG_VERSION, responses=ERRORS)
    def catalog_version(client_id: Client) -> api.CatalogVersionOut:
        return version_out()

    @app.get(api.PATH_CATALOG, responses=ERRORS)
    def catalog(client_id: Client) -> api.CatalogOut:
        current = server.catalog.current
        return api.CatalogOut(
            **server.timed(),
            version=current.version,
            files=current.files,
            catalog=current.catalog,
            rules=current.rules,
        )

    @app.post(api.PATH_RELOAD, responses=ERRORS)
    def reload(client_id: Client) -> api.CatalogVersionOut:
        if server.catalog.reload():
            server.catalog_updated(server.catalog.current.version)
        return version_out()

    # ---- the ticket-status page (public) ----------------------------------------------

    def public_ticket(ticket_id: str) -> TicketRow:
        found = store.ticket(ticket_id)
        if found is None:
            raise StoreError(404, "no such ticket")
        return found

    @app.get(api.PATH_STATUS_PAGE, response_class=HTMLResponse, responses=PAGE_ERRORS)
    def status_page(ticket_id: TICKET_ID) -> HTMLResponse:
        ticket = store.ticket(ticket_id)
        if ticket is None:
            return HTMLResponse(NOT_FOUND_PAGE, 404)
        return HTMLResponse(
            status_page_html(public_state(server, ticket), server.settings),
            headers={"Cache-Control": "no-store"},
        )

    @app.get(api.PATH_STATUS_STATE, responses=PUBLIC_ERRORS)
    def status_state(ticket_id: TICKET_ID) -> api.TicketPublicOut:
        return public_state(server, public_ticket(ticket_id))

    @app.get(
        api.PATH_STATUS_EVENTS,
        responses={
            **PUBLIC_ERRORS,
            200: {"content": {"text/event-stream": {}}, "description": "state events"},
        },
        response_class=StreamingResponse,
    )
    async def status_events(ticket_id: TICKET_ID) -> StreamingResponse:
        await run_in_threadpool(public_ticket, ticket_id)
        subscriber, _ = server.broker.subscribe()

        def state() -> api.TicketPublicOut:
            return public_state(server, public_ticket(ticket_id))

        async def stream() -> AsyncIterator[str]:
            try:
                last = await run_in_threadpool(state)
                yield sse("state", last.model_dump_json())
                while True:
                    try:
                        event = await asyncio.wait_for(subscriber.queue.get(), PING_SECONDS)
                    except TimeoutError:
                        yield ": ping\n\n"
                        continue
                    if event is None:
                        return
                    fresh = await run_in_threadpool(state)
                    if fresh.model_dump(exclude={"server_time"}) != last.model_dump(
                        exclude={"server_time"}
                    ):
                        last = fresh
                        yield sse("state", fresh.model_dump_json())
            finally:
                server.broker.unsubscribe(subscriber)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    return app


def build_asgi(server: HallServer) -> ASGIApp:
    """The app wrapped in the body limit."""
    return BodyLimit(create_app(server), server.options.max_body_bytes)
