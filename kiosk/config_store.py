"""The machine file, edited from the technician menu and `kiosk config set-pin`.

A change is validated through `load_settings` (the same schema, the same reasons)
before anything is written; it is then written atomically (temporary file, fsync,
rename), and the file it replaces is kept as `kiosk.toml.last-good`. The file is
edited as a TOML document (tomlkit), so a hall's comments and layout stay; every
copy keeps the file's mode, and a new file holding a PIN hash or token is 0600. The fields a
generated settings page shows come from the settings' JSON schema: title, help,
limits and choices.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit import TOMLDocument

from kiosk.atomic_file import PRIVATE, file_mode, write_atomically
from kiosk.catalog import load_catalog
from kiosk.settings import (
    DEFAULTS_FILE,
    ConfigError,
    ConfigProblem,
    Settings,
    load_settings,
    settings_json_schema,
)
from kiosk.technician import is_secret_key

LAST_GOOD_SUFFIX = ".last-good"


class ConfigRefused(Exception):
    """A change the schema refuses; nothing was written. `problems` say why."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.key}: {p.reason}" if p.key else p.reason for p in problems))


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
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("expected a number") from None
        if not math.isfinite(number):  # TOML could hold nan or inf; no setting means them
            raise ValueError("expected a number")
        return number
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


def _set_dotted(document: TOMLDocument, key: str, value: Any) -> None:
    """Edit the document in place: its comments, order and layout stay as they were."""
    parts = key.split(".")
    node: Any = document
    for part in parts[:-1]:
        if not isinstance(node.get(part), Mapping):
            node[part] = tomlkit.table()
        node = node[part]
    if value is None:
        node.pop(parts[-1], None)  # TOML has no null: the default applies
    else:
        node[parts[-1]] = value


def _holds_secret(data: Mapping[str, Any], prefix: str = "") -> bool:
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            if _holds_secret(value, f"{key}."):
                return True
        elif is_secret_key(key) and value not in ("", None):
            return True
    return False


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

    def _document(self) -> TOMLDocument:
        if not self.machine_file.exists():
            return tomlkit.document()
        return tomlkit.parse(self.machine_file.read_text(encoding="utf-8"))

    def settings(self) -> Settings:
        machine = self.machine_file if self.machine_file.exists() else None
        return load_settings(machine, defaults_file=self.defaults_file)

    def save(self, changes: Mapping[str, Any]) -> list[Change]:
        """Validate, then write atomically, keeping the replaced file as last-good.

        Raises ConfigRefused (nothing written) with the schema's reasons."""
        try:
            before = self.settings()
        except ConfigError as error:
            raise ConfigRefused(error.problems) from None
        document = self._document()
        for key, value in changes.items():
            _set_dotted(document, key, value)
        try:
            text = tomlkit.dumps(document)
        except (ValueError, TypeError) as error:
            raise ConfigRefused([ConfigProblem("", "", str(error))]) from None
        after = self._validate(text)
        mode = file_mode(self.machine_file)
        if mode is not None:
            write_atomically(self.last_good_file, self.machine_file.read_bytes(), mode)
        elif _holds_secret(document):
            mode = PRIVATE
        write_atomically(self.machine_file, text.encode("utf-8"), mode)
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
            # Private whatever it holds: it lives a moment, and may hold the token.
            write_atomically(candidate, text.encode("utf-8"), PRIVATE)
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
