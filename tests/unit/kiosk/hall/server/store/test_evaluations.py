"""好差评's typed tables on SQLite and PostgreSQL: filled from the kiosks' records,
one counted evaluation per service, 差评 content from the phone page once, follow-ups
due on the holiday calendar, the province outbox and the period's report."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.clock import FakeClock
from kiosk.hall.server.store import HallStore, Location, StoreError
from tests.helpers.fakes import make_settings

WEDNESDAY = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, before 国庆


def record(
    kind: str, payload: dict[str, Any], ticket_id: str | None = None, **at: Any
) -> dict[str, Any]:
    return {
        "idempotency_key": uuid.uuid4().hex,
        "kind": kind,
        "at": (WEDNESDAY + timedelta(**at)).isoformat(),
        "ticket_id": ticket_id,
        "payload": payload,
    }


@pytest.fixture
def store(database_location: Location, tmp_path: Path) -> Iterator[HallStore]:
    made = HallStore(database_location, make_settings(tmp_path), FakeClock(WEDNESDAY))
    yield made
    made.close()


def served(store: HallStore, window: int) -> tuple[str, str]:
    """A ticket of a queue served at `window`, called and finished there."""
    queue = next(q for q in store.settings.queues if window in q.windows)
    answer, _ = store.reserve("K01", uuid.uuid4().hex, queue.code, ["M0201"])
    store.commit(answer["ticket_id"], "printed")
    store.call_next(window)
    store.finish(window)
    return answer["ticket_id"], answer["number"]


def accepted(store: HallStore, *records: dict[str, Any]) -> list[str]:
    results, _ = store.add_records("K01", list(records))
    return [status if status == "accepted" else message for _, status, message in results]


def test_one_service_one_evaluation_with_staff_matters_reasons_and_follow_up(
    store: HallStore,
) -> None:
    window = store.settings.queues[0].windows[0]
    ticket_id, number = served(store, window)
    vote = {
        "evaluation_id": "e" * 32,
        "window": window,
        "level": 5,
        "staff_id": "1037",
        "ticket_number": number,
        "channel": "keypad",
    }
    again = {**vote, "evaluation_id": "f" * 32, "level": 1, "repeat": True}
    assert (
        accepted(
            store,
            record("staff.signed_in", {"window": window, "staff_id": "1037"}),
            record(
                "service.called",
                {"window": window, "number": number, "staff_id": "1037"},
                ticket_id,
            ),
            record(
                "service.finished",
                {"window": window, "number": number, "staff_id": "1037"},
                ticket_id,
                minutes=6,
            ),
            record("evaluation.recorded", vote, ticket_id, minutes=7),
            record("evaluation.recorded", again, ticket_id, minutes=8),
        )
        == ["accepted"] * 5
    )
    state = store.evaluation_state(ticket_id)
    assert (state.level, state.wants_content) == (5, True)
    after = store.add_qr_content(ticket_id, None, ["efficiency_wait", "other"], "等太久")
    assert (after.content_given, after.wants_content) == (True, False)
    with pytest.raises(StoreError) as twice:
        store.add_qr_content(ticket_id, None, ["other"], "")
    assert twice.value.status == 409
    [item] = store.province_due()
    assert item.item_key == f"evaluation:{'e' * 32}"
    upward = store.upward_record("evaluation", "e" * 32)
    assert upward is not None
    assert upward["case_number"].startswith(f"20260930{number}")
    assert ticket_id not in upward["case_number"]
    assert upward["matter_codes"] == ["M0201"]
    assert upward["implementation_codes"] == ["EXAMPLE000M0201"]
    assert (upward["staff_id"], upward["level"], upward["channel"]) == ("1037", 5, "qr")
    assert (upward["reasons"], upward["note"]) == (["efficiency_wait", "other"], "等太久")
    [overdue] = [
        r
        for r in store.evaluation_report(date(2026, 9, 30), date(2026, 9, 30))
        if r.dimension == "staff"
    ]
    assert (overdue.key, overdue.evaluated, overdue.bad, overdue.repeats) == ("1037", 1, 1, 1)
    assert overdue.overdue_follow_ups == 0
    store.clock.advance(timedelta(days=14).total_seconds())  # type: ignore[attr-defined]
    [late] = store.overdue_follow_ups()
    assert late["deadline"] == "2026-10-13"  # 国庆 off, Saturday 10-10 a working day
    [figures] = store.staff_figures(date(2026, 9, 30), date(2026, 9, 30))
    assert (figures.staff_id, figures.calls, figures.services, figures.service_minutes) == (
        "1037",
        1,
        1,
        6.0,
    )


def test_bad_payloads_are_refused_naming_the_field(store: HallStore) -> None:
    assert accepted(
        store,
        record("staff.signed_in", {"window": 0, "staff_id": "1"}),
        record("evaluation.recorded", {"evaluation_id": "x", "window": 2, "level": 9}),
        record("follow_up.updated", {"evaluation_id": "nope"}),
    ) == [
        "payload.window: a window number 1..999",
        "payload.level: 1..5, or null for not evaluated",
        "payload.evaluation_id: no follow-up with this id",
    ]


def test_the_phone_page_may_vote_once_when_the_keypad_did_not(store: HallStore) -> None:
    window = store.settings.queues[0].windows[0]
    ticket_id, _ = served(store, window)
    store.set_window_staff("DASH", window, "2002")
    with pytest.raises(StoreError) as no_level:
        store.add_qr_content(ticket_id, None, [], "")
    assert no_level.value.status == 422
    with pytest.raises(StoreError) as bad_reason:
        store.add_qr_content(ticket_id, 4, ["rude"], "")
    assert (bad_reason.value.status, bad_reason.value.field) == (422, "reasons")
    state = store.add_qr_content(ticket_id, 4, ["attitude_impatient"], "")
    assert (state.level, state.content_given) == (4, True)
    [item] = store.province_due()
    upward = store.upward_record("evaluation", item.ref)
    assert upward is not None
    assert (upward["staff_id"], upward["channel"], upward["window"]) == ("2002", "qr", window)
    followed = store.update_follow_up(
        item.ref,
        {
            "assignee": "王科长",
            "contact_phone": "13812345678",
            "consent": True,
            "contact_result": "已联系",
            "rectification": "加开窗口",
            "close": True,
        },
    )
    assert followed["contact_phone"] == "138****5678"
    assert followed["closed_at"] is not None
    assert store.purge_contact_phones(1) == 0  # kept for the retention's days
    store.clock.advance(2 * 86400)  # type: ignore[attr-defined]
    assert store.purge_contact_phones(1) == 1


def test_content_from_the_kiosk_screen_is_channel_terminal_and_taken_once(
    store: HallStore,
) -> None:
    window = store.settings.queues[0].windows[0]
    ticket_id, number = served(store, window)
    vote = {"evaluation_id": "a" * 32, "window": window, "level": 4, "ticket_number": number}
    content = {"evaluation_id": "a" * 32, "reasons": ["process_trips"], "note": "跑了两次"}
    assert accepted(
        store,
        record("evaluation.recorded", vote, ticket_id),
        record("evaluation.content", content, ticket_id, minutes=1),
        record("evaluation.content", {**content, "reasons": ["other"]}, ticket_id, minutes=2),
        record("evaluation.content", {**content, "reasons": ["nope"]}, ticket_id, minutes=3),
    ) == ["accepted", "accepted", "accepted", "payload.reasons: unknown reason 'nope'"]
    upward = store.upward_record("evaluation", "a" * 32)
    assert upward is not None
    assert (upward["channel"], upward["reasons"], upward["note"]) == (
        "terminal",
        ["process_trips"],
        "跑了两次",
    )


def test_a_staff_member_signed_in_from_the_dashboard_serves_the_kiosks_calls(
    store: HallStore,
) -> None:
    window = store.settings.queues[0].windows[0]
    ticket_id, number = served(store, window)
    store.set_window_staff("DASH", window, "3003")
    call = {"window": window, "number": number}
    assert accepted(
        store,
        record("service.called", call, ticket_id),
        record("service.finished", call, ticket_id, minutes=4),
    ) == ["accepted", "accepted"]
    [figures] = store.staff_figures(date(2026, 9, 30), date(2026, 9, 30))
    assert (figures.staff_id, figures.calls, figures.services, figures.service_minutes) == (
        "3003",
        1,
        1,
        4.0,
    )
    store.set_window_staff("DASH", window, None)
    with pytest.raises(StoreError) as unknown:
        store.set_window_staff("DASH", 999, "1")
    assert unknown.value.status == 404


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 1000),
    st.text(max_size=20),
    st.lists(st.text(max_size=12), max_size=3),
    st.sampled_from(["1037", "G001", "a" * 32, "13812345678", "keypad", "other"]),
)
PAYLOADS = st.dictionaries(
    st.sampled_from(
        [
            "evaluation_id",
            "window",
            "level",
            "staff_id",
            "number",
            "ticket_number",
            "channel",
            "reasons",
            "note",
            "repeat",
            "recall",
            "queue",
            "assignee",
            "contact_phone",
            "consent",
            "contact_result",
            "rectification",
        ]
    ),
    VALUES,
)
KINDS = st.sampled_from(
    [
        "staff.signed_in",
        "staff.signed_out",
        "service.called",
        "service.finished",
        "evaluation.recorded",
        "evaluation.content",
        "follow_up.updated",
        "follow_up.closed",
    ]
)


def test_any_payload_is_taken_or_refused_with_a_reason_never_an_error(tmp_path: Path) -> None:
    store = HallStore(tmp_path / "hall.sqlite3", make_settings(tmp_path), FakeClock(WEDNESDAY))

    @given(kind=KINDS, payload=PAYLOADS)
    @settings(max_examples=150, deadline=None)
    def one(kind: str, payload: dict[str, Any]) -> None:
        [(_, status, message)] = store.add_records("K01", [record(kind, payload, "t-x")])[0]
        assert status in ("accepted", "rejected")
        assert (status == "rejected") == bool(message)

    try:
        one()
    finally:
        store.close()


def test_staff_figures_measure_the_wait_of_the_numbers_each_one_called(store: HallStore) -> None:
    window = store.settings.queues[0].windows[0]
    answer, _ = store.reserve("K01", uuid.uuid4().hex, store.settings.queues[0].code, [])
    store.commit(answer["ticket_id"], "printed")
    store.clock.advance(9 * 60)  # type: ignore[attr-defined]
    call = {"window": window, "number": answer["number"], "staff_id": "1037"}
    again = {**call, "recall": True}
    assert (
        accepted(
            store,
            record("service.called", call, answer["ticket_id"], minutes=9),
            record("service.called", again, answer["ticket_id"], minutes=9),
        )
        == ["accepted"] * 2
    )
    [figures] = store.staff_figures(date(2026, 9, 30), date(2026, 9, 30))
    assert (figures.staff_id, figures.calls, figures.wait_minutes) == ("1037", 2, 9.0)
