"""Taxpayer profiles: looked up by a hash of the key, never the key."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall import api
from kiosk.hall.server.answers import ERRORS
from kiosk.hall.server.dependencies import Caller, Hall, Now
from kiosk.hall.server.principal import require_role
from kiosk.taxpayer import IdentityKind

router = APIRouter()


@router.post(api.PATH_PROFILE, responses=ERRORS)
def profile(body: api.ProfileLookupIn, caller: Caller, server: Hall, clock: Now) -> api.ProfileOut:
    require_role(caller, "look up taxpayers", "kiosk")  # a display or an admin never needs to
    now = clock.now()
    day = clock.business_day(now)
    zone = server.store.zone
    found = server.profiles.lookup(IdentityKind(body.kind), body.key_hash, now)
    return api.ProfileOut(
        **clock.stamp(),
        known=found.known,
        credit_level=found.credit_level.value if found.credit_level else None,
        new_taxpayer=found.new_taxpayer,
        registered_on=found.registered_on,
        appointments=[
            api.AppointmentOut(
                code=item.code, matter_codes=list(item.matter_codes), starts_at=item.starts_at
            )
            for item in found.appointments
            if item.starts_at.astimezone(zone).date() == day
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
