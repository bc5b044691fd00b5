"""The embedded hall's taxpayer profiles, from a data file (config/taxpayers.toml).

A small hall without a tax system link still knows its regular taxpayers:
credit level, registration date (new taxpayer or not), reminders, frequent
matters and today's appointments. Companies are keyed by their unified social
credit code; people by their ID number, written in parts (region, birth date,
sequence) with the GB 11643 check digit left for the loader to add, so no
whole ID number is ever written in the file.

Dates may be absolute (`registered_on = 2019-03-01`, `due = 2026-12-15`) or
relative to today (`registered_days_ago = 20`, `due_in_days = 10`), and
appointments are a time of day (`at = "09:30"`) meaning today: a demo works
on any day. Every problem names the file and the key.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drivers.idcard.card import id_check_digit
from kiosk.identity import (
    APPOINTMENT_DIGITS,
    APPOINTMENT_PREFIX,
    credit_code_check_char,
    is_new_taxpayer,
    is_valid_credit_code,
)
from kiosk.settings import ConfigError, ConfigProblem, problems_from, read_toml
from kiosk.taxpayer import (
    UNKNOWN_PROFILE,
    Appointment,
    CreditLevel,
    Identity,
    IdentityKind,
    Reminder,
    TaxpayerProfile,
)
from kiosk.text import Text


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReminderEntry(_Entry):
    matter: str
    text: Text
    due: date | None = None
    due_in_days: int | None = Field(None, ge=0, le=3650)


class AppointmentEntry(_Entry):
    code: str = Field(pattern=rf"^{APPOINTMENT_PREFIX}\d{{{APPOINTMENT_DIGITS}}}$")
    at: time = Field(description="Time of day, today: 09:30.")
    matters: tuple[str, ...] = Field(min_length=1)


class TaxpayerEntry(_Entry):
    label: str = Field("", description="For technicians; never shown to taxpayers.")
    credit_level: CreditLevel | None = None
    registered_on: date | None = None
    registered_days_ago: int | None = Field(None, ge=0, le=36500)
    frequent_matters: tuple[str, ...] = ()
    reminders: tuple[ReminderEntry, ...] = ()
    appointments: tuple[AppointmentEntry, ...] = ()


class PersonEntry(TaxpayerEntry):
    id_number: tuple[str, ...] = Field(
        min_length=1, description="The first 17 characters in parts; the check digit is added."
    )


class TaxpayersFile(_Entry):
    version: str = ""
    companies: dict[str, TaxpayerEntry] = {}
    people: dict[str, PersonEntry] = {}


class ProfileDirectory:
    """Taxpayer profiles by ID number, credit code or appointment code."""

    def __init__(
        self,
        data: TaxpayersFile,
        *,
        source: str = "taxpayers.toml",
        new_taxpayer_days: int = 90,
        timezone: str = "Asia/Shanghai",
        known_matters: Collection[str] | None = None,
    ) -> None:
        problems: list[ConfigProblem] = []
        self._companies: dict[str, TaxpayerEntry] = {}
        self._people: dict[str, TaxpayerEntry] = {}
        self._by_appointment: dict[str, TaxpayerEntry] = {}
        for key, entry in data.companies.items():
            if not is_valid_credit_code(key):
                problems.append(ConfigProblem(source, f"companies.{key}", _credit_code_reason(key)))
            self._companies[key] = entry
        for key, person in data.people.items():
            number = _id_number(person.id_number)
            if number is None:
                problems.append(
                    ConfigProblem(
                        source,
                        f"people.{key}.id_number",
                        "the parts must make 17 digits (the check digit is added)",
                    )
                )
                continue
            if number in self._people:
                problems.append(ConfigProblem(source, f"people.{key}", "ID number listed twice"))
            self._people[number] = person
        entries: list[tuple[str, str, TaxpayerEntry]] = [
            ("companies", key, entry) for key, entry in data.companies.items()
        ]
        entries += [("people", key, entry) for key, entry in data.people.items()]
        for table, key, entry in entries:
            problems += self._check_entry(source, f"{table}.{key}", entry, known_matters)
        if problems:
            raise ConfigError(problems)
        self._new_taxpayer_days = new_taxpayer_days
        self._zone = ZoneInfo(timezone)
        self.version = data.version

    def _check_entry(
        self,
        source: str,
        where: str,
        entry: TaxpayerEntry,
        known_matters: Collection[str] | None,
    ) -> list[ConfigProblem]:
        problems = []
        if entry.registered_on is not None and entry.registered_days_ago is not None:
            problems.append(
                ConfigProblem(source, where, "give registered_on or registered_days_ago, not both")
            )
        matters: list[tuple[str, str]] = [
            (f"{where}.frequent_matters", code) for code in entry.frequent_matters
        ]
        for index, reminder in enumerate(entry.reminders):
            matters.append((f"{where}.reminders.{index}.matter", reminder.matter))
            if reminder.due is not None and reminder.due_in_days is not None:
                problems.append(
                    ConfigProblem(
                        source, f"{where}.reminders.{index}", "give due or due_in_days, not both"
                    )
                )
        for index, appointment in enumerate(entry.appointments):
            key = f"{where}.appointments.{index}"
            matters += [(f"{key}.matters", code) for code in appointment.matters]
            if appointment.code in self._by_appointment:
                problems.append(
                    ConfigProblem(source, f"{key}.code", f"{appointment.code} is used twice")
                )
            self._by_appointment[appointment.code] = entry
        if known_matters is not None:
            problems += [
                ConfigProblem(source, key, f"no matter {code!r} in the catalog")
                for key, code in matters
                if code not in known_matters
            ]
        return problems

    def __len__(self) -> int:
        return len(self._companies) + len(self._people)

    def profile(self, identity: Identity, now: datetime) -> TaxpayerProfile:
        """What the file says of this taxpayer today; the unknown profile for a stranger."""
        entry: TaxpayerEntry | None
        if identity.kind is IdentityKind.ID_CARD:
            entry = self._people.get(identity.key.upper())
        elif identity.kind is IdentityKind.APPOINTMENT_CODE:
            entry = self._by_appointment.get(identity.key.upper())
        else:
            entry = self._companies.get(identity.key.upper())
        return UNKNOWN_PROFILE if entry is None else self._build(entry, now)

    def _build(self, entry: TaxpayerEntry, now: datetime) -> TaxpayerProfile:
        local = now.astimezone(self._zone)
        today = local.date()
        registered = entry.registered_on
        if entry.registered_days_ago is not None:
            registered = today - timedelta(days=entry.registered_days_ago)
        return TaxpayerProfile(
            credit_level=entry.credit_level,
            new_taxpayer=is_new_taxpayer(registered, today, self._new_taxpayer_days),
            registered_on=registered,
            appointments=tuple(
                Appointment(
                    item.code,
                    item.matters,
                    datetime.combine(today, item.at.replace(tzinfo=None), tzinfo=self._zone),
                )
                for item in sorted(entry.appointments, key=lambda item: item.at)
            ),
            reminders=tuple(_reminder(item, today) for item in entry.reminders),
            frequent_matters=entry.frequent_matters,
        )


def _reminder(entry: ReminderEntry, today: date) -> Reminder:
    due = entry.due
    if entry.due_in_days is not None:
        due = today + timedelta(days=entry.due_in_days)
    return Reminder(entry.matter, entry.text, due)


def _id_number(parts: Iterable[str]) -> str | None:
    first17 = "".join(parts)
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        return None
    return first17 + id_check_digit(first17)


def _credit_code_reason(code: str) -> str:
    if len(code) == 18:
        try:
            right = credit_code_check_char(code[:17])
        except ValueError:
            pass
        else:
            return f"not a valid unified social credit code (the check character would be {right})"
    return "not a valid unified social credit code (18 characters, GB 32100)"


def parse_taxpayers(
    raw: dict[str, Any],
    source: str,
    *,
    new_taxpayer_days: int = 90,
    timezone: str = "Asia/Shanghai",
    known_matters: Collection[str] | None = None,
) -> ProfileDirectory:
    try:
        data = TaxpayersFile(**raw)
    except ValidationError as error:
        raise ConfigError(problems_from(error, source)) from None
    return ProfileDirectory(
        data,
        source=source,
        new_taxpayer_days=new_taxpayer_days,
        timezone=timezone,
        known_matters=known_matters,
    )


def load_taxpayers(
    path: Path,
    *,
    new_taxpayer_days: int = 90,
    timezone: str = "Asia/Shanghai",
    known_matters: Collection[str] | None = None,
) -> ProfileDirectory:
    """Read and check the file; ConfigError lists every problem with its file and key."""
    return parse_taxpayers(
        read_toml(path),
        str(path),
        new_taxpayer_days=new_taxpayer_days,
        timezone=timezone,
        known_matters=known_matters,
    )
