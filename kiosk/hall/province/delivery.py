"""Delivery of the province outbox: each due item is built from the typed tables,
mapped to the province's fields, signed and POSTed; a 2xx answer the mapping calls a
success marks it delivered, anything else retries it later (30 s, doubling, at most
an hour). Every request carries the item's key as `Idempotency-Key` (and the mapping
may put it in a field), so a record sent twice after a lost answer is one record.

Signature: `X-Signature` = hex HMAC-SHA256 of `app_id \\n timestamp \\n body` with the
app secret; `X-App-Id` and `X-Timestamp` (Unix seconds) go with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta
from typing import Any

import httpx

from drivers.background import BackgroundThread
from kiosk.hall.province.config import ProvinceConfig
from kiosk.hall.province.export import export_day, export_path
from kiosk.hall.server.store.province_outbox import OutboxItem, ProvinceOutbox
from kiosk.queue import DEFAULT_HALL

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 30.0
LAST_RETRY_SECONDS = 3600.0


def signature(secret: str, app_id: str, timestamp: str, body: bytes) -> str:
    message = f"{app_id}\n{timestamp}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class ProvinceDelivery:
    """The outbox's delivery thread of one server (`start`, `stop`), or `run_once`."""

    def __init__(self, store: ProvinceOutbox, config: ProvinceConfig, timezone: str) -> None:
        self.store = store
        self.config = config
        self.timezone = timezone
        self._client = httpx.Client(timeout=config.timeout_seconds)
        self._loop = BackgroundThread.every("province-delivery", config.poll_seconds, self.run_once)

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()
        self._client.close()

    def run_once(self) -> int:
        """Send what is due; the number delivered. Then yesterday's CSV, if missing."""
        delivered = 0
        for item in self.store.province_due():
            delivered += self._deliver(item)
        self._export_yesterday()
        return delivered

    def payload(self, item: OutboxItem) -> dict[str, str] | None:
        record = self.store.upward_record(item.kind, item.ref)
        if record is None:
            return None
        return self.config.mapping.apply(self.config.with_codes(record), self.timezone)

    def _deliver(self, item: OutboxItem) -> bool:
        try:
            payload = self.payload(item)
        except ValueError as error:  # a value the mapping lacks: retried after an edit
            return self._failed(item, str(error))
        if payload is None:
            self.store.province_delivered(item.item_key)  # its evaluation is gone
            return False
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        credentials = self.config.credentials
        timestamp = str(int(self.store.now().timestamp()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": item.item_key,
            "X-App-Id": credentials.app_id,
            "X-Timestamp": timestamp,
            "X-Signature": signature(credentials.app_secret, credentials.app_id, timestamp, body),
        }
        try:
            reply = self._client.post(self.config.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return self._failed(item, f"{type(error).__name__}: {error}")
        if not reply.is_success:
            return self._failed(item, f"HTTP {reply.status_code}")
        if not self.config.mapping.accepted(_json(reply)):
            return self._failed(item, f"refused: {reply.text[:200]}")
        self.store.province_delivered(item.item_key)
        log.info("province: %s delivered", item.item_key)
        return True

    def _failed(self, item: OutboxItem, error: str) -> bool:
        wait = min(FIRST_RETRY_SECONDS * 2**item.attempts, LAST_RETRY_SECONDS)
        self.store.province_failed(item.item_key, error, self.store.now() + timedelta(seconds=wait))
        log.warning("province: %s not delivered (%s); again in %.0f s", item.item_key, error, wait)
        return False

    def _export_yesterday(self) -> None:
        folder = self.config.export_dir
        if folder is None:
            return
        day = self.store.business_day() - timedelta(days=1)
        halls = self.store.evaluation_halls() or [DEFAULT_HALL]
        for hall in halls:  # a file a hall (each line carries its hall's codes)
            chosen = hall if len(halls) > 1 else None  # one hall: its file as ever
            if self.config.fields_of(hall) is not None and not (
                export_path(folder, day, chosen).exists()
            ):
                export_day(self.store, self.config, self.timezone, day, folder, chosen)


def _json(reply: httpx.Response) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None
