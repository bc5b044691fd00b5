"""A small morning at a hall server whose every dashboard figure is known."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kiosk.clock import FakeClock
from kiosk.hall.server.hall import HallServer

MORNING = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai


def _ticket(server: HallServer, queue: str, matters: list[str]) -> str:
    answer, _ = server.store.reserve("K01", f"key-{queue}-{server.clock.now()}", queue, matters)
    server.store.commit(answer["ticket_id"], "printed")
    return str(answer["ticket_id"])


def evaluation(
    at: datetime, window: int, level: int, staff: str, key: str, number: str | None = None
) -> dict[str, Any]:
    payload = {"evaluation_id": key, "window": window, "level": level, "staff_id": staff,
               "ticket_number": number}  # fmt: skip
    return {"idempotency_key": key, "kind": "evaluation.recorded", "at": at.isoformat(),
            "payload": payload}  # fmt: skip


def morning(server: HallServer, clock: FakeClock) -> dict[str, str]:
    """09:30 a green ticket, called at window 1 after 12 min, served 6 min; 09:48 a
    comprehensive one, called at window 2 after 17 min (still served); 10:05 a green
    one, waiting. Two evaluations today (a 差评 at window 2), a 非常不满意 on Friday
    the 20th and one on the 13th (A001's, its follow-up past its deadline of the 20th:
    five working days)."""
    first = _ticket(server, "green", ["M0201"])
    clock.advance(12 * 60)
    server.store.call_next(1)
    clock.advance(6 * 60)
    server.store.finish(1)
    second = _ticket(server, "comprehensive", ["M0101", "M0201"])
    clock.advance(17 * 60)
    server.store.call_next(2)
    third = _ticket(server, "green", ["M0301"])
    at = clock.now()
    results, _ = server.store.add_records(
        "K01",
        [
            evaluation(at, 1, 1, "1001", "e1"),
            evaluation(at, 2, 4, "1002", "e2"),
            evaluation(datetime(2026, 11, 20, 3, tzinfo=UTC), 1, 5, "1001", "e0"),
            evaluation(datetime(2026, 11, 13, 3, tzinfo=UTC), 2, 5, "1002", "e9", "A001"),
        ],
    )
    assert {status for _, status, _ in results} == {"accepted"}  # all in the typed tables
    return {"first": first, "second": second, "third": third}
