"""The hall and its queues: who is asking and the server's time, queue figures, leases
(each of the caller's hall)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, CallerStore, Now, Site, blocking
from kiosk.hall.server.principal import require_role

router = APIRouter()


@router.get(api.PATH_INFO, responses=ERRORS)
async def info(caller: Caller, site: Site, clock: Now) -> api.InfoOut:
    # Only a kiosk numbers offline: a display or an admin takes none of the hall's ranges.
    own = None
    if caller.role == "kiosk":
        own = await blocking(site.store.own_offline_range, caller.client_id)
    return api.InfoOut(
        **clock.stamp(),
        client_id=caller.client_id,
        hall=caller.hall,
        role=caller.role,
        offline_floor=site.store.offline_floor,
        offline_range=None if own is None else api.OfflineRangeOut(first=own[0], last=own[1]),
        catalog_version=site.catalog.current.version,
        timezone=site.settings.kiosk.timezone,
        hall_name_zh=site.settings.hall.name_zh,
        hall_name_en=site.settings.hall.name_en,
    )


@router.get(api.PATH_QUEUES, responses=ERRORS)
async def queues(caller: Caller, store: CallerStore, clock: Now) -> api.QueuesOut:
    figures_of_queues = await blocking(store.queue_figures)
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
            for figures in figures_of_queues
        ],
    )


@router.post(api.PATH_LEASES, responses=ERRORS)
async def lease(body: api.LeaseIn, caller: Caller, store: CallerStore, clock: Now) -> api.LeaseOut:
    require_role(caller, "lease numbers", "kiosk")
    answer = await blocking(
        store.lease, caller.client_id, body.idempotency_key, body.size, body.queues
    )
    return api.LeaseOut(
        server_time=clock.now(),
        business_day=date.fromisoformat(answer["business_day"]),
        blocks=[api.LeaseBlock(**block) for block in answer["blocks"]],
    )
