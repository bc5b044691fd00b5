"""What a soak is asked to do, and what it found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.soak.audit import AuditResult
from kiosk.soak.faults import Fault


class SoakError(Exception):
    """The soak could not run (not a failed audit); the message says why."""


@dataclass
class SoakOptions:
    minutes: float
    rate: float  # taxpayers per minute at each kiosk
    kiosks: int
    faults: list[Fault]
    seed: int = 1
    keep: Path | None = None
    progress: Callable[[str], None] = field(default=lambda _line: None)


@dataclass
class SoakResult:
    minutes: float
    kiosks: int
    audit: AuditResult
    faults_scheduled: int
    faults_injected: list[str]
    outcomes: dict[str, int]
    work_dir: Path | None

    @property
    def passed(self) -> bool:
        return self.audit.passed and len(self.faults_injected) == self.faults_scheduled

    def verdict(self) -> str:
        a = self.audit
        line = (
            f"soak: {'PASS' if self.passed else 'FAIL'} {self.minutes:.1f} min, "
            f"{self.kiosks} kiosk{'s' if self.kiosks != 1 else ''}, "
            f"{a.tickets} tickets ({a.printed} printed, "
            f"{a.e_tickets} e-tickets, {a.voided} voided"
            + (f", {a.interrupted} cut short by SIGKILL" if a.interrupted else "")
            + f"), {a.duplicates} duplicates, {a.votes_pressed} votes "
            f"({a.votes_at_server} at server), {len(self.faults_injected)} faults"
            f"{self._of_scheduled()}"
            f", journals {'ok' if a.journals_ok else 'DAMAGED'}, "
            f"{'LEAKS' if a.leaks else 'no leaks'}"
        )
        failures = list(a.failures)
        if len(self.faults_injected) != self.faults_scheduled:
            failures.append(
                f"{len(self.faults_injected)} of {self.faults_scheduled} faults were injected"
            )
        return line + "".join(f"\n  - {failure}" for failure in failures)

    def _of_scheduled(self) -> str:
        injected = len(self.faults_injected)
        return "" if injected == self.faults_scheduled else f" of {self.faults_scheduled}"

    def as_json(self) -> dict[str, Any]:
        return {
            **self.audit.as_json(),
            "passed": self.passed,
            "minutes": self.minutes,
            "kiosks": self.kiosks,
            "faults_scheduled": self.faults_scheduled,
            "faults_injected": len(self.faults_injected),
            "faults": self.faults_injected,
            "outcomes": self.outcomes,
            "work_dir": None if self.work_dir is None else str(self.work_dir),
        }
