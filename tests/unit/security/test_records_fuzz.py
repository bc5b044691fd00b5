"""Trust no client (#15): whatever a token holder uploads as records, the hall server
answers below 500, and what it kept stays readable. A real server on 127.0.0.1;
hypothesis draws the batches (the same ones on every run under CI)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.clock import FakeClock
from kiosk.settings import load_settings
from tests.helpers.hall_api import MORNING, ServerUnderTest

ODD_TEXT = ["\ud800", "G²²²", "G٩٩٨", "G９９７", "G900", "G001", "２０２６-11-23", "", "M0201"]
text = st.text(max_size=12) | st.sampled_from(ODD_TEXT)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([math.nan, math.inf])  # json.dumps writes NaN and Infinity
    | st.floats()
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10,
)
zones = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# The edges first: times whose UTC equivalent falls outside the years Python keeps.
EDGE_TIMES = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2031-01-01T00:00:00Z"]
times = (
    st.sampled_from(EDGE_TIMES)
    | st.datetimes(timezones=zones).map(lambda moment: moment.isoformat())
    | text
)
days = st.dates().map(str) | st.sampled_from(["2026-11-23", "2026-11-22"]) | text
ticket_payloads = st.fixed_dictionaries(
    {},
    optional={
        "queue": st.sampled_from(["green", "comprehensive", "nope"]) | text,
        "number": st.from_regex(r"\AG[0-9]{3}\Z") | text,
        "business_day": days,
        "matters": st.lists(text | st.just("M0201"), max_size=3) | json_values,
        "address": json_values,
        "condition": json_values,
    },
)
records = st.fixed_dictionaries(
    {
        "idempotency_key": st.from_regex(r"\A[A-Za-z0-9_-]{8,12}\Z") | text,
        "kind": st.sampled_from(
            [
                "ticket.reserved",
                "ticket.printed",
                "ticket.voided",
                "heartbeat",
                "keypad.online",
                "printer.status",
                "keypads.port_lost",
            ]
        )
        | text,
        "at": times,
    },
    optional={
        "ticket_id": st.none() | st.sampled_from(["t1", "t2", "t3"]) | text,
        "payload": ticket_payloads | st.dictionaries(text, json_values, max_size=3),
    },
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerUnderTest]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    running = ServerUnderTest(folder / "hall.sqlite3", load_settings(), FakeClock(MORNING))
    yield running
    running.stop()


@given(batch=st.lists(records, max_size=4))
def test_no_upload_of_records_gives_a_5xx(server: ServerUnderTest, batch: list[Any]) -> None:
    client: httpx.Client = server.kiosk("K01")
    body = json.dumps({"records": batch})  # surrogates escaped, NaN written as NaN
    answer = client.post("/v1/records", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code < 500, answer.text
    if answer.status_code == 200:
        assert len(answer.json()["results"]) == len(batch)
    assert client.get("/v1/records", params={"limit": 1000}).status_code == 200
    assert client.get("/v1/devices").status_code == 200
    assert client.get("/v1/queues").status_code == 200
