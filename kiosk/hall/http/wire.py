"""The hall client's wire: one authenticated call to the hall server, and what a failure means.

A server that cannot be reached, answers 401 or 5xx, or answers something the
models cannot read is LinkDown (try again later); a 4xx is HallError with the
server's reason. Every answer carries the server's time: the kiosk's clock follows it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from kiosk.clock import Clock
from kiosk.hall import api
from kiosk.hall.base import HallError
from kiosk.hall.link import HallLink, LinkDown, ServerClock
from kiosk.settings import Settings

# httpx logs every request line at INFO: a kiosk's log would be nothing else.
logging.getLogger("httpx").setLevel(logging.WARNING)

Model = TypeVar("Model", bound=BaseModel)

REFUSED_TOKEN = "the hall server refused this kiosk's token (kiosk hall token create)"


class AnswerLost(LinkDown):
    """The request was sent but no usable answer came (timeout, connection cut)."""


class Refused(HallError):
    """A 4xx: the server will not take this request as it is. `fields` are the
    locations (e.g. ["body", "records", 3, "at"]) a 422 names."""

    def __init__(self, message: str, status: int, fields: list[list[Any]]) -> None:
        super().__init__(message)
        self.status = status
        self.fields = fields


@dataclass(frozen=True)
class ConnectionTest:
    """A technician's connection test: ok with the round trip and the server's time,
    or the reason it failed (never the token)."""

    ok: bool
    round_trip_ms: float
    server_time: datetime | None = None
    client_id: str | None = None
    reason: str | None = None


class HallWire:
    """The HTTP clients of one kiosk: calls with a timeout, and the event stream's
    client without one. `remember_offset` keeps the server clock's offset across restarts."""

    def __init__(
        self,
        settings: Settings,
        clock: ServerClock,
        base_clock: Clock,
        link: HallLink,
        remember_offset: Callable[[float], None],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        hall = settings.hall
        self.base_url = hall.url.rstrip("/")
        self.clock = clock
        self.link = link
        self._base_clock = base_clock
        self._remember_offset = remember_offset
        self._retry_seconds = hall.sync_interval_seconds
        self._probe_after = 0.0
        timeout = httpx.Timeout(hall.request_timeout_seconds, connect=hall.connect_timeout_seconds)
        verify: bool | str = str(hall.ca_file) if hall.ca_file else hall.tls_verify
        headers = {"Authorization": f"Bearer {hall.token}"}
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            verify=verify,
            transport=transport,
        )
        self.stream_client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(None, connect=hall.connect_timeout_seconds),
            verify=verify,
            transport=transport,
        )

    def request(
        self,
        method: str,
        path: str,
        answer: type[Model],
        body: BaseModel | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Model:
        """One call; LinkDown when the server is unreachable or answers nonsense,
        HallError with the server's reason for a 4xx."""
        try:
            response = self._client.request(
                method,
                path,
                content=None if body is None else body.model_dump_json(),
                headers=None if body is None else {"Content-Type": "application/json"},
                params=params,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise LinkDown(f"hall server {self.base_url}: {type(error).__name__}") from None
        except httpx.HTTPError as error:  # the request may have reached the server
            raise AnswerLost(f"hall server {self.base_url}: {type(error).__name__}") from None
        if response.status_code == 401:
            raise LinkDown(REFUSED_TOKEN)
        if response.status_code >= 500:
            raise LinkDown(f"hall server error {response.status_code}")
        if response.status_code >= 400:
            raise Refused(
                f"the hall server refused: {_reason(response)}",
                response.status_code,
                _fields(response),
            )
        try:
            parsed = answer.model_validate_json(response.content)
        except ValidationError as error:
            raise LinkDown(
                f"the hall server answered {path} with something unexpected "
                f"({error.error_count()} problem(s))"
            ) from None
        self.link.mark_online()
        server_time = getattr(parsed, "server_time", None)
        if isinstance(server_time, datetime):
            self._observe_time(server_time)
        return parsed

    def _observe_time(self, server_time: datetime) -> None:
        before = self.clock.offset_seconds
        after = self.clock.observe(server_time)
        if abs(after - before) >= 1.0:
            self._remember_offset(after)

    def online_call(
        self,
        method: str,
        path: str,
        answer: type[Model],
        body: BaseModel | None = None,
        on_lost: Callable[[], None] | None = None,
    ) -> Model | None:
        """A call worth trying now: online, or offline but due for a probe. None (and
        the link offline) when the server cannot be reached. A call whose answer was
        lost is repeated once, as it was (idempotent: the server answers the same);
        `on_lost` is called when it returns None after an answer was lost (the server
        may have done what was asked)."""
        if not self.link.online and self._base_clock.monotonic() < self._probe_after:
            return None
        lost = False
        for attempt in (1, 2):
            try:
                return self.request(method, path, answer, body)
            except AnswerLost as error:
                lost = True
                if attempt == 2:
                    self.went_offline(str(error))
            except LinkDown as error:
                self.went_offline(str(error))
                break
        if lost and on_lost is not None:
            on_lost()
        return None

    def went_offline(self, reason: str) -> None:
        self.link.mark_offline(reason)
        self._probe_after = self._base_clock.monotonic() + self._retry_seconds

    def probe(self) -> api.InfoOut | None:
        """Ask the server who we are and its time now; None when it cannot be reached."""
        try:
            return self.request("GET", api.PATH_INFO, api.InfoOut)
        except (LinkDown, HallError) as error:
            self.went_offline(str(error))
        return None

    def test_connection(self) -> ConnectionTest:
        """One authenticated call (GET /v1/info), timed; never raises."""
        started = time.perf_counter()  # a real round trip, whatever the kiosk's clock
        reason: str | None = None
        info: api.InfoOut | None = None
        try:
            info = self.request("GET", api.PATH_INFO, api.InfoOut)
        except LinkDown as error:
            reason = str(error)
            self.went_offline(reason)
        except HallError as error:
            reason = str(error)
        elapsed = round((time.perf_counter() - started) * 1000.0, 1)
        if info is None:
            return ConnectionTest(False, elapsed, reason=reason or "no answer")
        return ConnectionTest(True, elapsed, info.server_time, info.client_id)

    def close(self) -> None:
        self.stream_client.close()
        self._client.close()


def _reason(response: httpx.Response) -> str:
    """The server's message (it names the field), or the status code."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[...
        return f"status {response.status_code}"
    if isinstance(body, dict):
        message = body.get("message") or body.get("detail")
        if isinstance(message, str):
            return message[:300]
        if message is not None:
            return json.dumps(message, ensure_ascii=False)[:300]
    return f"status {response.status_code}"


def _fields(response: httpx.Response) -> list[list[Any]]:
    """The locations a 422 names (FastAPI's detail list); none for other answers."""
    try:
        detail = response.json().get("detail") if response.status_code == 422 else None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, AttributeError):
        return []
    if not isinstance(detail, list):
        return []
    return [
        list(item["loc"])
        for item in detail
        if isinstance(item, dict) and isinstance(item.get("loc"), list)
    ]
