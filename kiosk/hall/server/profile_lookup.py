"""Taxpayer profiles as the server finds them: by a hash of the key, never the key.

The server reads the same file as the embedded hall (identification.taxpayers,
through kiosk.hall.taxpayers_file) and indexes it by kind and by a keyed hash:
HMAC-SHA256, under the server's profile secret, of `identity_key_hash` of every
credit code, ID number and appointment code in it. The kiosk sends that plain hash
(it cannot hold the server's secret); the server keys it on receipt. An ID number's
plain hash can be reversed from a region and a birth date in a millisecond; the keyed
one cannot, without the secret. The secret is a 0600 file outside the database
(beside a SQLite file; in the data folder for PostgreSQL), made on first start. The
index lives in memory only and is rebuilt at every start, so no stored hash needs
migrating; a new secret (delete the file) simply re-keys it at the next start.

A lookup answers only what a kiosk acts on (`shown_to_kiosk`), and each token may
look up only so often (`LookupLimit`): a token is not an oracle over the file.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import threading
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from drivers.idcard.card import id_check_digit
from kiosk.atomic_file import write_atomically
from kiosk.hall.api import identity_key_hash
from kiosk.hall.taxpayers_file import TaxpayersFile, parse_taxpayers
from kiosk.settings import ConfigError, ConfigProblem, Settings, read_toml
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, IdentityKind, TaxpayerProfile

log = logging.getLogger(__name__)

SECRET_BYTES = 32
# Each token's lookups: a burst of this many, then this many a minute. A kiosk looks
# up once a visit; enumerating ID numbers takes millions.
LOOKUPS_PER_MINUTE = 20
# The kinds a kiosk may name, by the kind of key they are indexed under (a taxpayer QR
# code carries a credit code).
INDEXED_AS = {
    IdentityKind.ID_CARD: IdentityKind.ID_CARD,
    IdentityKind.CREDIT_CODE: IdentityKind.CREDIT_CODE,
    IdentityKind.TAXPAYER_QR: IdentityKind.CREDIT_CODE,
    IdentityKind.APPOINTMENT_CODE: IdentityKind.APPOINTMENT_CODE,
}


def profile_secret_path(location: Path | str, settings: Settings) -> Path:
    """Beside a SQLite database; in the data folder for a PostgreSQL one."""
    if isinstance(location, str) and location.startswith(("postgresql:", "postgres:")):
        return settings.data_path / "hall-profile.key"
    path = Path(location)
    return path.with_name(path.name + ".profile-key")


def load_profile_secret(path: Path) -> bytes:
    """The server's profile secret: read, or made (0600) on the first start. Two
    servers starting together end with the same one: only the first link wins."""
    if not path.exists():
        made = secrets.token_bytes(SECRET_BYTES)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        write_atomically(draft, made.hex().encode("ascii") + b"\n", mode=0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another server made it first: use theirs
        finally:
            draft.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("the profile secret %s is readable by others (mode %o): chmod 600", path, mode)
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (UnicodeDecodeError, ValueError):
        secret = b""
    if len(secret) != SECRET_BYTES:
        reason = f"not a profile secret ({SECRET_BYTES} bytes in hex); delete it to make a new one"
        raise ConfigError([ConfigProblem(str(path), "", reason)])
    return secret


def keyed_hash(secret: bytes, key_hash: str) -> str:
    """What the index holds for the kiosk's `identity_key_hash`: HMAC-SHA256 under the
    server's secret (stdlib hmac: no library does this better)."""
    return hmac.new(secret, key_hash.encode("ascii"), hashlib.sha256).hexdigest()


class ProfileSource(Protocol):
    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        """The profile of the taxpayer whose key hashes to `key_hash`; UNKNOWN_PROFILE
        when there is none."""
        ...


class NoProfiles:
    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        return UNKNOWN_PROFILE


class HashedProfiles:
    """Fixed profiles keyed by `kiosk.hall.api.identity_key_hash(key)`, of any kind
    (tests); held keyed under a secret of their own, as the directory's are."""

    def __init__(self, profiles: Mapping[str, TaxpayerProfile]) -> None:
        self._secret = secrets.token_bytes(SECRET_BYTES)
        self._profiles = {keyed_hash(self._secret, h): p for h, p in profiles.items()}

    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        return self._profiles.get(keyed_hash(self._secret, key_hash), UNKNOWN_PROFILE)


class DirectoryProfiles:
    """The taxpayers file of the embedded hall, looked up by kind and keyed hash."""

    def __init__(
        self,
        path: Path,
        *,
        secret: bytes,
        new_taxpayer_days: int = 90,
        timezone: str = "Asia/Shanghai",
        known_matters: Collection[str] | None = None,
    ) -> None:
        raw = read_toml(path)
        self._directory = parse_taxpayers(
            raw,
            str(path),
            new_taxpayer_days=new_taxpayer_days,
            timezone=timezone,
            known_matters=known_matters,
        )
        self._secret = secret
        data = TaxpayersFile(**raw)  # valid: parse_taxpayers has checked it
        self._index: dict[tuple[IdentityKind, str], Identity] = {}
        entries = [*data.companies.values(), *data.people.values()]
        for code in data.companies:
            self._add(IdentityKind.CREDIT_CODE, code)
        for person in data.people.values():
            first17 = "".join(person.id_number)
            self._add(IdentityKind.ID_CARD, first17 + id_check_digit(first17))
        for entry in entries:
            for appointment in entry.appointments:
                self._add(IdentityKind.APPOINTMENT_CODE, appointment.code)

    def _add(self, kind: IdentityKind, key: str) -> None:
        keyed = keyed_hash(self._secret, identity_key_hash(key))
        self._index[kind, keyed] = Identity(kind, key.upper(), masked="")

    def __len__(self) -> int:
        return len(self._index)

    def keyed_hashes(self) -> list[str]:
        """What the index holds (a copy of it would hold): keyed hashes only."""
        return [keyed for _, keyed in self._index]

    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        """Only under the kind the kiosk names: a credit code's hash sent as an ID
        card's finds nothing."""
        identity = self._index.get((INDEXED_AS[kind], keyed_hash(self._secret, key_hash)))
        if identity is None:
            return UNKNOWN_PROFILE
        profile = self._directory.profile(identity, now)
        if kind is IdentityKind.APPOINTMENT_CODE:  # that booking, not the others
            booked = tuple(item for item in profile.appointments if item.code == identity.key)
            profile = replace(profile, appointments=booked)
        return profile


def masked_code(code: str) -> str:
    """An appointment code as a kiosk may show it: its letters and last four digits."""
    letters = len(code) - len(code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    hidden = max(0, len(code) - letters - 4)
    return code[:letters] + "*" * hidden + code[letters + hidden :]


def shown_to_kiosk(
    profile: TaxpayerProfile, kind: IdentityKind, priority_levels: Collection[str]
) -> TaxpayerProfile:
    """Only what a kiosk acts on: a credit level only when it earns priority, no
    registration date (new_taxpayer says what matters), and appointment codes only
    to the one who typed or scanned that code."""
    credit = profile.credit_level
    return replace(
        profile,
        credit_level=credit if credit is not None and credit.value in priority_levels else None,
        registered_on=None,
        appointments=profile.appointments
        if kind is IdentityKind.APPOINTMENT_CODE
        else tuple(replace(item, code=masked_code(item.code)) for item in profile.appointments),
    )


class LookupLimit:
    """A token bucket per token: LOOKUPS_PER_MINUTE at once, refilled as fast."""

    def __init__(self, per_minute: int = LOOKUPS_PER_MINUTE) -> None:
        self._per_minute = per_minute
        self._buckets: dict[str, tuple[float, datetime]] = {}
        self._lock = threading.Lock()

    def take(self, client_id: str, now: datetime) -> float:
        """0 when `client_id` may look up now; else the seconds until it may."""
        with self._lock:
            tokens, since = self._buckets.get(client_id, (float(self._per_minute), now))
            elapsed = max(0.0, (now - since).total_seconds())
            tokens = min(float(self._per_minute), tokens + elapsed * self._per_minute / 60)
            if tokens < 1:
                self._buckets[client_id] = (tokens, now)
                return (1 - tokens) * 60 / self._per_minute
            self._buckets[client_id] = (tokens - 1, now)
            return 0.0
