"""The way in and out of the menu: the PIN gate with its lock-out, and the idle close."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.atomic_file import write_atomically
from kiosk.clock import Clock
from kiosk.technician.audit import AuditTrail
from kiosk.technician.pin import is_pin_hash, verify_pin

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PinResult:
    ok: bool
    locked_seconds: float = 0.0  # > 0: locked, this long still
    attempts_left: int = 0
    reason: str = ""

    @property
    def locked(self) -> bool:
        return self.locked_seconds > 0


MAX_LOCKOUT_SECONDS = 24 * 3600.0


class PinGate:
    """Checks PINs; after `max_attempts` wrong ones in a row the menu locks for
    `lockout_seconds`, and each further lock-out before a right PIN lasts twice as long
    as the one before (5, 10, 20 ... minutes), up to `max_lockout_seconds`.

    The state (wrong PINs in a row, lock-outs in a row, locked until) is a JSON file
    written atomically, so a restart neither resets a lock-out nor forgets the wrong
    PINs so far; only a right PIN resets them.
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
        max_lockout_seconds: float = MAX_LOCKOUT_SECONDS,
    ) -> None:
        self.pin_hash = pin_hash
        self.state_file = state_file
        self.clock = clock
        self.audit = audit
        self.max_attempts = max_attempts
        self.lockout_seconds = lockout_seconds
        self.max_lockout_seconds = max(max_lockout_seconds, lockout_seconds)
        self._failures, self._lockouts, self._locked_until = self._load()

    @property
    def configured(self) -> bool:
        return is_pin_hash(self.pin_hash)

    def lockout_length(self, lockouts: int) -> float:
        """How long the `lockouts`-th lock-out in a row lasts (the first: lockout_seconds)."""
        doublings = min(max(lockouts - 1, 0), 32)  # 2**32 passes any cap; no float overflow
        return min(self.lockout_seconds * float(2**doublings), self.max_lockout_seconds)

    def locked_seconds(self) -> float:
        if self._locked_until is None:
            return 0.0
        now = self.clock.now()
        left = (self._locked_until - now).total_seconds()
        if left > self.max_lockout_seconds:  # the clock was set back: no lock past the cap
            self._locked_until = now + timedelta(seconds=self.max_lockout_seconds)
            self._save()
            return self.max_lockout_seconds
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
            self._lockouts = 0
            self._save()
            return PinResult(True, 0.0, self.max_attempts)
        self._failures += 1
        if self.audit is not None:
            self.audit.record("pin_refused", purpose=purpose, in_a_row=self._failures)
        if self._failures >= self.max_attempts:
            return self._lock()
        self._save()
        return PinResult(False, 0.0, self.max_attempts - self._failures, "wrong PIN")

    def _lock(self) -> PinResult:
        self._lockouts += 1
        seconds = self.lockout_length(self._lockouts)
        self._locked_until = self.clock.now() + timedelta(seconds=seconds)
        self._failures = 0
        self._save()
        if self.audit is not None:
            self.audit.record("locked", minutes=round(seconds / 60, 1), in_a_row=self._lockouts)
        log.warning(
            "technician menu locked for %.0f min after %d wrong PINs (lock-out %d in a row)",
            seconds / 60,
            self.max_attempts,
            self._lockouts,
        )
        return PinResult(False, seconds, 0, "locked")

    def _load(self) -> tuple[int, int, datetime | None]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            failures = max(int(data.get("failures", 0)), 0)
            text = data.get("locked_until")
            until = datetime.fromisoformat(text) if text else None
            # A file from before the lock-outs grew: a lock-out in it counts as the first.
            lockouts = max(int(data.get("lockouts", 1 if until else 0)), 0)
            return failures, lockouts, until
        except FileNotFoundError:
            return 0, 0, None
        except (OSError, ValueError, TypeError, AttributeError) as error:
            # A broken state file must not open the menu: lock it as if just tripped.
            log.warning("technician lock state unreadable (%s): locking", error)
            return 0, 1, self.clock.now() + timedelta(seconds=self.lockout_seconds)

    def _save(self) -> None:
        data = {
            "failures": self._failures,
            "lockouts": self._lockouts,
            "locked_until": self._locked_until.isoformat() if self._locked_until else None,
        }
        try:
            write_atomically(self.state_file, json.dumps(data).encode("utf-8"))
        except OSError as error:
            log.warning("cannot keep the technician lock state: %s", error)


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


def state_file_for(data_dir: Path) -> Path:
    return data_dir / "technician-lock.json"
