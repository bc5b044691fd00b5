"""The 好差评 routes on a real server on loopback: the phone page's endpoint needs no
token but a real ticket, answers once per service; the staff, follow-up and figures
endpoints need a token; bad values are named, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.hall import api
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.settings import load_settings

MORNING = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningHall]:
    hall = start_in_thread(tmp_path / "hall.sqlite3", load_settings(), clock=FakeClock(MORNING))
    yield hall
    hall.stop()


@pytest.fixture
def client(running: RunningHall) -> Iterator[httpx.Client]:
    token = running.hall.store.create_token("DASH", role="admin")
    with httpx.Client(
        base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as made:
        yield made


def issued(running: RunningHall) -> str:
    store = running.hall.store
    answer, _ = store.reserve("K01", uuid.uuid4().hex, "green", ["M0103"])
    store.commit(answer["ticket_id"], "printed")
    return str(answer["ticket_id"])


def test_the_phone_page_endpoint_takes_a_vote_and_reasons_once_a_ticket_is_served(
    running: RunningHall, client: httpx.Client
) -> None:
    ticket_id = issued(running)
    path = api.PATH_TICKET_EVALUATION.format(ticket_id=ticket_id)
    public = httpx.Client(base_url=running.url, timeout=10)
    unknown = api.PATH_TICKET_EVALUATION.format(ticket_id="nope")
    assert public.get(unknown).status_code == 404
    assert public.post(unknown, json={"level": 5, "reasons": ["other"]}).status_code == 404
    assert public.post(path, json={"level": 5, "reasons": ["other"]}).status_code == 409  # waiting
    assert client.post(api.PATH_WINDOW_ACTION.format(window=1, action="call-next")).is_success
    assert client.post(api.PATH_WINDOW_ACTION.format(window=1, action="finish")).is_success
    bad = public.post(path, json={"level": 5, "reasons": ["rude"]})
    assert (bad.status_code, bad.json()["detail"][0]["loc"]) == (422, ["body", "reasons"])
    assert public.post(path, json={"level": 9}).status_code == 422
    taken = public.post(path, json={"level": 4, "reasons": ["efficiency_wait"], "note": "慢"})
    assert taken.status_code == 200, taken.text
    assert (taken.json()["level"], taken.json()["content_given"]) == (4, True)
    assert public.post(path, json={"level": 1}).status_code == 409
    public.close()


def test_staff_follow_ups_and_figures_need_a_token_and_check_what_they_get(
    running: RunningHall, client: httpx.Client
) -> None:
    staff_path = api.PATH_WINDOW_STAFF.format(window=1)
    assert httpx.post(running.url + staff_path, json={"staff_id": "1037"}).status_code == 401
    assert client.post(staff_path, json={"staff_id": "10a"}).status_code == 422
    assert (
        client.post(api.PATH_WINDOW_STAFF.format(window=99), json={"staff_id": "1"}).status_code
        == 404
    )
    signed = client.post(staff_path, json={"staff_id": "1037"})
    assert (signed.status_code, signed.json()["staff_id"]) == (200, "1037")
    assert client.post(api.PATH_FOLLOW_UP.format(evaluation_id="e1"), json={}).status_code == 404
    phone = {"contact_phone": "13812345678"}
    assert client.post(api.PATH_FOLLOW_UP.format(evaluation_id="e1"), json=phone).status_code == 422
    figures = client.get(
        api.PATH_STAFF_FIGURES, params={"first": "2026-09-30", "last": "2026-09-01"}
    )
    assert figures.status_code == 422
    assert client.get(api.PATH_STAFF_FIGURES).json()["staff"] == []
    assert client.get(api.PATH_FOLLOW_UPS_OVERDUE).json()["follow_ups"] == []


def test_a_broken_holiday_file_never_fails_a_record(tmp_path: Path) -> None:
    hall_file = tmp_path / "hall-holidays.toml"
    hall_file.write_text('[years.2026]\nwork = ["2026-10-09"]\n', encoding="utf-8")  # a weekday
    settings = load_settings(overrides={"evaluation": {"hall_holidays": str(hall_file)}})
    running = start_in_thread(tmp_path / "hall.sqlite3", settings, clock=FakeClock(MORNING))
    try:
        store = running.hall.store
        vote = {"evaluation_id": "e1", "window": 1, "level": 5}
        record: dict[str, object] = {
            "idempotency_key": uuid.uuid4().hex,
            "kind": "evaluation.recorded",
        }
        results, _ = store.add_records(
            "K01", [{**record, "at": MORNING.isoformat(), "payload": vote}]
        )
        assert [status for _, status, _ in results] == ["accepted"]
        upward = store.upward_record("evaluation", "e1")
        assert upward is not None
        assert upward["level"] == 5
    finally:
        running.stop()
