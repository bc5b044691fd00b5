"""A kiosk screen's evaluation delivered from the kiosk's outbox (evaluation.terminal)
into the typed tables, on SQLite and PostgreSQL: counted once with its 差评 content
and follow-up, the same evaluation delivered again under another key is kept once,
an admin's upload and an unserved ticket are refused with nothing written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import FakeClock
from kiosk.evaluation_state import OFFLINE_EVALUATION_KIND
from kiosk.hall.server.store import HallStore, Location
from tests.helpers.fakes import make_settings

WEDNESDAY = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)


@pytest.fixture
def store(database_location: Location, tmp_path: Path) -> Iterator[HallStore]:
    made = HallStore(database_location, make_settings(tmp_path), FakeClock(WEDNESDAY))
    yield made
    made.close()


def ticket(store: HallStore, finish: bool = True) -> str:
    window = store.settings.queues[0].windows[0]
    queue = next(q for q in store.settings.queues if window in q.windows)
    answer, _ = store.reserve("K01", uuid.uuid4().hex, queue.code, ["M0201"])
    store.commit(answer["ticket_id"], "printed")
    if finish:
        store.call_next(window)
        store.finish(window)
    return str(answer["ticket_id"])


def deliver(store: HallStore, ticket_id: str, role: str = "kiosk", **payload: Any) -> str:
    record = {
        "idempotency_key": uuid.uuid4().hex,
        "kind": OFFLINE_EVALUATION_KIND,
        "at": WEDNESDAY.isoformat(),
        "ticket_id": ticket_id,
        "payload": payload,
    }
    [(_, status, message)] = store.add_records("K01", [record], role)[0]
    return message if status == "rejected" else status


def test_a_delivered_bad_review_counts_once_with_its_content_and_follow_up(
    store: HallStore,
) -> None:
    served = ticket(store)
    vote = {"evaluation_id": "a" * 32, "level": 5, "reasons": ["other"], "note": "等太久"}
    assert deliver(store, served, **vote) == "accepted"
    assert deliver(store, served, **vote) == "accepted"  # again, another key: nothing new
    with store.db.read() as tx:
        rows = tx.all(
            "SELECT evaluation_id, channel, level, is_repeat, note FROM evaluations"
            " WHERE ticket_id = ?",
            (served,),
        )
        follow_ups = tx.all("SELECT evaluation_id FROM follow_ups")
    assert [tuple(row) for row in rows] == [("a" * 32, "terminal", 5, 0, "等太久")]
    assert [row[0] for row in follow_ups] == ["a" * 32]
    state = store.evaluation_state(served)
    assert (state.level, state.content_given) == (5, True)


def test_refusals_write_nothing(store: HallStore) -> None:
    served = ticket(store)
    waiting = ticket(store, finish=False)  # after: the window served the first
    vote = {"evaluation_id": "b" * 32, "level": 1}
    assert deliver(store, served, "admin", **vote).startswith("403 ")
    assert deliver(store, waiting, **vote).startswith("409 ")
    assert deliver(store, "no-such-ticket", **vote).startswith("404 ")
    with store.db.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM evaluations") == (0,)
