"""The phone page's evaluation endpoint (`/t/{id}/evaluation`) on a kiosk's embedded
hall: the same answers as the hall server's (kiosk/hall/server/routes/evaluations.py),
from the kiosk's journal (kiosk/qr_evaluation.py). Without keypads the kiosk keeps no
evaluations and the page only thanks the taxpayer (404 here)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request

from kiosk.evaluation_state import EvaluationState
from kiosk.hall import api as paths
from kiosk.hall import evaluation_api as api
from kiosk.hall.server.answers import TICKET_ID
from kiosk.hall.server.screens.routes import ServedScreens
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.store import StoreError
from kiosk.qr_evaluation import QrEvaluations, QrRefused
from kiosk.queue import TicketRow

router = APIRouter(include_in_schema=False)


def install_qr_evaluations(app: FastAPI, evaluations: QrEvaluations) -> None:
    app.state.qr_evaluations = evaluations
    app.include_router(router)


def qr_evaluations(request: Request) -> QrEvaluations:
    found: QrEvaluations = request.app.state.qr_evaluations
    return found


Qr = Annotated[QrEvaluations, Depends(qr_evaluations)]


def _ticket(source: ScreenSource, ticket_id: str) -> TicketRow:
    found = source.of_ticket(ticket_id)
    if found is None:
        raise StoreError(404, "no such ticket")
    return found[1]


def _out(source: ScreenSource, qr: QrEvaluations, state: EvaluationState) -> api.EvaluationStateOut:
    return api.EvaluationStateOut(
        server_time=source.engine.now(),
        business_day=source.engine.business_day(),
        **asdict(state),
        wants_content=state.wants_content,
        reasons=[api.ReasonOut(**reason.model_dump()) for reason in qr.reasons.reasons],
    )


@router.get(paths.PATH_TICKET_EVALUATION)
def evaluation_state(ticket_id: TICKET_ID, source: ServedScreens, qr: Qr) -> api.EvaluationStateOut:
    return _out(source, qr, qr.state(_ticket(source, ticket_id)))


@router.post(paths.PATH_TICKET_EVALUATION)
def evaluation_content(
    ticket_id: TICKET_ID, body: api.EvaluationContentIn, source: ServedScreens, qr: Qr
) -> api.EvaluationStateOut:
    ticket = _ticket(source, ticket_id)
    try:
        state = qr.give(ticket, body.level, body.reason_codes(), body.note)
    except QrRefused as refused:
        raise StoreError(refused.status, refused.message, refused.field) from None
    return _out(source, qr, state)
