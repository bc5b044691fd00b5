"""The technician's way in: PIN hashing, lock-out after wrong PINs, the audit trail, idle close.

No Qt here: the menu in ui/technician is a thin view over these.

- The PIN is kept only as a salted scrypt hash in one setting, `technician.pin_hash`
  (`kiosk config set-pin` writes it); it is compared in constant time.
- After `max_attempts` wrong PINs in a row the menu is locked for `lockout_minutes`.
  The count and the end of the lock-out are kept in a small file in the data
  directory, so that restarting the kiosk does not reset them.
- Every entry, exit, refused PIN and change is an `audit.*` event in the journal:
  who (the menu's role), when (the journal's time), what; secrets never appear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.clock import Clock
from kiosk.logs import scrub
from kiosk.store import Journal, JournalEvent

log = logging.getLogger(__name__)

ROLE = "technician"
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
MASK = "••••••"
# scrypt cost: 2**15 x 8 x 1 needs 32 MiB and about a tenth of a second per try,
# which makes guessing a 6-digit PIN from a stolen hash take days, not seconds.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_MAXMEM = 128 * 1024 * 1024
_SCHEME = "scrypt"


class PinError(ValueError):
    """A PIN that cannot be set; the message says why."""


def check_new_pin(pin: str) -> str:
    """A PIN is typed on an on-screen digit pad: digits only, 4 to 12 of them."""
    if not pin.isdigit() or not pin.isascii():
        raise PinError("a PIN is digits only (the menu has a digit pad)")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise PinError(f"a PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    if len(set(pin)) == 1:
        raise PinError("a PIN of one repeated digit is too easy to guess")
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """`scrypt$n$r$p$salt$hash`: one string, for the setting `technician.pin_hash`."""
    check_new_pin(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
    return f"{_SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash; a malformed hash matches nothing."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return False
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
        if n < 2 or n & (n - 1) or n > 2**20 or not 1 <= r <= 32 or not 1 <= p <= 16:
            return False
        actual = hashlib.scrypt(
            pin.encode("utf-8"),
            salt=salt,
            n=n,
            r=r,
            p=p,
            maxmem=_SCRYPT_MAXMEM,
            dklen=len(expected) or 32,
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def is_pin_hash(value: str) -> bool:
    return value.startswith(_SCHEME + "$") and len(value.split("$")) == 6


# ---- the audit trail ---------------------------------------------------------------------

SECRET_KEYS = frozenset({"technician.pin_hash"})


def is_secret_key(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    return key in SECRET_KEYS or any(word in last for word in ("pin", "token", "password"))


def masked(key: str, value: object) -> object:
    """What the audit trail and the screen show of a value: secrets as dots."""
    if is_secret_key(key):
        return MASK if value not in ("", None) else ""
    if isinstance(value, str):
        return scrub(value)
    return value


@dataclass(frozen=True)
class AuditRecord:
    at: str
    action: str  # the part after "audit."
    who: str
    key: str | None
    old: object
    new: object
    details: dict[str, Any]

    @classmethod
    def from_event(cls, event: JournalEvent) -> AuditRecord:
        payload = dict(event.payload)
        return cls(
            at=event.at,
            action=event.kind.removeprefix("audit."),
            who=str(payload.pop("who", "")),
            key=payload.pop("key", None),
            old=payload.pop("old", None),
            new=payload.pop("new", None),
            details=payload,
        )


class AuditTrail:
    """`audit.*` events in the journal; the journal stamps the time."""

    def __init__(self, journal: Journal, who: str = ROLE) -> None:
        self.journal = journal
        self.who = who

    def record(self, action: str, **details: object) -> None:
        safe = {name: masked(name, value) for name, value in details.items()}
        self.journal.record(f"audit.{action}", {"who": self.who, **safe})

    def changed(self, key: str, old: object, new: object) -> None:
        self.journal.record(
            "audit.setting_changed",
            {"who": self.who, "key": key, "old": masked(key, old), "new": masked(key, new)},
        )

    def records(self, limit: int = 200) -> list[AuditRecord]:
        """The newest `limit` audit records, oldest first."""
        lock: threading.Lock = self.journal._lock
        with lock:
            rows = self.journal._db.execute(
                "SELECT id, at, kind, ticket_id, payload FROM events WHERE kind LIKE 'audit.%'"
                " ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        events = [JournalEvent(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]
        return [AuditRecord.from_event(event) for event in reversed(events)]


# ---- the PIN gate and its lock-out ---------------------------------------------------------


@dataclass(frozen=True)
class PinResult:
    ok: bool
    locked_seconds: float = 0.0  # > 0: locked, this long still
    attempts_left: int = 0
    reason: str = ""

    @property
    def locked(self) -> bool:
        return self.locked_seconds > 0


class PinGate:
    """Checks PINs; locks after `max_attempts` wrong ones for `lockout_seconds`.

    The state (wrong PINs in a row, locked until) is a JSON file written atomically,
    so a restart neither resets a lock-out nor forgets the wrong PINs so far.
    """

    def __init__(
        self,
        pin_hash: str,
        state_file: Path,
        clock: Clock,
        audit: AuditTrail | None = None,
        *,
        max_attempts: int = 5,
        lockout_seconds: float = 300.0,
    ) -> None:
        self.pin_hash = pin_hash
        self.state_file = state_file
        self.clock = clock
        self.audit = audit
        self.max_attempts = max_attempts
        self.lockout_seconds = lockout_seconds
        self._failures, self._locked_until = self._load()

    @property
    def configured(self) -> bool:
        return is_pin_hash(self.pin_hash)

    def locked_seconds(self) -> float:
        if self._locked_until is None:
            return 0.0
        left = (self._locked_until - self.clock.now()).total_seconds()
        if left <= 0:
            self._locked_until = None
            self._failures = 0
            self._save()
            return 0.0
        return left

    def attempt(self, pin: str, purpose: str = "enter") -> PinResult:
        left = self.locked_seconds()
        if left > 0:
            return PinResult(False, left, 0, "locked")
        if not self.configured:
            return PinResult(False, 0.0, 0, "no PIN is set: run `kiosk config set-pin`")
        if verify_pin(pin, self.pin_hash):
            self._failures = 0
            self._save()
            return PinResult(True, 0.0, self.max_attempts)
        self._failures += 1
        if self.audit is not None:
            self.audit.record("pin_refused", purpose=purpose, in_a_row=self._failures)
        if self._failures >= self.max_attempts:
            self._locked_until = self.clock.now() + timedelta(seconds=self.lockout_seconds)
            self._failures = 0
            self._save()
            if self.audit is not None:
                self.audit.record("locked", minutes=round(self.lockout_seconds / 60, 1))
            log.warning("technician menu locked after %d wrong PINs", self.max_attempts)
            return PinResult(False, self.lockout_seconds, 0, "locked")
        self._save()
        return PinResult(False, 0.0, self.max_attempts - self._failures, "wrong PIN")

    def _load(self) -> tuple[int, datetime | None]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            failures = int(data.get("failures", 0))
            until = data.get("locked_until")
            return max(failures, 0), datetime.fromisoformat(until) if until else None
        except FileNotFoundError:
            return 0, None
        except (OSError, ValueError, TypeError, AttributeError) as error:
            # A broken state file must not open the menu: lock it as if just tripped.
            log.warning("technician lock state unreadable (%s): locking", error)
            return 0, self.clock.now() + timedelta(seconds=self.lockout_seconds)

    def _save(self) -> None:
        data = {
            "failures": self._failures,
            "locked_until": self._locked_until.isoformat() if self._locked_until else None,
        }
        try:
            write_atomically(self.state_file, json.dumps(data).encode("utf-8"))
        except OSError as error:
            log.warning("cannot keep the technician lock state: %s", error)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path`, fsync it, rename it over `path`, fsync the
    directory: after a power cut there is either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# ---- the menu's idle close -------------------------------------------------------------------


class MenuIdle:
    """The menu closes itself after `minutes` without a touch."""

    def __init__(self, clock: Clock, minutes: float) -> None:
        self.clock = clock
        self.seconds = minutes * 60
        self._last = clock.monotonic()

    def touch(self) -> None:
        self._last = self.clock.monotonic()

    def expired(self) -> bool:
        return self.clock.monotonic() - self._last >= self.seconds


# ---- the last log lines, for the Logs page ---------------------------------------------------


class LogTail(logging.Handler):
    """Keeps the last lines of the kiosk's log in memory, personal data masked."""

    def __init__(self, lines: int = 500) -> None:
        super().__init__(logging.INFO)
        self._lines: deque[str] = deque(maxlen=lines)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(scrub(self.format(record)))
        except Exception:  # a log handler never raises into the code that logs
            self.handleError(record)

    def lines(self, count: int = 200) -> list[str]:
        return list(self._lines)[-count:]


_tail: LogTail | None = None


def log_tail() -> LogTail:
    """The one LogTail, attached to the root logger on first use."""
    global _tail
    if _tail is None:
        _tail = LogTail()
    root = logging.getLogger()
    if _tail not in root.handlers:
        root.addHandler(_tail)
    return _tail


def state_file_for(data_dir: Path) -> Path:
    return data_dir / "technician-lock.json"


def describe_changes(changes: Mapping[str, tuple[object, object]]) -> list[str]:
    return [
        f"{key}: {masked(key, old)!r} -> {masked(key, new)!r}"
        for key, (old, new) in changes.items()
    ]


# ---- today's figures, for the Today and Tickets pages ----------------------------------------


@dataclass(frozen=True)
class TicketRow:
    ticket_id: str
    number: str
    queue: str
    status: str  # reserved | printed | e_ticket | voided (as the journal knows it)
    issued_at: str
    expected_wait: int


@dataclass(frozen=True)
class FollowUpRow:
    window: int
    ticket_number: str | None
    level: int
    deadline: str
    evaluation_id: str = ""  # what closing it names


@dataclass(frozen=True)
class TodayReport:
    day: str
    tickets: tuple[TicketRow, ...]
    tickets_by_queue: dict[str, int]
    average_expected_wait: float | None
    evaluations_by_level: dict[str, int]  # "1".."5", and "none" for not evaluated
    follow_ups: tuple[FollowUpRow, ...]

    def csv_rows(self) -> list[list[str]]:
        rows = [["section", "key", "value", "detail"]]
        rows += [
            ["tickets_by_queue", queue, str(n), ""] for queue, n in self.tickets_by_queue.items()
        ]
        wait = "" if self.average_expected_wait is None else f"{self.average_expected_wait:.1f}"
        rows.append(["average_expected_wait_minutes", "", wait, ""])
        rows += [
            ["evaluations", level, str(n), ""] for level, n in self.evaluations_by_level.items()
        ]
        rows += [
            ["follow_up", str(f.window), f.ticket_number or "", f"level {f.level} due {f.deadline}"]
            for f in self.follow_ups
        ]
        rows += [["ticket", t.number, t.status, f"{t.queue} {t.issued_at}"] for t in self.tickets]
        return rows


_STATUS_KINDS = {
    "ticket.printed": "printed",
    "ticket.e_ticket": "e_ticket",
    "ticket.voided": "voided",
}


def today_report(journal: Journal, day: str, local_day_of: Any = None) -> TodayReport:
    """Tickets of the business day `day` (ISO) and the evaluations and follow-ups of it.

    `local_day_of(at_iso) -> ISO day` turns a journal time into the hall's day
    (default: the date part of the stamp)."""
    to_day = local_day_of or (lambda at: at[:10])
    tickets: dict[str, TicketRow] = {}
    levels: dict[str, int] = {}
    opened: dict[str, FollowUpRow] = {}
    closed: set[str] = set()
    for event in journal.events():
        payload = event.payload
        if event.kind == "ticket.reserved" and payload.get("business_day") == day:
            tid = event.ticket_id or ""
            tickets[tid] = TicketRow(
                tid,
                str(payload.get("number", "")),
                str(payload.get("queue", "")),
                "reserved",
                str(payload.get("issued_at", event.at)),
                int(payload.get("estimated_wait_minutes", 0) or 0),
            )
        elif event.kind in _STATUS_KINDS and event.ticket_id in tickets:
            row = tickets[event.ticket_id]
            tickets[event.ticket_id] = TicketRow(
                row.ticket_id,
                row.number,
                row.queue,
                _STATUS_KINDS[event.kind],
                row.issued_at,
                row.expected_wait,
            )
        elif event.kind == "evaluation.recorded" and to_day(event.at) == day:
            level = payload.get("level")
            key = "none" if level is None else str(level)
            levels[key] = levels.get(key, 0) + 1
        elif event.kind == "follow_up.opened":
            opened[str(payload.get("evaluation_id"))] = FollowUpRow(
                int(payload.get("window", 0)),
                payload.get("ticket_number"),
                int(payload.get("level", 0)),
                str(payload.get("deadline", "")),
                str(payload.get("evaluation_id", "")),
            )
        elif event.kind == "follow_up.closed":
            closed.add(str(payload.get("evaluation_id")))
    rows = tuple(tickets.values())
    by_queue: dict[str, int] = {}
    for row in rows:
        if row.status != "voided":
            by_queue[row.queue] = by_queue.get(row.queue, 0) + 1
    waits = [row.expected_wait for row in rows if row.status != "voided"]
    return TodayReport(
        day,
        rows,
        by_queue,
        sum(waits) / len(waits) if waits else None,
        dict(sorted(levels.items())),
        tuple(row for key, row in opened.items() if key not in closed),
    )
