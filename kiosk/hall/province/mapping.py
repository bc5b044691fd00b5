"""A province's field mapping (JSON): from our field names to theirs, with value tables.

    {
      "name": "...",
      "evaluation": {"projectNo": "case_number", "alternate": "level", ...},
      "follow_up": {"projectNo": "case_number", "rectifyContent": "rectification", ...},
      "values": {"level": {"1": "5", ...}, "channel": {"keypad": "4", ...}},
      "time_format": "%Y-%m-%d %H:%M:%S",
      "list_separator": ",",
      "success": {"field": "code", "values": ["200"]}
    }

A value table maps each of our values (as text; each item of a list) to theirs; a
value it does not list is refused, never sent unmapped. Times are sent in the hall's
time zone; lists are joined; booleans are "1" and "0" unless a table says otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.settings import ConfigError, ConfigProblem, problems_from

# Our fields, per record type (kiosk/hall/server/store/province_outbox.py builds them;
# the province configuration adds the codes of the hall).
HALL_FIELDS = ("department_code", "area_code", "hall_code", "hall_name")
COMMON_FIELDS = (
    "record_type",
    "idempotency_key",
    "evaluation_id",
    "case_number",
    "window",
    "staff_id",
    *HALL_FIELDS,
)
OUR_FIELDS = {
    "evaluation": (
        *COMMON_FIELDS,
        "matter_codes",
        "implementation_codes",
        "level",
        "level_name",
        "bad",
        "channel",
        "reasons",
        "note",
        "evaluated_at",
    ),
    "follow_up": (
        *COMMON_FIELDS,
        "deadline",
        "assignee",
        "contact_result",
        "rectification",
        "closed_at",
        "closing_note",
        "overdue",
    ),
}
TIME_FIELDS = ("evaluated_at", "closed_at")


class Success(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(min_length=1)
    values: tuple[str, ...] = Field(min_length=1)


class FieldMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    evaluation: dict[str, str] = Field(min_length=1)
    follow_up: dict[str, str] = Field(min_length=1)
    values: dict[str, dict[str, str]] = {}
    time_format: str = "%Y-%m-%d %H:%M:%S"
    list_separator: str = ","
    success: Success | None = None

    def apply(self, record: dict[str, Any], timezone: str) -> dict[str, str]:
        """Their fields of one record of ours; ValueError for a value with no mapping."""
        zone = ZoneInfo(timezone)
        fields = self.evaluation if record["record_type"] == "evaluation" else self.follow_up
        return {
            theirs: self._value(ours, record.get(ours), zone) for theirs, ours in fields.items()
        }

    def _value(self, ours: str, value: Any, zone: ZoneInfo) -> str:
        table = self.values.get(ours)

        def one(item: Any) -> str:
            text = _text(item)
            if table is None:
                return text
            if text not in table:
                raise ValueError(f"mapping: no value of theirs for {ours} = {text!r}")
            return table[text]

        if isinstance(value, list):
            return self.list_separator.join(one(item) for item in value)
        if ours in TIME_FIELDS and value:
            return datetime.fromisoformat(str(value)).astimezone(zone).strftime(self.time_format)
        return one(value)

    def accepted(self, answer: Any) -> bool:
        """Whether the platform's JSON answer says it took the record."""
        if self.success is None:
            return True
        if not isinstance(answer, dict):
            return False
        return str(answer.get(self.success.field)) in self.success.values


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def parse_mapping(raw: Any, file: str) -> FieldMapping:
    try:
        mapping = FieldMapping.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(problems_from(error, file)) from None
    problems = [
        ConfigProblem(file, f"{kind}.{theirs}", f"{ours!r} is not one of our fields")
        for kind in ("evaluation", "follow_up")
        for theirs, ours in getattr(mapping, kind).items()
        if ours not in OUR_FIELDS[kind]
    ]
    problems += [
        ConfigProblem(file, f"values.{ours}", f"{ours!r} is not one of our fields")
        for ours in mapping.values
        if not any(ours in fields for fields in OUR_FIELDS.values())
    ]
    if problems:
        raise ConfigError(problems)
    return mapping


def load_mapping(path: Path) -> FieldMapping:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(path), "", "file not found")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError([ConfigProblem(str(path), "", f"not a JSON file: {error}")]) from None
    return parse_mapping(raw, str(path))
