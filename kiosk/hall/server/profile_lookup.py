"""Taxpayer profiles as the server finds them: by a hash of the key, never the key.

The server reads the same file as the embedded hall (identification.taxpayers,
through kiosk.hall.taxpayers_file) and indexes it by `identity_key_hash` of every
credit code, ID number and appointment code in it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from pathlib import Path
from typing import Protocol

from drivers.idcard.card import id_check_digit
from kiosk.hall.api import identity_key_hash
from kiosk.hall.taxpayers_file import TaxpayersFile, parse_taxpayers
from kiosk.settings import read_toml
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, IdentityKind, TaxpayerProfile


class ProfileSource(Protocol):
    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        """The profile of the taxpayer whose key hashes to `key_hash`; UNKNOWN_PROFILE
        when there is none."""
        ...


class NoProfiles:
    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        return UNKNOWN_PROFILE


class HashedProfiles:
    """Fixed profiles keyed by `kiosk.hall.api.identity_key_hash(key)` (tests)."""

    def __init__(self, profiles: Mapping[str, TaxpayerProfile]) -> None:
        self._profiles = dict(profiles)

    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        return self._profiles.get(key_hash, UNKNOWN_PROFILE)


class DirectoryProfiles:
    """The taxpayers file of the embedded hall, looked up by hashed keys."""

    def __init__(
        self,
        path: Path,
        *,
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
        data = TaxpayersFile(**raw)  # valid: parse_taxpayers has checked it
        self._index: dict[str, Identity] = {}
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
        self._index[identity_key_hash(key)] = Identity(kind, key.upper(), masked="")

    def __len__(self) -> int:
        return len(self._index)

    def lookup(self, kind: IdentityKind, key_hash: str, now: datetime) -> TaxpayerProfile:
        identity = self._index.get(key_hash)
        if identity is None:
            return UNKNOWN_PROFILE
        return self._directory.profile(identity, now)
