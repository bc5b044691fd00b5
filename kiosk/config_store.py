"""The machine file, edited from the technician menu and `kiosk config set-pin`.

A change is validated through `load_settings` (the same schema, the same reasons)
before anything is written; it is then written atomically (temporary file, fsync,
rename), and the file it replaces is kept as `kiosk.toml.last-good`. The fields a
generated settings page shows come from the settings' JSON schema: title, help,
limits and choices.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.atomic_file import fsync_directory, write_atomically
from kiosk.catalog import load_catalog
from kiosk.settings import (
    DEFAULTS_FILE,
    ConfigError,
    ConfigProblem,
    Settings,
    load_settings,
    read_toml,
    settings_json_schema,
)
from kiosk.technician import is_secret_key

LAST_GOOD_SUFFIX = ".last-good"


class ConfigRefused(Exception):
    """A change the schema refuses; nothing was written. `problems` say why."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.key}: {p.reason}" if p.key else p.reason for p in problems))


# ---- a small TOML writer (what a machine file holds: tables, arrays, scalars) --------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("TOML numbers here must be finite")
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items()) + " }"
    raise ValueError(f"cannot write {type(value).__name__} to TOML")


def _is_table_array(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def _write_table(lines: list[str], prefix: str, table: Mapping[str, Any]) -> None:
    plain = {
        k: v for k, v in table.items() if not isinstance(v, Mapping) and not _is_table_array(v)
    }
    for name, value in plain.items():
        lines.append(f"{_key(name)} = {_scalar(value)}")
    for name, value in table.items():
        path = f"{prefix}.{_key(name)}" if prefix else _key(name)
        if isinstance(value, Mapping):
            lines.append("")
            lines.append(f"[{path}]")
            _write_table(lines, path, value)
        elif _is_table_array(value):
            for item in value:
                lines.append("")
                lines.append(f"[[{path}]]")
                _write_table(lines, path, item)


def dumps_toml(data: Mapping[str, Any]) -> str:
    lines: list[str] = []
    _write_table(lines, "", data)
    return "\n".join(lines).lstrip("\n") + "\n"


# ---- fields of the generated pages -----------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One editable setting, described by the schema."""

    key: str  # dotted: "printer.baudrate"
    section: str
    name: str
    title: str
    description: str
    kind: str  # boolean | integer | number | string | choice | path | list | other
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    nullable: bool = False
    secret: bool = False

    def limits_text(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive_minimum else '≥'} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.exclusive_maximum else '≤'} {self.maximum:g}")
        return ", ".join(parts)

    @property
    def editable(self) -> bool:
        return self.kind in ("boolean", "integer", "number", "string", "choice", "path")


@dataclass(frozen=True)
class SectionSpec:
    name: str
    title: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = schema["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return node


def _field_spec(
    section: str, name: str, node: Mapping[str, Any], schema: Mapping[str, Any]
) -> FieldSpec:
    nullable = False
    body: Mapping[str, Any] = node
    if "anyOf" in node:
        options = [_resolve(schema, option) for option in node["anyOf"]]
        nullable = any(option.get("type") == "null" for option in options)
        concrete = [option for option in options if option.get("type") != "null"]
        body = (
            {**concrete[0], **{k: v for k, v in node.items() if k != "anyOf"}} if concrete else node
        )
    body = {**_resolve(schema, body), **{k: v for k, v in body.items() if k != "$ref"}}
    kind = str(body.get("type", "other"))
    choices: tuple[str, ...] = ()
    if "enum" in body:
        kind, choices = "choice", tuple(str(choice) for choice in body["enum"])
    elif "const" in body:
        kind, choices = "choice", (str(body["const"]),)
    elif kind == "string" and body.get("format") == "path":
        kind = "path"
    elif kind == "array":
        kind = "list"
    elif kind not in ("boolean", "integer", "number", "string"):
        kind = "other"
    minimum = body.get("minimum", body.get("exclusiveMinimum"))
    maximum = body.get("maximum", body.get("exclusiveMaximum"))
    key = f"{section}.{name}"
    return FieldSpec(
        key=key,
        section=section,
        name=name,
        title=str(body.get("title") or name.replace("_", " ").capitalize()),
        description=str(body.get("description", "")),
        kind=kind,
        default=body.get("default"),
        minimum=float(minimum) if minimum is not None else None,
        maximum=float(maximum) if maximum is not None else None,
        exclusive_minimum="exclusiveMinimum" in body,
        exclusive_maximum="exclusiveMaximum" in body,
        choices=choices,
        pattern=body.get("pattern"),
        nullable=nullable,
        secret=bool(body.get("secret")) or is_secret_key(key),
    )


@functools.cache
def _sections() -> tuple[SectionSpec, ...]:
    return tuple(_build_sections())


def settings_sections() -> list[SectionSpec]:
    """Every table of the settings (not the queue list), with its fields."""
    return list(_sections())


def _build_sections() -> list[SectionSpec]:
    schema = settings_json_schema()
    sections = []
    for name, node in schema["properties"].items():
        body = _resolve(schema, node)
        if body.get("type") != "object" or "properties" not in body:
            continue
        fields = tuple(
            _field_spec(name, field_name, field_node, schema)
            for field_name, field_node in body["properties"].items()
        )
        title = str(body.get("title", name)).removesuffix("Section") or name
        sections.append(SectionSpec(name, title, fields))
    return sections


def field_spec(key: str) -> FieldSpec:
    section, _, name = key.partition(".")
    for spec in settings_sections():
        if spec.name == section:
            for candidate in spec.fields:
                if candidate.name == name:
                    return candidate
    raise KeyError(f"no setting {key}")


def coerce(spec: FieldSpec, value: Any) -> Any:
    """A value from a widget as the schema wants it; ValueError with a reason if not."""
    if spec.nullable and value in (None, ""):
        return None
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise ValueError("expected on or off")
    if spec.kind == "integer":
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("expected a whole number") from None
        if not number.is_integer():
            raise ValueError("expected a whole number")
        return int(number)
    if spec.kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError("expected a number") from None
    return str(value)


# ---- reading and writing the machine file -------------------------------------------------


@dataclass(frozen=True)
class Change:
    key: str
    old: Any
    new: Any


def get_dotted(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    if value is None:
        node.pop(parts[-1], None)  # TOML has no null: the default applies
    else:
        node[parts[-1]] = value


def settings_value(settings: Settings, key: str) -> Any:
    return get_dotted(settings.model_dump(mode="json"), key)


class ConfigStore:
    """The machine file: what differs from the defaults, edited one change at a time."""

    def __init__(self, machine_file: Path, defaults_file: Path = DEFAULTS_FILE) -> None:
        self.machine_file = machine_file
        self.defaults_file = defaults_file

    @property
    def last_good_file(self) -> Path:
        return self.machine_file.with_name(self.machine_file.name + LAST_GOOD_SUFFIX)

    def raw(self) -> dict[str, Any]:
        """The machine file's own tables (empty when there is no file yet)."""
        if not self.machine_file.exists():
            return {}
        return read_toml(self.machine_file)

    def settings(self) -> Settings:
        machine = self.machine_file if self.machine_file.exists() else None
        return load_settings(machine, defaults_file=self.defaults_file)

    def save(self, changes: Mapping[str, Any]) -> list[Change]:
        """Validate, then write atomically, keeping the replaced file as last-good.

        Raises ConfigRefused (nothing written) with the schema's reasons."""
        try:
            before = self.settings()
            raw = self.raw()
        except ConfigError as error:
            raise ConfigRefused(error.problems) from None
        updated = json.loads(json.dumps(raw, default=str))  # a deep copy of plain data
        for key, value in changes.items():
            _set_dotted(updated, key, value)
        try:
            text = dumps_toml(updated)
        except ValueError as error:
            raise ConfigRefused([ConfigProblem("", "", str(error))]) from None
        after = self._validate(text)
        if self.machine_file.exists():
            shutil.copy2(self.machine_file, self.last_good_file)
            fsync_directory(self.machine_file.parent)
        write_atomically(self.machine_file, text.encode("utf-8"))
        return [
            Change(key, settings_value(before, key), settings_value(after, key))
            for key in changes
            if settings_value(before, key) != settings_value(after, key)
        ]

    def _validate(self, text: str) -> Settings:
        """Load the would-be file beside the real one (relative paths mean the same)."""
        self.machine_file.parent.mkdir(parents=True, exist_ok=True)
        candidate = self.machine_file.with_name(f".{self.machine_file.name}.candidate")
        try:
            candidate.write_text(text, encoding="utf-8")
            return load_settings(candidate, defaults_file=self.defaults_file)
        except ConfigError as error:
            problems = [
                ConfigProblem(str(self.machine_file), p.key, p.reason) for p in error.problems
            ]
            raise ConfigRefused(problems) from None
        finally:
            candidate.unlink(missing_ok=True)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    catalog_version: str | None
    matters: int
    problems: tuple[str, ...]


def check_configuration(machine_file: Path | None) -> CheckResult:
    """What `kiosk config check` checks: the settings and the catalog they name."""
    try:
        settings = load_settings(machine_file)
        catalog = load_catalog(settings.catalog_path)
    except ConfigError as error:
        return CheckResult(False, None, 0, tuple(str(problem) for problem in error.problems))
    return CheckResult(True, catalog.version, len(catalog.matters), ())
