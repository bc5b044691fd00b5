"""The visit: a taxpayer's way from the home screen to a ticket, without any screen."""

from kiosk.visit.idle import IdlePhase, IdleTimer
from kiosk.visit.machine import VisitMachine
from kiosk.visit.quotas import IssuedToday, counts_for_quotas
from kiosk.visit.state import (
    Change,
    GuideSlip,
    IdentifyProblem,
    Step,
    Visit,
    VisitHost,
    VisitRequests,
)

__all__ = [
    "Change",
    "GuideSlip",
    "IdentifyProblem",
    "IdlePhase",
    "IdleTimer",
    "IssuedToday",
    "Step",
    "Visit",
    "VisitHost",
    "VisitMachine",
    "VisitRequests",
    "counts_for_quotas",
]
