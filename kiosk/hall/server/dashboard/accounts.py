"""Admin accounts of the dashboard: salted scrypt password hashes, sessions that
carry their CSRF token, and a lock-out that grows with each failed login.

Only hashes are stored: of the password (scrypt, a salt per admin) and of the
session cookie (sha256 of 32 random bytes: a stolen database opens no session).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from kiosk.clock import Clock
from kiosk.queue import DEFAULT_HALL, Database

NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,32}$"
PASSWORD_MIN = 10
PASSWORD_MAX = 256
# A working day and a bit: a manager logs in once a day.
SESSION_HOURS = 12
# Failed logins in a row before the first lock-out; each further failure doubles it.
FREE_FAILURES = 4
FIRST_LOCK_SECONDS = 30.0
MAX_LOCK_SECONDS = 3600.0
# scrypt cost: 16 MiB and ~50 ms a try; with the lock-out, guessing online is hopeless
# and a stolen hash costs an attacker as much per guess.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


class AccountError(ValueError):
    """A name or password that cannot be used; the message says why."""


def check_name(name: str) -> str:
    if not re.fullmatch(NAME_PATTERN, name):
        raise AccountError("an admin name is 1-32 of A-Z a-z 0-9 _ . -")
    return name


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AccountError(f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    if len(set(password)) < 4:
        raise AccountError("a password needs at least 4 different characters")
    return password


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32
    )


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` (base64)."""
    check_password(password)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    encoded = (base64.b64encode(part).decode("ascii") for part in (salt, digest))
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), *encoded))


def password_matches(password: str, stored: str) -> bool:
    """Compared in constant time; a malformed hash matches nothing."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, expected = (base64.b64decode(part, validate=True) for part in parts[4:])
        actual = _scrypt(password[:PASSWORD_MAX], salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


@cache
def _unknown_name_hash() -> str:
    """Hashed against when the name is unknown, so that a wrong name takes as long as
    a wrong password and the answer tells no one which names exist."""
    return hash_password("not-an-admin-password")


def lock_seconds(failures: int) -> float:
    """How long a name is locked after `failures` failed logins in a row."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2.0 ** (failures - FREE_FAILURES - 1))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    """A signed-in admin: the CSRF token every state-changing request must carry."""

    name: str
    csrf_token: str
    expires_at: datetime
    hall: str = DEFAULT_HALL  # the admin's hall: the dashboard shows it alone

    def open_at(self, now: datetime) -> bool:
        return now < self.expires_at


@dataclass(frozen=True)
class LoginResult:
    """A session cookie value and its session, or why not: locked for some seconds,
    or a wrong name or password (the two are not told apart)."""

    cookie: str = ""
    session: Session | None = None
    locked_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.session is not None


class AdminAccounts:
    """The admins, their sessions and lock-outs, in the hall server's database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock.now()

    def add(self, name: str, password: str, hall: str = DEFAULT_HALL) -> bool:
        """Creates the admin of `hall` or sets a new password and hall (ending its
        sessions); True when new."""
        stored = hash_password(password)
        with self._db.transaction() as tx:
            existed = tx.one("SELECT 1 FROM admins WHERE name = ?", (check_name(name),))
            tx.execute(
                "INSERT INTO admins (name, password_hash, created_at, hall) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,"
                " hall = excluded.hall",
                (name, stored, self._now().isoformat(), hall),
            )
            tx.execute("DELETE FROM admin_sessions WHERE name = ?", (name,))
            tx.execute("DELETE FROM admin_lockouts WHERE name = ?", (name,))
        return existed is None

    def remove(self, name: str) -> bool:
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM admin_sessions WHERE name = ?", (name,))
            return tx.execute("DELETE FROM admins WHERE name = ?", (name,)) == 1

    def names(self) -> list[tuple[str, str, str]]:
        """(name, created at, hall) of every admin."""
        with self._db.read() as tx:
            rows = tx.all("SELECT name, created_at, hall FROM admins ORDER BY name")
        return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]

    def login(self, name: str, password: str) -> LoginResult:
        now = self._now()
        name = name[:64]  # the lock-out row of a name nobody could have
        with self._db.read() as tx:
            lock = tx.one(
                "SELECT failures, locked_until FROM admin_lockouts WHERE name = ?", (name,)
            )
            row = tx.one("SELECT password_hash, hall FROM admins WHERE name = ?", (name,))
        if lock is not None:
            left = (datetime.fromisoformat(str(lock[1])) - now).total_seconds()
            if left > 0:
                return LoginResult(locked_seconds=left)
        if (
            not password_matches(password, str(row[0]) if row else _unknown_name_hash())
            or row is None
        ):
            return self._failed(name, now)
        return self._open(name, now, str(row[1]))

    def _failed(self, name: str, now: datetime) -> LoginResult:
        with self._db.transaction() as tx:
            found = tx.one("SELECT failures FROM admin_lockouts WHERE name = ?", (name,))
            failures = (int(found[0]) if found else 0) + 1
            seconds = lock_seconds(failures)
            tx.execute(
                "INSERT INTO admin_lockouts (name, failures, locked_until) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET failures = excluded.failures,"
                " locked_until = excluded.locked_until",
                (name, failures, (now + timedelta(seconds=seconds)).isoformat()),
            )
        return LoginResult(locked_seconds=seconds)

    def _open(self, name: str, now: datetime, hall: str) -> LoginResult:
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + timedelta(hours=SESSION_HOURS)
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM admin_lockouts WHERE name = ?", (name,))
            tx.execute("DELETE FROM admin_sessions WHERE expires_at < ?", (now.isoformat(),))
            tx.execute(
                "INSERT INTO admin_sessions (session_hash, name, csrf_token, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?)",
                (_digest(cookie), name, csrf, now.isoformat(), expires.isoformat()),
            )
        return LoginResult(cookie, Session(name, csrf, expires, hall))

    def session(self, cookie: str) -> Session | None:
        """The live session of a cookie, None when unknown or expired."""
        if not cookie or len(cookie) > 128:
            return None
        with self._db.read() as tx:
            row = tx.one(
                "SELECT s.name, s.csrf_token, s.expires_at, a.hall FROM admin_sessions s"
                " JOIN admins a ON a.name = s.name WHERE s.session_hash = ?",
                (_digest(cookie),),
            )
        if row is None:
            return None
        expires = datetime.fromisoformat(str(row[2]))
        found = Session(str(row[0]), str(row[1]), expires, str(row[3]))
        return found if found.open_at(self._now()) else None

    def logout(self, cookie: str) -> None:
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM admin_sessions WHERE session_hash = ?", (_digest(cookie),))
