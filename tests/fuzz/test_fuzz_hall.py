"""The hall API client on any answer from the server: only HallError or LinkDown, or the
offline fallback. The server is an in-process httpx.MockTransport (fuzz/fuzz_hall.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.fuzz_hall import CALLS, STATUSES, TIMED, FakeServer, fuzz_one_input, make_hall
from kiosk.hall.base import HallError
from kiosk.hall.http import HttpHall
from kiosk.taxpayer import Identity, IdentityKind

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
zones = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
any_time = st.datetimes(timezones=zones).map(lambda moment: moment.isoformat())
big_int = st.integers(-(2**70), 2**70)
FIELDS: dict[str, Any] = {
    "server_time": any_time,
    "business_day": st.dates().map(str),
    "queues": st.lists(
        st.fixed_dictionaries(
            {
                "code": st.sampled_from(["green", "comprehensive", "x"]),
                "prefix": st.text(max_size=3),
                "name_zh": st.text(max_size=4),
                "name_en": st.text(max_size=4),
                "waiting": big_int,
                "estimated_wait_minutes": big_int,
                "windows": st.lists(big_int, max_size=3),
            }
        ),
        max_size=3,
    ),
    "known": st.booleans(),
    "appointments": st.lists(
        st.fixed_dictionaries(
            {"code": st.text(max_size=10), "matter_codes": st.just([]), "starts_at": any_time}
        ),
        max_size=2,
    ),
    "event": st.none()
    | st.fixed_dictionaries(
        {"id": big_int, "kind": st.sampled_from(["called", "finished", "odd"]), "at": any_time}
    ),
    "paused": st.booleans(),
    "blocks": st.lists(
        st.fixed_dictionaries(
            {
                "queue_code": st.sampled_from(["green", "x"]),
                "prefix": st.just("G"),
                "first": big_int,
                "last": big_int,
            }
        ),
        max_size=2,
    ),
    "client_id": st.text(max_size=5),
    "offline_floor": big_int,
    "offline_range": st.none() | st.fixed_dictionaries({"first": big_int, "last": big_int}),
    "catalog_version": st.text(max_size=5),
    "timezone": st.sampled_from(["Asia/Shanghai", "Nowhere/City"]),
    "hall_name_zh": st.text(max_size=4),
    "hall_name_en": st.text(max_size=4),
    "ticket_id": st.text(max_size=8),
    "status": st.sampled_from(["waiting", "void", "odd"]),
    "results": st.lists(json_values, max_size=3),
}
# Answers shaped like the API's with any values (fields may be missing), or any JSON.
answers = st.fixed_dictionaries({}, optional=FIELDS) | json_values


def fuzz_input(status: int, call: int, body: bytes) -> bytes:
    return bytes([STATUSES.index(status), call]) + body


@given(
    status=st.sampled_from([200, 400, 401, 404, 422, 500]),
    call=st.integers(0, len(CALLS)),
    answer=answers,
)
@settings(max_examples=100, deadline=None)
def test_any_answer_ends_in_hall_error_link_down_or_a_result(
    status: int, call: int, answer: object
) -> None:
    fuzz_one_input(fuzz_input(status, call, json.dumps(answer).encode()))


@given(data=st.binary(max_size=600))
@settings(max_examples=60, deadline=None)
def test_the_fuzz_entry_point_holds_on_any_bytes(data: bytes) -> None:
    fuzz_one_input(data)


# -- regressions: bugs the fuzzer found in kiosk/hall/http.py ----------------------------


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[HttpHall, FakeServer]]:
    client, server, _ = make_hall(tmp_path)
    yield client, server
    client.close()


INFO = (
    '"client_id": "K01", "offline_floor": 900, "catalog_version": "1", "timezone":'
    ' "Asia/Shanghai", "hall_name_zh": "厅", "hall_name_en": "Hall"'
)


def test_a_refusal_nested_too_deep_for_json_is_a_hall_error(
    hall: tuple[HttpHall, FakeServer],
) -> None:
    # Was: RecursionError out of _reason() for an error answer of "[[[[...".
    client, server = hall
    server.status, server.body = 400, b"[" * 100_000
    with pytest.raises(HallError, match="refused: status 400"):
        client.reserve("green", ["A01"], "K01")


def test_an_appointment_at_the_edge_of_time_is_a_hall_error(
    hall: tuple[HttpHall, FakeServer],
) -> None:
    # Was: OverflowError converting 0001-01-01T00:00+14:00 to the hall's time zone.
    client, server = hall
    appointment = '{"code": "YY1", "matter_codes": [], "starts_at": "0001-01-01T00:00:00+14:00"}'
    server.body = ("{" + TIMED + ', "known": true, "appointments": [' + appointment + "]}").encode()
    identity = Identity(IdentityKind.APPOINTMENT_CODE, "YY20261123", "YY20261123")
    with pytest.raises(HallError, match="impossible date"):
        client.taxpayer_profile(identity)


def test_a_lease_block_too_big_for_sqlite_is_ignored_and_the_good_one_kept(
    hall: tuple[HttpHall, FakeServer],
) -> None:
    # Was: OverflowError (int too large to convert to SQLite INTEGER) out of maintain().
    client, server = hall
    huge = '{"queue_code": "green", "prefix": "G", "first": ' + str(2**64) + ', "last": 1}'
    good = '{"queue_code": "green", "prefix": "G", "first": 101, "last": 120}'
    blocks = f'"blocks": [{huge}, {good}]'
    server.body = ("{" + TIMED + ", " + INFO + ", " + blocks + "}").encode()
    client.maintain()
    assert client.leased_left("green") == 20
