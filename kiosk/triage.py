"""Routing (导税): which queue a visit belongs in, and why, in words for the taxpayer.

First version: simple matters go to the green channel, everything else to the
comprehensive windows; matters the self-service terminals can do are offered
there first. Several matters in one visit get one number (一窗通办).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.catalog import Matter
from kiosk.hall.base import QueueState
from kiosk.settings import QueueSection, Settings
from kiosk.taxpayer import UNKNOWN_PROFILE, Appointment, Identity, TaxpayerProfile
from kiosk.text import Text

REASON_SIMPLE = Text(
    zh="简单事项，可走绿色通道，办理更快。", en="A simple matter: the green channel is quicker."
)
REASON_GENERAL = Text(
    zh="综合窗口一窗通办，一个号办完所有事项。",
    en="The comprehensive windows handle everything with one number.",
)
REASON_SEVERAL = Text(
    zh="您选择了多个事项，一个号在同一窗口一并办理。",
    en="You chose several matters: one number covers them all at one window.",
)
REASON_SELF_SERVICE = Text(
    zh="此事项可在自助办税区办理，无需取号排队。",
    en="This can be done at the self-service terminals, with no queue.",
)


@dataclass(frozen=True)
class Route:
    """Where a visit goes. `queue` is where a ticket sends the taxpayer; when
    `self_service_offer` is set the self-service area is offered first and the
    queue is the fallback."""

    queue: QueueSection
    matters: tuple[Matter, ...]
    reasons: tuple[Text, ...]
    self_service_offer: bool


@dataclass(frozen=True)
class VisitContext:
    """What routing may know beyond the matters: who, when, and the hall's state."""

    now: datetime | None = None  # aware, hall time zone; None: no time rules apply
    identity: Identity | None = None
    profile: TaxpayerProfile = UNKNOWN_PROFILE
    appointment: Appointment | None = None  # checked in, inside its time window
    priority_requested: bool = False  # elderly, disability, pregnancy: the taxpayer's button
    queue_states: Mapping[str, QueueState] = field(default_factory=dict)


class TriageError(ValueError):
    pass


def route_visit(
    matters: Sequence[Matter], settings: Settings, context: VisitContext | None = None
) -> Route:
    if not matters:
        raise TriageError("a visit needs at least one matter")
    all_simple = all(matter.simple for matter in matters)
    queue_code = settings.routing.green_queue if all_simple else settings.routing.default_queue
    reasons = [REASON_SIMPLE if all_simple else REASON_GENERAL]
    if len(matters) > 1:
        reasons.append(REASON_SEVERAL)
    self_service = all(matter.self_service for matter in matters)
    if self_service:
        reasons.insert(0, REASON_SELF_SERVICE)
    return Route(
        queue=settings.queue(queue_code),
        matters=tuple(matters),
        reasons=tuple(reasons),
        self_service_offer=self_service,
    )
