"""HallStore without the web server, on a SQLite file and on PostgreSQL: the queue
engine's refusals as HTTP statuses, window actions, and data that outlive the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.store import HallStore, Location, StoreError, hash_token
from kiosk.settings import Settings
from tests.helpers.fakes import make_settings

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def location(database_location: Location) -> Location:
    return database_location


@pytest.fixture
def store(location: Location, settings: Settings, clock: FakeClock) -> Iterator[HallStore]:
    made = HallStore(location, settings, clock, offline_floor=900)
    yield made
    made.close()


def test_the_engines_refusals_are_http_statuses(store: HallStore) -> None:
    with pytest.raises(StoreError) as unknown:
        store.reserve("K01", "k1", "nowhere", [])
    assert (unknown.value.status, unknown.value.field) == (422, "queue_code")
    with pytest.raises(StoreError) as no_window:
        store.call_next(99)
    assert no_window.value.status == 404
    assert no_window.value.message == "window: no queue is served at window 99"
    assert store.set_paused(1, True)[0].kind == "window_paused"
    assert store.set_paused(1, True) == []  # already paused
    with pytest.raises(StoreError, match="window 1 is paused: resume it first") as paused:
        store.call_next(1)
    assert (paused.value.status, store.window_paused(1)) == (409, True)


def test_a_window_calls_finishes_and_recalls_through_the_engine(store: HallStore) -> None:
    answer, new = store.reserve("K01", "k1", "green", ["M0201"])
    again, repeated = store.reserve("K01", "k1", "green", ["M0201"])
    assert (new, repeated, again) == (True, False, answer)
    assert store.commit(answer["ticket_id"], "printed").status == "waiting"
    called = store.call_next(1)
    assert [(c.kind, c.ticket.number if c.ticket else None) for c in called] == [("called", "G001")]
    assert [c.recall for c in store.recall(1)] == [True]
    finished = store.finish(1)
    assert [(c.kind, c.ticket.status if c.ticket else None) for c in finished] == [
        ("finished", "finished")
    ]
    assert store.finish(1) == []
    with pytest.raises(StoreError, match="is finished: not voided"):
        store.void(answer["ticket_id"])


def test_leases_and_numbers_stay_below_the_offline_floor(
    location: Location, settings: Settings, clock: FakeClock
) -> None:
    store = HallStore(location, settings, clock, offline_floor=5)
    lease = store.lease("K01", "l1", 3, ["green"])
    assert lease["blocks"] == [{"queue_code": "green", "prefix": "G", "first": 1, "last": 3}]
    assert store.reserve("K01", "r1", "green", [])[0]["number"] == "G004"
    with pytest.raises(StoreError, match="has issued all its numbers") as full:
        store.reserve("K01", "r2", "green", [])
    assert full.value.status == 409
    assert store.lease("K01", "l2", 3, ["green"])["blocks"] == []  # no room: no block
    store.close()


def test_tokens_are_kept_hashed_and_survive_a_reopen(
    location: Location, settings: Settings, clock: FakeClock, store: HallStore
) -> None:
    token = store.create_token("K01")
    assert store.client_for(token) == "K01"
    assert store.client_for("not a token") is None
    reopened = HallStore(location, settings, clock)
    assert [client for client, _ in reopened.tokens()] == ["K01"]
    with reopened.db.read() as tx:
        assert tx.all("SELECT token_hash FROM tokens") == [(hash_token(token),)]
    assert reopened.revoke_token("K01")
    assert not reopened.revoke_token("K01")
    reopened.close()
