"""The audit trail: `audit.*` events in the journal, who, when and what; secrets never appear."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.journal import Journal, JournalEvent
from kiosk.logs import scrub

ROLE = "technician"
MASK = "••••••"

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
        events = self.journal.newest_of_kinds("audit.", limit)
        return [AuditRecord.from_event(event) for event in events]


def describe_changes(changes: Mapping[str, tuple[object, object]]) -> list[str]:
    return [
        f"{key}: {masked(key, old)!r} -> {masked(key, new)!r}"
        for key, (old, new) in changes.items()
    ]
