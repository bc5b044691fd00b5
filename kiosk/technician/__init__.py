"""The technician's way in: PIN hashing, lock-out after wrong PINs, the audit trail, idle close.

No Qt here: the menu in ui/technician is a thin view over these.

- A new PIN meets a policy: 6 to 12 digits, no easy pattern, not a common PIN. It is
  kept only as a salted scrypt hash in one setting, `technician.pin_hash` (`kiosk config
  set-pin` writes it), compared in constant time (pin.py).
- After `max_attempts` wrong PINs in a row the menu is locked for `lockout_minutes`;
  each further lock-out before a right PIN lasts twice as long, up to a day. The count,
  the lock-outs and the end of the lock-out are kept in a small file in the data
  directory, so that restarting the kiosk does not reset them (gate.py).
- Every entry, exit, refused PIN and change is an `audit.*` event in the journal:
  who (the menu's role), when (the journal's time), what; secrets never appear (audit.py).
- today.py sums the journal for the Today and Tickets pages; log_tail.py keeps the
  last log lines for the Logs page.
"""

from __future__ import annotations

from kiosk.technician.audit import (
    MASK,
    ROLE,
    SECRET_KEYS,
    AuditRecord,
    AuditTrail,
    describe_changes,
    is_secret_key,
    masked,
)
from kiosk.technician.gate import (
    MAX_LOCKOUT_SECONDS,
    MenuIdle,
    PinGate,
    PinResult,
    state_file_for,
)
from kiosk.technician.log_tail import LogTail, log_tail
from kiosk.technician.pin import (
    COMMON_PINS,
    PIN_MAX_DIGITS,
    PIN_MIN_DIGITS,
    PIN_POLICY,
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    PinError,
    check_new_pin,
    hash_pin,
    is_pin_hash,
    pin_hash_policy,
    pin_hash_warning,
    verify_pin,
)
from kiosk.technician.today import FollowUpRow, TodayReport, TodayTicket, today_report

__all__ = [
    "COMMON_PINS",
    "MASK",
    "MAX_LOCKOUT_SECONDS",
    "PIN_MAX_DIGITS",
    "PIN_MIN_DIGITS",
    "PIN_POLICY",
    "ROLE",
    "SCRYPT_N",
    "SCRYPT_P",
    "SCRYPT_R",
    "SECRET_KEYS",
    "AuditRecord",
    "AuditTrail",
    "FollowUpRow",
    "LogTail",
    "MenuIdle",
    "PinError",
    "PinGate",
    "PinResult",
    "TodayReport",
    "TodayTicket",
    "check_new_pin",
    "describe_changes",
    "hash_pin",
    "is_pin_hash",
    "is_secret_key",
    "log_tail",
    "masked",
    "pin_hash_policy",
    "pin_hash_warning",
    "state_file_for",
    "today_report",
    "verify_pin",
]
