"""The hall server's store: the queue engine (`kiosk.queue`) on one SQLite file or
a PostgreSQL database, with the server's own tables: tokens, idempotent answers and
leases, the kiosks' records, device health. One part per module; HallStore is all
of them."""

from __future__ import annotations

from kiosk.hall.server.store.base import Location, StoreError
from kiosk.hall.server.store.credentials import Credentials, hash_token
from kiosk.hall.server.store.devices import DeviceHealth
from kiosk.hall.server.store.evaluation_actions import EvaluationActions
from kiosk.hall.server.store.evaluation_report import EvaluationReports
from kiosk.hall.server.store.issuing import Issuing
from kiosk.hall.server.store.province_outbox import ProvinceOutbox
from kiosk.hall.server.store.records import Records
from kiosk.hall.server.store.tickets import Tickets
from kiosk.hall.server.store.windows import WindowActions
from kiosk.queue import QueueFigures, TicketRow, WindowChange

__all__ = [
    "HallStore",
    "Location",
    "QueueFigures",
    "StoreError",
    "TicketRow",
    "WindowChange",
    "hash_token",
]


class HallStore(
    Credentials,
    Issuing,
    Tickets,
    WindowActions,
    Records,
    DeviceHealth,
    EvaluationActions,  # 好差评 (issue 17): the phone page's content, staff, follow-ups
    EvaluationReports,
    ProvinceOutbox,
):
    """Everything the hall server keeps; see the parts for each."""
