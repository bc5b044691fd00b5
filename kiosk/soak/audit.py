"""The soak's audit: pure functions over what the run left behind.

Inputs are plain data (journal events, the printer emulators' slips, the server's
tickets and records, the keypad presses), so the checks are unit-tested on
hand-made cases; `kiosk.soak.run` gathers the real ones.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTCOMES = ("ticket.printed", "ticket.e_ticket", "ticket.voided")
TICKET_NUMBER = re.compile(r"\b[A-Z]\d{3}\b")


@dataclass(frozen=True)
class JournalTicket:
    """One reservation in a kiosk's journal and the outcomes recorded for it."""

    ticket_id: str
    number: str
    queue: str
    day: str
    outcomes: tuple[str, ...]  # "printed", "e_ticket", "voided": exactly one expected


@dataclass(frozen=True)
class ServerTicket:
    ticket_id: str
    day: str
    number: str
    status: str
    kiosk_id: str


@dataclass(frozen=True)
class Vote:
    window: int
    level: int


@dataclass
class KioskEvidence:
    kiosk_id: str
    tickets: list[JournalTicket]
    printed_numbers: list[str]  # what its printer emulator cut, in order
    kills: int = 0  # times it was killed with SIGKILL
    # Counts at a clean stop: {"threads": (before, after), "fds": ..., "timers": ...};
    # None when it did not stop cleanly (no report).
    resources: dict[str, tuple[int, int]] | None = None


@dataclass
class AuditResult:
    tickets: int = 0
    printed: int = 0
    e_tickets: int = 0
    voided: int = 0
    interrupted: int = 0  # reservations cut short by a SIGKILL (at most one per kill)
    duplicates: int = 0
    votes_pressed: int = 0
    votes_at_server: int = 0
    journals_ok: bool = True
    leaks: bool = False
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "tickets": self.tickets,
            "printed": self.printed,
            "e_tickets": self.e_tickets,
            "voided": self.voided,
            "interrupted": self.interrupted,
            "duplicates": self.duplicates,
            "votes_pressed": self.votes_pressed,
            "votes_at_server": self.votes_at_server,
            "journals_ok": self.journals_ok,
            "leaks": self.leaks,
            "failures": list(self.failures),
        }


def journal_tickets(
    events: Iterable[tuple[str, str | None, Mapping[str, Any]]],
) -> list[JournalTicket]:
    """(kind, ticket_id, payload) journal events -> one JournalTicket per reservation."""
    reserved: dict[str, Mapping[str, Any]] = {}
    outcomes: dict[str, list[str]] = {}
    for kind, ticket_id, payload in events:
        if ticket_id is None:
            continue
        if kind == "ticket.reserved":
            reserved[ticket_id] = payload
        elif kind in OUTCOMES:
            outcomes.setdefault(ticket_id, []).append(kind.removeprefix("ticket."))
    return [
        JournalTicket(
            ticket_id,
            str(payload.get("number")),
            str(payload.get("queue")),
            str(payload.get("business_day")),
            tuple(outcomes.get(ticket_id, ())),
        )
        for ticket_id, payload in reserved.items()
    ]


def slip_number(text: str) -> str | None:
    """The ticket number on a printed slip (its first A123-like word); None: no number
    (a guide slip)."""
    found = TICKET_NUMBER.search(text)
    return found.group(0) if found else None


def audit(
    kiosks: Sequence[KioskEvidence],
    server_tickets: Sequence[ServerTicket],
    pressed: Sequence[Vote],
    recorded: Sequence[Vote],
    integrity: Mapping[str, bool],
) -> AuditResult:
    """Every check of the soak; `failures` lists each one that did not hold."""
    result = AuditResult()
    by_server_id = {ticket.ticket_id: ticket for ticket in server_tickets}
    numbers: Counter[tuple[str, str]] = Counter()
    for kiosk in kiosks:
        numbers.update((ticket.day, ticket.number) for ticket in kiosk.tickets)
        _audit_tickets(kiosk, by_server_id, result)
        _audit_slips(kiosk, result)
        _audit_resources(kiosk, result)
    _audit_numbers(numbers, server_tickets, result)
    _audit_votes(pressed, recorded, result)
    bad = sorted(name for name, ok in integrity.items() if not ok)
    result.journals_ok = not bad
    if bad:
        result.failures.append(f"integrity check failed: {', '.join(bad)}")
    return result


def _audit_tickets(
    kiosk: KioskEvidence, by_server_id: Mapping[str, ServerTicket], result: AuditResult
) -> None:
    """One outcome per reservation, and the server agrees with it."""
    fail = result.failures.append
    interrupted = 0
    for ticket in kiosk.tickets:
        result.tickets += 1
        if len(ticket.outcomes) > 1:
            fail(f"{kiosk.kiosk_id}: {ticket.number} has {len(ticket.outcomes)} outcomes")
        if not ticket.outcomes:
            interrupted += 1
            continue
        outcome = ticket.outcomes[0]
        if outcome == "printed":
            result.printed += 1
        elif outcome == "e_ticket":
            result.e_tickets += 1
        else:
            result.voided += 1
        held = by_server_id.get(ticket.ticket_id)
        if held is None:
            fail(f"{kiosk.kiosk_id}: {ticket.number} never reached the server")
        elif (outcome == "voided") != (held.status == "void") or held.status == "reserved":
            fail(f"{kiosk.kiosk_id}: {ticket.number} is {outcome}, the server says {held.status}")
    result.interrupted += interrupted
    if interrupted > kiosk.kills:
        fail(f"{kiosk.kiosk_id}: {interrupted} reservation(s) without an outcome")


def _audit_slips(kiosk: KioskEvidence, result: AuditResult) -> None:
    """The printer cut exactly the numbers journalled as printed, each once."""
    fail = result.failures.append
    journalled = Counter(t.number for t in kiosk.tickets if t.outcomes[:1] == ("printed",))
    slips = Counter(kiosk.printed_numbers)
    twice = sorted(number for number, count in slips.items() if count > 1)
    if twice:
        fail(f"{kiosk.kiosk_id}: printed twice: {', '.join(twice)}")
    unprinted = sorted((journalled - slips).elements())
    if unprinted:
        fail(f"{kiosk.kiosk_id}: journalled as printed, never cut: {', '.join(unprinted)}")
    cut_short = {t.number for t in kiosk.tickets if not t.outcomes}
    extra = sorted(n for n in slips - journalled if n not in cut_short and n not in twice)
    if extra:
        fail(f"{kiosk.kiosk_id}: printed but not journalled as printed: {', '.join(extra)}")


def _audit_resources(kiosk: KioskEvidence, result: AuditResult) -> None:
    for name, (before, after) in sorted((kiosk.resources or {}).items()):
        if after > before:
            result.leaks = True
            result.failures.append(
                f"{kiosk.kiosk_id}: {name} leaked ({before} before, {after} after)"
            )


def _audit_numbers(
    numbers: Counter[tuple[str, str]], server_tickets: Sequence[ServerTicket], result: AuditResult
) -> None:
    """No number twice on a day: across the kiosks' journals, and at the server."""
    server_numbers = Counter((ticket.day, ticket.number) for ticket in server_tickets)
    duplicates = sorted({key for key, count in (numbers | server_numbers).items() if count > 1})
    result.duplicates = len(duplicates)
    if duplicates:
        shown = ", ".join(f"{number} ({day})" for day, number in duplicates[:10])
        result.failures.append(f"numbers issued twice: {shown}")


def _audit_votes(pressed: Sequence[Vote], recorded: Sequence[Vote], result: AuditResult) -> None:
    result.votes_pressed = len(pressed)
    result.votes_at_server = len(recorded)
    missing = Counter(pressed) - Counter(recorded)
    extra = Counter(recorded) - Counter(pressed)
    if missing:
        result.failures.append(f"votes pressed but not at the server: {_votes(missing)}")
    if extra:
        result.failures.append(f"votes at the server never pressed (or twice): {_votes(extra)}")


def _votes(votes: Counter[Vote]) -> str:
    return ", ".join(
        f"window {vote.window} level {vote.level} x{count}"
        for vote, count in sorted(votes.items(), key=lambda item: (item[0].window, item[0].level))
    )


# ---- reading the files -----------------------------------------------------------------


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)


def integrity_ok(path: Path) -> bool:
    """`PRAGMA integrity_check` says ok (False for a missing or unreadable file)."""
    if not path.exists():
        return False
    try:
        raw = _read_only(path)
        try:
            return [row[0] for row in raw.execute("PRAGMA integrity_check")] == ["ok"]
        finally:
            raw.close()
    except sqlite3.Error:
        return False


def read_journal(path: Path) -> list[tuple[str, str | None, dict[str, Any]]]:
    import json

    raw = _read_only(path)
    try:
        rows = raw.execute(
            "SELECT kind, ticket_id, payload FROM events WHERE kind LIKE 'ticket.%' ORDER BY id"
        ).fetchall()
    finally:
        raw.close()
    return [(str(kind), ticket_id, dict(json.loads(payload))) for kind, ticket_id, payload in rows]


def read_server(path: Path) -> tuple[list[ServerTicket], list[Vote]]:
    """The server's tickets, and its recorded votes (evaluations with a level)."""
    import json

    raw = _read_only(path)
    try:
        tickets = [
            ServerTicket(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]))
            for row in raw.execute(
                "SELECT ticket_id, business_day, number, status, kiosk_id FROM tickets"
            )
        ]
        votes = []
        for (payload,) in raw.execute(
            "SELECT payload FROM records WHERE kind = 'evaluation.recorded'"
        ):
            data = json.loads(payload)
            if data.get("level") is not None:
                votes.append(Vote(int(data["window"]), int(data["level"])))
    finally:
        raw.close()
    return tickets, votes
