"""Taxpayer profiles: looked up by a hash of the key, never the key; so often per token,
and answering only what a kiosk acts on (kiosk/hall/server/profile_lookup.py)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, HTTPException

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, Hall, Now
from kiosk.hall.server.principal import require_role
from kiosk.hall.server.profile_lookup import shown_to_kiosk
from kiosk.taxpayer import IdentityKind

router = APIRouter()

LOOKUP_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    429: {"model": api.ErrorOut, "description": "Too many lookups by this token; see Retry-After."},
}


@router.post(api.PATH_PROFILE, responses=LOOKUP_ERRORS)
def profile(body: api.ProfileLookupIn, caller: Caller, server: Hall, clock: Now) -> api.ProfileOut:
    require_role(caller, "look up taxpayers", "kiosk")  # a display or an admin never needs to
    client_id = caller.client_id
    now = clock.now()
    wait = server.lookup_limit.take(client_id, now)
    if wait:
        seconds = str(math.ceil(wait))
        raise HTTPException(429, "too many profile lookups", {"Retry-After": seconds})
    day = clock.business_day(now)
    zone = server.store.zone
    kind = IdentityKind(body.kind)
    found = server.profiles.lookup(kind, body.key_hash, now)
    shown = shown_to_kiosk(found, kind, server.settings.routing.priority_credit_levels)
    return api.ProfileOut(
        **clock.stamp(),
        known=found.known,
        credit_level=shown.credit_level.value if shown.credit_level else None,
        new_taxpayer=shown.new_taxpayer,
        registered_on=shown.registered_on,
        appointments=[
            api.AppointmentOut(
                code=item.code, matter_codes=list(item.matter_codes), starts_at=item.starts_at
            )
            for item in shown.appointments
            if item.starts_at.astimezone(zone).date() == day
        ],
        reminders=[
            api.ReminderOut(
                matter_code=item.matter_code,
                text_zh=item.text.zh,
                text_en=item.text.en,
                due=item.due,
            )
            for item in shown.reminders
        ],
        frequent_matters=list(shown.frequent_matters),
    )
