"""The hall and its queues: who is asking and the server's time, queue figures, leases."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Client, Hall, Now, Store

router = APIRouter()


@router.get(api.PATH_INFO, responses=ERRORS)
def info(client_id: Client, server: Hall, clock: Now) -> api.InfoOut:
    return api.InfoOut(
        **clock.stamp(),
        client_id=client_id,
        offline_floor=server.store.offline_floor,
        catalog_version=server.catalog.current.version,
        timezone=server.settings.kiosk.timezone,
        hall_name_zh=server.settings.hall.name_zh,
        hall_name_en=server.settings.hall.name_en,
    )


@router.get(api.PATH_QUEUES, responses=ERRORS)
def queues(client_id: Client, store: Store, clock: Now) -> api.QueuesOut:
    return api.QueuesOut(
        **clock.stamp(),
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


@router.post(api.PATH_LEASES, responses=ERRORS)
def lease(body: api.LeaseIn, client_id: Client, store: Store, clock: Now) -> api.LeaseOut:
    answer = store.lease(client_id, body.idempotency_key, body.size, body.queues)
    return api.LeaseOut(
        server_time=clock.now(),
        business_day=date.fromisoformat(answer["business_day"]),
        blocks=[api.LeaseBlock(**block) for block in answer["blocks"]],
    )
