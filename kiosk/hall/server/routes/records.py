"""Records: the kiosks' outboxes arrive here in batches, and can be read back (a kiosk
its own, an admin those of its hall's kiosks)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, CallerStore, Hall, Now, blocking
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.principal import Principal, require_client, require_role
from kiosk.hall.server.screens.routes import STAFF_CHANGED
from kiosk.hall.server.store import HallStore

router = APIRouter()


def visible_clients(server: HallServer, store: HallStore, caller: Principal) -> set[str] | None:
    """The clients whose records and devices the caller may read; None: every one (an
    admin of the only hall of the server). Blocking: may read the tokens."""
    if caller.role == "kiosk":
        return {caller.client_id}
    if len(server.halls) == 1:
        return None
    return set(store.hall_clients(caller.hall))


@router.post(api.PATH_RECORDS, responses=ERRORS)
async def upload(
    body: api.RecordBatchIn, caller: Caller, server: Hall, store: CallerStore, clock: Now
) -> api.RecordBatchOut:
    require_role(caller, "upload records", "kiosk", "admin")
    results, changed = await blocking(
        store.add_records,
        caller.client_id,
        [record.model_dump() for record in body.records],
        caller.role,
    )
    for queue_code in sorted(changed):
        server.publish("queue_changed", queue_code=queue_code, hall=store.hall)
    kinds = {record.idempotency_key: record.kind for record in body.records}
    if any(
        status == "accepted" and kinds.get(key, "").startswith("staff.")
        for key, status, _ in results
    ):
        server.publish(STAFF_CHANGED, hall=store.hall)  # the window screens show who
    if any(
        status == "accepted" and kinds.get(key) == "help.requested" for key, status, _ in results
    ):
        server.publish("help_requested", kiosk_id=caller.client_id, hall=store.hall)
    return api.RecordBatchOut(
        **clock.stamp(),
        results=[
            api.RecordResult(idempotency_key=key, status=status, message=message)
            for key, status, message in results
        ],
    )


@router.get(api.PATH_RECORDS, responses=ERRORS)
async def records(
    caller: Caller,
    server: Hall,
    store: CallerStore,
    clock: Now,
    kind: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_.]{0,63}$")] = None,
    client: Annotated[str | None, Query(pattern=api.CLIENT_ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> api.RecordsOut:
    require_role(caller, "read records", "kiosk", "admin")
    client = require_client(caller, client, "records")

    def read() -> tuple[list[api.StoredRecord], int]:
        clients = visible_clients(server, store, caller)
        found, total = store.records(
            kind, client, limit, offset, None if clients is None else sorted(clients)
        )
        return [api.StoredRecord(**r) for r in found], total

    found, total = await blocking(read)
    return api.RecordsOut(**clock.stamp(), records=found, total=total)
