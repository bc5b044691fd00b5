"""Reservations whose reply was lost (a timeout, a server killed mid-answer): the
server may hold a number nobody will print. The wire already repeated the call once
with the same idempotency key; when that failed too the taxpayer got an offline
number, and the request is kept here. Once the server answers again it is sent a
third time, with the same key (the server answers the reservation it made, or makes
one), and that reservation is voided: no number waits in the queue for nobody."""

from __future__ import annotations

import json
import logging

from kiosk.hall import api
from kiosk.hall.base import HallError
from kiosk.hall.http.link_file import LinkFile
from kiosk.hall.http.wire import HallWire

log = logging.getLogger(__name__)

LOST = "lost_reservations"  # link file meta: a JSON list of ReserveIn
VOID_REASON = "reply lost: the taxpayer was given an offline number"


class LostReservations:
    def __init__(self, link_file: LinkFile, wire: HallWire) -> None:
        self._file = link_file
        self._wire = wire

    def _kept(self) -> list[str]:
        text = self._file.meta(LOST)
        return list(json.loads(text)) if text else []

    def note(self, request: api.ReserveIn) -> None:
        self._file.set_meta(LOST, json.dumps([*self._kept(), request.model_dump_json()]))

    def pending(self) -> int:
        return len(self._kept())

    def resolve(self) -> None:
        """Void what the lost replies reserved; raises LinkDown (and keeps the rest)
        when the server cannot be reached."""
        for text in self._kept():
            request = api.ReserveIn.model_validate_json(text)
            try:
                answer = self._wire.request("POST", api.PATH_RESERVE, api.ReservationOut, request)
                path = api.PATH_VOID.format(ticket_id=answer.ticket_id)
                self._wire.request("POST", path, api.TicketOut, api.VoidIn(reason=VOID_REASON))
                log.info("voided %s, reserved for a reply that was lost", answer.number)
            except HallError as error:  # refused for good (a queue gone, a new day)
                log.warning("a lost reservation cannot be voided: %s", error)
            self._file.set_meta(LOST, json.dumps([t for t in self._kept() if t != text]))
