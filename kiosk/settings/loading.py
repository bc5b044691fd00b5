"""Loading: `config/` defaults, then the machine file, then command-line overrides.

A machine file only lists what differs from the defaults. Every error names its
file, its dotted key and the reason, so a technician can fix it without a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.settings.problems import ConfigError, problems_from, read_toml
from kiosk.settings.schema import CONFIG_DIR, Settings
from kiosk.settings.texts import load_texts

DEFAULTS_FILE = CONFIG_DIR / "kiosk.toml"
MACHINE_FILE_ENV = "KIOSK_CONFIG"
SYSTEM_MACHINE_FILE = Path("/etc/hall-kiosk/kiosk.toml")


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge tables; arrays and values in `override` replace those in `base`."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve_relative_paths(raw: dict[str, Any], directory: Path) -> dict[str, Any]:
    """Paths written in a file are relative to that file, as a technician expects."""
    result = dict(raw)
    for section, key in (
        ("kiosk", "data_dir"),
        ("hall", "catalog"),
        ("routing", "rules"),
        ("hall", "ca_file"),
        ("ticket", "logo"),
        ("identification", "taxpayers"),
        ("ui", "texts_file"),
    ):
        table = result.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            path = Path(table[key]).expanduser()
            result[section] = {**table, key: str(path if path.is_absolute() else directory / path)}
    return result


def default_machine_file() -> Path | None:
    env = os.environ.get(MACHINE_FILE_ENV)
    if env:
        return Path(env)
    return SYSTEM_MACHINE_FILE if SYSTEM_MACHINE_FILE.exists() else None


def load_settings(
    machine_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    defaults_file: Path = DEFAULTS_FILE,
    layers: Sequence[Path] = (),
) -> Settings:
    """Defaults, then the machine file, then `layers` (a hall server's per-hall files,
    same keys), then overrides (from the command line)."""
    raw = _resolve_relative_paths(read_toml(defaults_file), defaults_file.parent)
    blamed = str(defaults_file)
    for file in [*([machine_file] if machine_file is not None else []), *layers]:
        raw = merge(raw, _resolve_relative_paths(read_toml(file), file.parent))
        blamed = str(file)
    if overrides:
        raw = merge(raw, overrides)
    raw.pop("config_dir", None)
    try:
        settings = Settings(**raw, config_dir=defaults_file.parent)
    except ValidationError as error:
        raise ConfigError(problems_from(error, blamed)) from None
    load_texts(settings)  # the hall's wording is configuration too: refused here, with its keys
    return settings


def settings_json_schema() -> dict[str, Any]:
    return Settings.model_json_schema()
