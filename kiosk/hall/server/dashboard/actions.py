"""What a manager does on the dashboard (好差评): sign staff in and out at a window, and
record a follow-up's progress (who it is assigned to, the contact result, the
rectification, a contact phone with the taxpayer's consent, the closing).

JSON from the dashboard's own script, behind the admin session; each carries the
session's CSRF token in `X-CSRF-Token` and comes from the dashboard's origin. The
logs name the admin and the window or evaluation, never a staff number or a phone.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from kiosk.hall import evaluation_api as api
from kiosk.hall.api import _In
from kiosk.hall.server.dashboard.accounts import Session
from kiosk.hall.server.dashboard.routes import PATH, Admin, _json, _same_origin
from kiosk.hall.server.dependencies import Hall
from kiosk.hall.server.screens.routes import STAFF_CHANGED
from kiosk.hall.server.store import StoreError
from kiosk.queue import DEFAULT_HALL

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

CLIENT_ID = "DASHBOARD"  # who signed staff in, as the staff sessions keep it


class StaffAtWindowIn(_In):
    window: int = Field(ge=1, le=999)
    staff_id: str | None = Field(
        None, pattern=api.STAFF_PATTERN, description="null signs the window's staff out."
    )


def _checked(request: Request, session: Session) -> None:
    presented = request.headers.get("x-csrf-token", "")
    if not (
        _same_origin(request)
        and hmac.compare_digest(session.csrf_token.encode(), presented.encode())
    ):
        raise StoreError(403, "the CSRF token is missing or wrong: reload the page")


@router.post(f"{PATH}/api/staff")
async def staff_at_window(
    request: Request, body: StaffAtWindowIn, session: Admin, server: Hall
) -> Response:
    _checked(request, session)
    await run_in_threadpool(server.store.set_window_staff, CLIENT_ID, body.window, body.staff_id)
    server.publish(STAFF_CHANGED, window=body.window, hall=DEFAULT_HALL)  # window screens
    done = "in" if body.staff_id else "out"
    log.info("dashboard: %s signed staff %s at window %d", session.name, done, body.window)
    return _json({"window": body.window, "staff_id": body.staff_id})


@router.post(f"{PATH}/api/follow-ups/{{evaluation_id}}")
async def follow_up(
    request: Request,
    evaluation_id: Annotated[str, PathParam(pattern=api.EVALUATION_ID_PATTERN)],
    body: api.FollowUpIn,
    session: Admin,
    server: Hall,
) -> Response:
    _checked(request, session)
    if body.contact_phone is not None and not body.consent:
        raise StoreError(422, "consent: a contact phone is kept only with consent", "consent")
    found = await run_in_threadpool(server.store.update_follow_up, evaluation_id, body.model_dump())
    log.info("dashboard: %s recorded follow-up %s", session.name, evaluation_id)
    return _json(found)
