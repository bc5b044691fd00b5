"""Records: the kiosks' outboxes arrive here in batches, and can be read back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS, utc_text
from kiosk.hall.server.dependencies import Client, Hall, Now, Store

router = APIRouter()


@router.post(api.PATH_RECORDS, responses=ERRORS)
def upload(
    body: api.RecordBatchIn, client_id: Client, server: Hall, clock: Now
) -> api.RecordBatchOut:
    results, changed = server.store.add_records(
        client_id,
        [
            {**record.model_dump(exclude={"at"}), "at": utc_text(record.at)}
            for record in body.records
        ],
    )
    for queue_code in sorted(changed):
        server.publish("queue_changed", queue_code=queue_code)
    return api.RecordBatchOut(
        **clock.stamp(),
        results=[
            api.RecordResult(idempotency_key=key, status=status, message=message)
            for key, status, message in results
        ],
    )


@router.get(api.PATH_RECORDS, responses=ERRORS)
def records(
    client_id: Client,
    store: Store,
    clock: Now,
    kind: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_.]{0,63}$")] = None,
    client: Annotated[str | None, Query(pattern=api.CLIENT_ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> api.RecordsOut:
    found, total = store.records(kind, client, limit, offset)
    return api.RecordsOut(
        **clock.stamp(), records=[api.StoredRecord(**r) for r in found], total=total
    )
