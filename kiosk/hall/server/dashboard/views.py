"""What the dashboard shows, as JSON: the live hall and the history of a period.

`Period` is a day, a week (Monday to Sunday) or a calendar month of business days;
the figures come from kiosk/hall/server/dashboard/queries.py. Each is of one hall of
the server (main unless named): its tickets, windows, kiosks and evaluations only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from kiosk.hall.server.dashboard import queries
from kiosk.hall.server.hall import HallServer, HallSite
from kiosk.hall.server.store.evaluation_core import staff_at
from kiosk.queue import DEFAULT_HALL
from kiosk.queue.help import open_help

PeriodKind = Literal["day", "week", "month"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("day", "week", "month")
LEVELS = (1, 2, 3, 4, 5)  # 非常满意 .. 非常不满意
SATISFIED = (1, 2, 3)  # 满意率: 非常满意, 满意 and 基本满意 of every level given
TOP_MATTERS = 15
# A reader's or scanner's states that need a hand (kiosk.device_watchers.DeviceStatus).
READER_TROUBLE = ("offline", "no_answer", "sam_failed")
NOTHING_SERVED = queries.WindowFigures(0, None, None)
# A heartbeat older than this: the kiosk is offline.
STALE_MINUTES = 5


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date
    last: date

    @classmethod
    def around(cls, kind: PeriodKind, day: date) -> Period:
        if kind == "day":
            return cls(kind, day, day)
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            return cls(kind, monday, monday + timedelta(days=6))
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(kind, first, following - timedelta(days=1))

    def instants(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants: local midnight of the first day to the one after
        the last."""
        start = datetime.combine(self.first, time(0), zone)
        end = datetime.combine(self.last + timedelta(days=1), time(0), zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def _names(site: HallSite) -> dict[str, tuple[str, str]]:
    queues = {q.code: (q.name_zh, q.name_en) for q in site.settings.queues}
    return queues


def matter_names(site: HallSite) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for matter in site.catalog.current.catalog.get("matters", []):
        name = matter.get("name") or {}
        found[str(matter["code"])] = (str(name.get("zh", "")), str(name.get("en", "")))
    return found


def satisfaction(rows: Iterable[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Per window (or staff): count by level and the share satisfied, in percent."""
    levels: dict[str, dict[int, int]] = {}
    for who, level, count in rows:
        levels.setdefault(who, dict.fromkeys(LEVELS, 0))[level] = count
    found = []
    for who in sorted(levels, key=lambda w: (len(w), w)):
        counts = levels[who]
        total = sum(counts.values())
        good = sum(counts[level] for level in SATISFIED)
        found.append(
            {
                "who": who,
                "total": total,
                "levels": counts,
                "satisfied_percent": round(100.0 * good / total, 1) if total else None,
            }
        )
    return found


def history(server: HallServer, period: Period, hall: str = DEFAULT_HALL) -> dict[str, Any]:
    site = server.halls[hall]
    store = site.store
    zone = store.zone
    start, end = period.instants(zone)
    queue_names, matters = _names(site), matter_names(site)
    with store.db.read() as tx:
        changed = queries.changed_days(tx, period.first, period.last, hall=hall)
    if changed:  # the writers' lock only when a day needs summing again
        with store.db.transaction() as tx:
            queries.sum_days(
                tx, changed, lambda day: datetime.combine(day, time(0), zone), hall=hall
            )
    with store.db.read() as tx:
        by_hour = queries.waits_by_hour(tx, period.first, period.last, hall=hall)
        by_day = queries.tickets_by_day(tx, period.first, period.last, hall=hall)
        by_queue = queries.tickets_by_queue(tx, period.first, period.last, hall=hall)
        by_matter = queries.tickets_by_matter(tx, period.first, period.last, hall=hall)
        by_window = queries.evaluations_by(tx, "window", start, end, hall=hall)
        by_staff = queries.evaluations_by(tx, "staff_id", start, end, hall=hall)
    return {
        "period": {"kind": period.kind, "first": period.first, "last": period.last},
        "waits_by_hour": [
            {"hour": h, "tickets": n, "mean_wait": mean, "longest_wait": longest}
            for h, n, mean, longest in by_hour
        ],
        "by_day": [{"day": d, "tickets": n, "mean_wait": mean} for d, n, mean in by_day],
        "by_queue": [
            {
                "queue": code,
                "name": queue_names.get(code, (code, code)),
                "tickets": n,
                "finished": finished,
                "mean_wait": mean,
            }
            for code, n, finished, mean in by_queue
        ],
        "by_matter": [
            {"matter": code, "name": matters.get(code, (code, code)), "tickets": n}
            for code, n in by_matter.most_common(TOP_MATTERS)
        ],
        "satisfaction_by_window": satisfaction(by_window),
        "satisfaction_by_staff": satisfaction(by_staff),
    }


def _device_problems(entry: dict[str, Any], now: datetime) -> list[str]:
    """What needs a hand at one kiosk: its printer, reader, keypads, or silence."""
    payload = entry.get("payload") or {}
    problems = []
    printer = payload.get("printer")
    if printer not in (None, "ready", "none"):
        problems.append(f"printer:{printer}")
    for device in ("card_reader", "scanner"):  # kiosk.device_watchers.DeviceStatus
        if payload.get(device) in READER_TROUBLE:
            problems.append(f"{device}:{payload[device]}")
    online = payload.get("keypads_online") or {}
    problems += [f"keypad:{w}" for w, up in sorted(online.items()) if up is False]
    keypads = payload.get("keypads") or {}
    if isinstance(keypads, dict):
        problems += [
            f"keypad:{k.get('window') or a}"
            for a, k in sorted(keypads.items())
            if isinstance(k, dict) and k.get("online") is False
        ]
    if payload.get("keypad_bus") == "lost":
        problems.append("keypad_bus:lost")
    try:
        heard = datetime.fromisoformat(str(entry.get("received_at")))
        if now - heard > timedelta(minutes=STALE_MINUTES):
            problems.append("offline")
    except ValueError:
        problems.append("offline")
    return sorted(set(problems))


def live(server: HallServer, hall: str = DEFAULT_HALL) -> dict[str, Any]:
    store = server.halls[hall].store
    now = store.now()
    day = store.business_day(now)
    start = datetime.combine(day, time(0), store.zone).astimezone(UTC)
    with store.db.read() as tx:
        figures = store.engine.figures(tx)
        waits = {w.queue: w for w in queries.queue_waits(tx, day, hall=store.hall)}
        windows = store.engine.window_states(tx)
        served = queries.window_service(tx, day, hall=store.hall)
        staff = {w: staff_at(tx, w, store.hall) for w in windows}
        levels = queries.evaluation_levels(tx, start, start + timedelta(days=1), hall=store.hall)
        follow_ups = queries.open_follow_ups(tx, hall=store.hall)
        help_requests = open_help(tx, store.engine.hall, now)
    # Another hall's kiosks' devices are not this hall's business.
    elsewhere = {p.client_id for p, _ in store.principals() if p.hall != store.hall}
    queues = []
    for figure in figures:
        code = figure.queue.code
        measured = waits.get(code)
        queues.append(
            {
                "queue": code,
                "name": (figure.queue.name_zh, figure.queue.name_en),
                "waiting": figure.waiting,
                "estimated_wait": figure.estimated_wait_minutes,
                "open_windows": list(figure.open_windows),
                **({} if measured is None else asdict(measured)),
            }
        )
    given = sum(levels[level] for level in LEVELS)
    return {
        "now": now,
        "business_day": day,
        "queues": queues,
        "windows": [
            {
                "window": w,
                "state": "paused" if s.paused else ("serving" if s.number else "open"),
                "number": s.number,
                "finished_today": served.get(w, NOTHING_SERVED).finished,
                "mean_service": served.get(w, NOTHING_SERVED).mean_service,
                "mean_wait": served.get(w, NOTHING_SERVED).mean_wait,
                "staff": staff[w],  # signed in on the window's keypad or the dashboard
            }
            for w, s in sorted(windows.items())
        ],
        "devices": [
            {"client_id": d["client_id"], "at": d["at"], "problems": _device_problems(d, now)}
            for d in store.devices()
            if d["client_id"] not in elsewhere
        ],
        "evaluations": {
            "levels": {str(level): levels[level] for level in LEVELS},
            "without_level": levels[0],
            "satisfied_percent": (
                round(100.0 * sum(levels[x] for x in SATISFIED) / given, 1) if given else None
            ),
        },
        "overdue_follow_ups": [f for f in follow_ups if f["deadline"] < day.isoformat()],
        "open_follow_ups": len(follow_ups),
        "follow_ups": follow_ups,  # open ones, for the manager to record their progress
        "help_requests": [
            {"kiosk": request.kiosk_id, "at": request.requested_at} for request in help_requests
        ],
    }
