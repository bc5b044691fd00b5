"""Numbers while the hall server cannot be reached, and the leases that make them safe.

Offline, numbers come from blocks the server leased to this kiosk for today
(leased while online) and, for a kiosk that never had a lease today, from the
kiosk's own range: the one the server assigned it (InfoOut.offline_range, kept in
the link file), or before it learnt one, hall.offline_range or the range its id
derives. The server never issues those itself, so no two kiosks ever print the
same number on a day.
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.hall import api
from kiosk.hall.base import HallError, QueueState, Reservation
from kiosk.hall.http.link_file import LinkFile
from kiosk.hall.http.wire import HallWire
from kiosk.hall.link import ServerClock
from kiosk.queue import MAX_NUMBER
from kiosk.settings import Settings

log = logging.getLogger(__name__)

LEARNT_RANGE = "offline_range"  # link file meta: "900-919", or NO_RANGE
NO_RANGE = "none"


class OfflineNumbering:
    def __init__(
        self,
        settings: Settings,
        link_file: LinkFile,
        wire: HallWire,
        clock: ServerClock,
    ) -> None:
        self._settings = settings
        self._file = link_file
        self._wire = wire
        self._clock = clock
        self.zone = ZoneInfo(settings.kiosk.timezone)
        self._configured_range = settings.hall.offline_numbers(settings.kiosk.id)
        self._lease_size = settings.hall.lease_size
        self._lock = threading.Lock()
        self._queue_cache: dict[str, QueueState] = {}

    def business_day(self, now: datetime | None = None) -> date:
        """The hall's day by the server's clock."""
        return (now or self._clock.now()).astimezone(self.zone).date()

    def remember(self, states: dict[str, QueueState]) -> None:
        """The states the server gave last: the base of the offline estimates."""
        with self._lock:
            self._queue_cache = dict(states)

    def queue_states(self) -> dict[str, QueueState]:
        """Approximate: the last states the server gave, plus this kiosk's tickets
        issued offline since (the screen says estimates are approximate)."""
        with self._lock:
            cache = dict(self._queue_cache)
        issued = self._file.waiting_offline(self.business_day().isoformat())
        states = {}
        for queue in self._settings.queues:
            known = cache.get(queue.code)
            mine = issued.get(queue.code, 0)
            waiting = (known.waiting if known else 0) + mine
            minutes = math.ceil(waiting * queue.service_minutes / len(queue.windows))
            today = None
            if known is not None and known.issued_today is not None:
                today = known.issued_today + mine
            states[queue.code] = QueueState(
                queue.code, waiting, minutes, queue.windows, issued_today=today
            )
        return states

    def reserve(self, queue_code: str, prefix: str) -> Reservation:
        now = self._clock.now()
        day = self.business_day(now)
        states = self.queue_states()
        ticket_id = uuid.uuid4().hex
        number = self._file.take_offline(
            ticket_id, day.isoformat(), queue_code, prefix, self.own_range()
        )
        state = states[queue_code]
        log.info("offline ticket %s from this kiosk's numbers", number)
        return Reservation(
            ticket_id, number, queue_code, day, now, state.waiting, state.estimated_wait_minutes
        )

    def ensure_leases(self) -> None:
        """Lease a new block for every queue with less than half a block left today."""
        today = self.business_day()
        self._file.forget_before(today)
        left = self._file.leased_left(today.isoformat())
        short = [
            queue.code
            for queue in self._settings.queues
            if left.get(queue.code, 0) * 2 < self._lease_size
        ]
        if not short:
            return
        request = api.LeaseIn(idempotency_key=uuid.uuid4().hex, size=self._lease_size, queues=short)
        try:
            answer = self._wire.request("POST", api.PATH_LEASES, api.LeaseOut, request)
        except HallError as error:
            log.warning("no number lease: %s", error)
            return
        blocks = []
        for block in answer.blocks:
            if not 0 <= block.first <= block.last < 2**63:  # SQLite's INTEGER: no overflow
                log.warning("the hall server leased an impossible number block; ignored")
                continue
            blocks.append(block)
        self._file.add_blocks(answer.business_day.isoformat(), blocks)

    def leased_left(self, queue_code: str) -> int:
        """Leased numbers still unused today for the queue (technicians, tests)."""
        return self._file.leased_left(self.business_day().isoformat()).get(queue_code, 0)

    def own_range(self) -> tuple[int, int] | None:
        """The range the server assigned, else the configured (or derived) one."""
        learnt = self._file.meta(LEARNT_RANGE)
        if learnt is None:
            return self._configured_range
        if learnt == NO_RANGE:
            return None
        first, last = (int(part) for part in learnt.split("-"))
        return first, last

    def learn_range(self, info: api.InfoOut) -> None:
        """Keep the offline range the server assigned (servers before ranges send none:
        the configured one stays)."""
        if "offline_range" not in info.model_fields_set:
            return
        given = info.offline_range
        if given is not None and not 1 <= given.first <= given.last <= MAX_NUMBER:
            log.warning("the hall server assigned an impossible offline range; ignored")
            return
        learnt = NO_RANGE if given is None else f"{given.first}-{given.last}"
        if self._file.meta(LEARNT_RANGE) == learnt:
            return
        self._file.set_meta(LEARNT_RANGE, learnt)
        # Numbers of another range would be refused on upload: not one more of them.
        self._file.drop_own_ranges_except(None if given is None else given.first)
        log.info("offline range from the hall server: %s", learnt)
