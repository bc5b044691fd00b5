"""A province's configuration (TOML), for `kiosk hall serve --province FILE`:

    url = "https://..."                         # where records are POSTed
    credentials = "/etc/hall-server/province.json"  # 0600: {"app_id": ..., "app_secret": ...}
    mapping = "national-mapping.json"           # our fields -> theirs (relative: beside)
    department_code = "..."                     # and area_code, hall_code, hall_name
    export_dir = "/var/lib/hall-server/province"  # the daily CSV (empty: none)

    [halls.H1]                                  # a server of several halls (--halls):
    hall_code = "..."                           # each hall's own codes (and hall_name,
                                                # area_code, department_code over the above)

The codes above are hall main's (the server's own); every other hall reports only with
a [halls.HALL] table of its own: never with another hall's hall_code.

The credentials are refused unless the file is the owner's alone (mode 0600 or
stricter): they sign every request, and are never logged or shown.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kiosk.hall.province.mapping import FieldMapping, load_mapping
from kiosk.queue import DEFAULT_HALL
from kiosk.settings import ConfigError, ConfigProblem, problems_from, read_toml

HALL_ID = r"^[A-Za-z0-9_-]{1,32}$"  # as a token's hall


class _HallCodes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    department_code: str = Field("", max_length=64)
    area_code: str = Field("", max_length=32)
    hall_code: str = Field(min_length=1, max_length=64)
    hall_name: str = Field("", max_length=100)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    url: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    credentials: Path
    mapping: Path
    department_code: str = Field("", max_length=64)
    area_code: str = Field("", max_length=32)
    hall_code: str = Field("", max_length=64)
    hall_name: str = Field("", max_length=100)
    export_dir: Path | None = None
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    poll_seconds: float = Field(5.0, gt=0, le=3600)
    halls: dict[Annotated[str, StringConstraints(pattern=HALL_ID)], _HallCodes] = {}


@dataclass(frozen=True)
class Credentials:
    app_id: str
    app_secret: str = field(repr=False)


@dataclass(frozen=True)
class ProvinceConfig:
    name: str
    url: str
    credentials: Credentials
    mapping: FieldMapping
    hall_fields: dict[str, str]
    export_dir: Path | None
    timeout_seconds: float
    poll_seconds: float
    halls_fields: dict[str, dict[str, str]] = field(default_factory=dict)

    def fields_of(self, hall: str) -> dict[str, str] | None:
        """The codes in every line of `hall`'s records: its [halls.HALL] table over the
        file's own; the file's own for hall main; None for a hall the file does not name
        (its records wait: another hall's hall_code would be a wrong report)."""
        own = self.halls_fields.get(hall)
        if own is not None:
            return {**self.hall_fields, **{key: value for key, value in own.items() if value}}
        return self.hall_fields if hall == DEFAULT_HALL else None

    def with_codes(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with its hall's codes; ValueError for a hall the file does not
        name (retried after an edit of the file)."""
        codes = self.fields_of(record["hall"])
        if codes is None:
            raise ValueError(f"the province file has no [halls.{record['hall']}] codes")
        return {**record, **codes}

    def unnamed(self, halls: Iterable[str]) -> list[str]:
        """Of `halls`, those the file has no codes for."""
        return [hall for hall in halls if self.fields_of(hall) is None]


def load_credentials(path: Path) -> Credentials:
    where = str(path)
    try:
        mode = path.stat().st_mode
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(where, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError([ConfigProblem(where, "", f"not readable JSON: {error}")]) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            [ConfigProblem(where, "", f"mode {stat.S_IMODE(mode):04o}: must be 0600 (chmod 600)")]
        )
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(key), str) and raw[key] for key in ("app_id", "app_secret")
    ):
        raise ConfigError([ConfigProblem(where, "", "needs app_id and app_secret (text)")])
    return Credentials(raw["app_id"], raw["app_secret"])


def load_province(path: Path) -> ProvinceConfig:
    try:
        parsed = _File(**read_toml(path))
    except ValidationError as error:
        raise ConfigError(problems_from(error, str(path))) from None

    def beside(file: Path) -> Path:
        return file if file.is_absolute() else path.parent / file

    return ProvinceConfig(
        name=parsed.name,
        url=parsed.url,
        credentials=load_credentials(beside(parsed.credentials)),
        mapping=load_mapping(beside(parsed.mapping)),
        hall_fields={
            "department_code": parsed.department_code,
            "area_code": parsed.area_code,
            "hall_code": parsed.hall_code,
            "hall_name": parsed.hall_name,
        },
        export_dir=None if parsed.export_dir is None else beside(parsed.export_dir),
        timeout_seconds=parsed.timeout_seconds,
        poll_seconds=parsed.poll_seconds,
        halls_fields={hall: codes.model_dump() for hall, codes in parsed.halls.items()},
    )
