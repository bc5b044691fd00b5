"""The period's evaluations per window, per staff and per matter (`kiosk hall report
evaluations`), and the statistics per staff: calls, services, service time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kiosk.hall.server.store.base import StoreBase

LEVELS = (1, 2, 3, 4, 5)
NEGATIVE = 4


@dataclass
class ReportRow:
    """One window, staff member or matter over the period. Counted evaluations only
    (repeats are counted apart, never in the levels)."""

    dimension: str  # "window", "staff" or "matter"
    key: str
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    not_evaluated: int = 0
    repeats: int = 0
    bad: int = 0  # 差评: 不满意 and 非常不满意
    overdue_follow_ups: int = 0

    @property
    def evaluated(self) -> int:
        return sum(self.levels.values())

    def as_row(self) -> list[str | int]:
        return [
            self.dimension,
            self.key,
            self.evaluated,
            *(self.levels[level] for level in LEVELS),
            self.not_evaluated,
            self.repeats,
            self.bad,
            self.overdue_follow_ups,
        ]


REPORT_COLUMNS = [
    "dimension",
    "key",
    "evaluated",
    "very_satisfied",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "very_dissatisfied",
    "not_evaluated",
    "repeats",
    "bad",
    "overdue_follow_ups",
]


@dataclass(frozen=True)
class StaffFigures:
    staff_id: str
    calls: int
    services: int
    service_minutes: float  # mean, of services with a start and an end
    evaluated: int
    bad: int
    wait_minutes: float = 0.0  # mean, issued -> first called, of the numbers it called


class EvaluationReports(StoreBase):
    def evaluation_report(self, first: date, last: date) -> list[ReportRow]:
        """Per window, then per staff, then per matter, for business days first..last."""
        today = self.business_day()
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT e.evaluation_id, e.window_number, e.staff_id, e.level, e.is_repeat,"
                " f.deadline, f.closed_at FROM evaluations e"
                " LEFT JOIN follow_ups f ON f.evaluation_id = e.evaluation_id"
                " WHERE e.hall = ? AND e.business_day >= ? AND e.business_day <= ?"
                " ORDER BY e.evaluated_at",
                (self.hall, first.isoformat(), last.isoformat()),
            )
            matters: dict[str, list[str]] = defaultdict(list)
            for evaluation_id, matter in tx.all(
                "SELECT m.evaluation_id, m.matter_code FROM evaluation_matters m"
                " JOIN evaluations e ON e.evaluation_id = m.evaluation_id"
                " WHERE e.hall = ? AND e.business_day >= ? AND e.business_day <= ?",
                (self.hall, first.isoformat(), last.isoformat()),
            ):
                matters[str(evaluation_id)].append(str(matter))
        table: dict[tuple[str, str], ReportRow] = {}

        def row(dimension: str, key: str) -> ReportRow:
            return table.setdefault((dimension, key), ReportRow(dimension, key))

        for evaluation_id, window, staff, level, repeat, deadline, closed_at in rows:
            keys = [("window", str(window)), ("staff", str(staff or "-"))]
            keys += [("matter", code) for code in matters.get(str(evaluation_id), ["-"])]
            overdue = deadline is not None and _overdue(str(deadline), closed_at, today, self)
            for dimension, key in keys:
                found = row(dimension, key)
                if repeat:
                    found.repeats += 1
                elif level is None:
                    found.not_evaluated += 1
                else:
                    found.levels[int(level)] += 1
                    found.bad += int(level) >= NEGATIVE
                    found.overdue_follow_ups += overdue
        order = {"window": 0, "staff": 1, "matter": 2}
        return sorted(
            table.values(),
            key=lambda r: (order[r.dimension], r.key.zfill(8) if r.key.isdigit() else r.key),
        )

    def staff_figures(self, first: date, last: date) -> list[StaffFigures]:
        """Per staff number: calls, services, mean service time, evaluations, 差评."""
        span = (self.hall, first.isoformat(), last.isoformat())
        figures: dict[str, dict[str, Any]] = defaultdict(
            lambda: {
                "calls": 0,
                "services": 0,
                "minutes": [],
                "waits": [],
                "evaluated": 0,
                "bad": 0,
            }
        )
        with self.db.read() as tx:
            for staff, started, ended in tx.all(
                "SELECT staff_id, started_at, ended_at FROM services WHERE staff_id IS NOT NULL"
                " AND hall = ? AND business_day >= ? AND business_day <= ?",
                span,
            ):
                entry = figures[str(staff)]
                entry["services"] += 1
                if started and ended:
                    seconds = (
                        datetime.fromisoformat(str(ended)) - datetime.fromisoformat(str(started))
                    ).total_seconds()
                    entry["minutes"].append(seconds / 60)
            for staff, called_at, recall, issued_at in tx.all(
                "SELECT c.staff_id, c.called_at, c.recall, t.issued_at FROM calls c"
                " LEFT JOIN tickets t ON t.ticket_id = c.ticket_id AND t.hall = c.hall"
                " WHERE c.staff_id IS NOT NULL AND c.hall = ?",
                (self.hall,),
            ):
                called = datetime.fromisoformat(str(called_at))
                if first <= self.business_day(called) <= last:
                    figures[str(staff)]["calls"] += 1
                    if issued_at is not None and not recall:  # measured: the first call
                        waited = called - datetime.fromisoformat(str(issued_at))
                        figures[str(staff)]["waits"].append(waited.total_seconds() / 60)
            for staff, level in tx.all(
                "SELECT staff_id, level FROM evaluations WHERE staff_id IS NOT NULL"
                " AND is_repeat = 0 AND level IS NOT NULL"
                " AND hall = ? AND business_day >= ? AND business_day <= ?",
                span,
            ):
                figures[str(staff)]["evaluated"] += 1
                figures[str(staff)]["bad"] += int(level) >= NEGATIVE
        return [
            StaffFigures(
                staff,
                entry["calls"],
                entry["services"],
                round(sum(entry["minutes"]) / len(entry["minutes"]), 1) if entry["minutes"] else 0,
                entry["evaluated"],
                entry["bad"],
                round(sum(entry["waits"]) / len(entry["waits"]), 1) if entry["waits"] else 0,
            )
            for staff, entry in sorted(figures.items())
        ]

    def overdue_follow_ups(self) -> list[dict[str, Any]]:
        """Open follow-ups past their deadline (the dashboard and the technician menu
        escalate them), oldest first."""
        today = self.business_day().isoformat()
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT f.evaluation_id, f.deadline, e.window_number, e.staff_id, e.level,"
                " e.case_number FROM follow_ups f JOIN evaluations e"
                " ON e.evaluation_id = f.evaluation_id"
                " WHERE e.hall = ? AND f.closed_at IS NULL AND f.deadline < ? ORDER BY f.deadline",
                (self.hall, today),
            )
        names = ("evaluation_id", "deadline", "window", "staff_id", "level", "case_number")
        return [dict(zip(names, row, strict=True)) for row in rows]


def _overdue(deadline: str, closed_at: object, today: date, store: StoreBase) -> bool:
    """Open past its deadline, or closed after it."""
    if closed_at is None:
        return today > date.fromisoformat(deadline)
    closed_day = store.business_day(datetime.fromisoformat(str(closed_at)))
    return closed_day > date.fromisoformat(deadline)
