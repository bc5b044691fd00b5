"""A province's configuration (TOML), for `kiosk hall serve --province FILE`:

    url = "https://..."                         # where records are POSTed
    credentials = "/etc/hall-server/province.json"  # 0600: {"app_id": ..., "app_secret": ...}
    mapping = "national-mapping.json"           # our fields -> theirs (relative: beside)
    department_code = "..."                     # and area_code, hall_code, hall_name
    export_dir = "/var/lib/hall-server/province"  # the daily CSV (empty: none)

The credentials are refused unless the file is the owner's alone (mode 0600 or
stricter): they sign every request, and are never logged or shown.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.hall.province.mapping import FieldMapping, load_mapping
from kiosk.settings import ConfigError, ConfigProblem, problems_from, read_toml


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
    )
