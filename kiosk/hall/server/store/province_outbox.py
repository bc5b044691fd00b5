"""The province outbox: every counted evaluation and every closed follow-up goes to the
province 好差评 platform once (its item key is the idempotency key), retried with
growing waits until the platform accepts it. The record sent is built from the
typed tables when it is sent, so a 差评's content that came in the meantime goes
with it. Our field names (`upward_record`) are what a province mapping maps from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.hall.server.store.base import StoreBase
from kiosk.queue import Transaction

LEVEL_NAMES = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}


@dataclass(frozen=True)
class OutboxItem:
    item_key: str
    kind: str  # "evaluation" or "follow_up"
    ref: str  # the evaluation id
    attempts: int


class ProvinceOutbox(StoreBase):
    def province_due(self, limit: int = 50) -> list[OutboxItem]:
        now = self.now().isoformat()
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT item_key, kind, ref, attempts FROM province_outbox"
                " WHERE delivered_at IS NULL AND due_at <= ? AND next_attempt_at <= ?"
                " ORDER BY due_at LIMIT ?",
                (now, now, limit),
            )
        return [OutboxItem(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]

    def province_delivered(self, item_key: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE province_outbox SET delivered_at = ?, attempts = attempts + 1,"
                " last_error = '' WHERE item_key = ?",
                (self.now().isoformat(), item_key),
            )

    def province_failed(self, item_key: str, error: str, retry_at: datetime) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE province_outbox SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ? WHERE item_key = ?",
                (error[:300], retry_at.isoformat(), item_key),
            )

    def province_pending(self) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT item_key, attempts, next_attempt_at, last_error FROM province_outbox"
                " WHERE delivered_at IS NULL ORDER BY due_at",
                (),
            )
        names = ("item_key", "attempts", "next_attempt_at", "last_error")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def upward_record(self, kind: str, evaluation_id: str) -> dict[str, Any] | None:
        """Our fields of one item; None when its evaluation is gone."""
        with self.db.read() as tx:
            return _upward(self, tx, kind, evaluation_id)

    def evaluation_halls(self) -> list[str]:
        """The halls that have evaluations in this database, in order."""
        with self.db.read() as tx:
            rows = tx.all("SELECT DISTINCT hall FROM evaluations ORDER BY hall", ())
        return [str(row[0]) for row in rows]

    def upward_records_of_day(self, day: date, hall: str | None = None) -> list[dict[str, Any]]:
        """Every item of evaluations made on `day` (the daily CSV export), delivered
        or not, with `delivered_at`: of `hall`, or of every hall when None."""
        of_hall = "" if hall is None else " AND e.hall = ?"
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT o.kind, o.ref, o.delivered_at FROM province_outbox o"
                " JOIN evaluations e ON e.evaluation_id = o.ref"
                f" WHERE e.business_day = ?{of_hall} ORDER BY e.evaluated_at, o.kind",
                (day.isoformat(),) if hall is None else (day.isoformat(), hall),
            )
            found = []
            for kind, ref, delivered_at in rows:
                record = _upward(self, tx, str(kind), str(ref))
                if record is not None:
                    found.append({**record, "delivered_at": delivered_at or ""})
        return found


def _upward(
    store: StoreBase, tx: Transaction, kind: str, evaluation_id: str
) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT case_number, window_number, staff_id, level, channel, note, evaluated_at,"
        " ticket_id, hall FROM evaluations WHERE evaluation_id = ?",
        (evaluation_id,),
    )
    if row is None:
        return None
    case, window, staff, level, channel, note, evaluated_at, _ticket, hall = row
    base: dict[str, Any] = {
        "hall": str(hall),
        "record_type": kind,
        "idempotency_key": f"{kind}:{evaluation_id}",
        "evaluation_id": evaluation_id,
        "case_number": case or "",
        "window": int(window),
        "staff_id": staff or "",
    }
    if kind == "follow_up":
        follow = tx.one(
            "SELECT deadline, assignee, contact_result, rectification, closed_at,"
            " closing_note FROM follow_ups WHERE evaluation_id = ?",
            (evaluation_id,),
        )
        if follow is None:
            return None
        names = ("deadline", "assignee", "contact_result", "rectification", "closed_at")
        base.update(dict(zip(names, (v or "" for v in follow[:5]), strict=True)))
        base["closing_note"] = follow[5] or ""
        closed = follow[4]
        base["overdue"] = bool(closed) and store.business_day(
            datetime.fromisoformat(str(closed))
        ) > date.fromisoformat(str(follow[0]))
        return base
    matters = tx.all(
        "SELECT matter_code, implementation_code FROM evaluation_matters"
        " WHERE evaluation_id = ? ORDER BY matter_code",
        (evaluation_id,),
    )
    reasons = tx.all(
        "SELECT reason FROM evaluation_reasons WHERE evaluation_id = ? ORDER BY reason",
        (evaluation_id,),
    )
    base.update(
        matter_codes=[str(m[0]) for m in matters],
        implementation_codes=[str(m[1]) for m in matters if m[1]],
        level=int(level),
        level_name=LEVEL_NAMES[int(level)],
        bad=int(level) >= 4,
        channel=str(channel),
        reasons=[str(r[0]) for r in reasons],
        note=str(note),
        evaluated_at=str(evaluated_at),
    )
    return base
