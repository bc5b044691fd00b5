"""`kiosk config`: check, schema, show, set-pin."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    add_command,
    config_file,
    emit,
    settings_or_say_why,
)
from kiosk.announcements import announcement_problems
from kiosk.catalog import load_catalog
from kiosk.evaluation_checks import evaluation_problems
from kiosk.settings import (
    SYSTEM_MACHINE_FILE,
    ConfigError,
    ConfigProblem,
    load_settings,
    settings_json_schema,
)
from kiosk.settings.offline_range import offline_range_problems
from kiosk.settings.usable import risky, unusable
from kiosk.technician.pin import pin_hash_warning
from kiosk.triage import rule_problems
from kiosk.voice import voice_problems


def cmd_config_check(args: argparse.Namespace) -> int:
    file = config_file(args)
    problems: list[ConfigProblem] = []
    warnings: list[str] = []
    summary: dict[str, Any] = {}
    try:
        settings = load_settings(file)
        catalog = load_catalog(settings.catalog_path)
        summary = {
            "kiosk": settings.kiosk.id,
            "queues": len(settings.queues),
            "catalog": catalog.version,
            "matters": len(catalog.matters),
        }
        problems = rule_problems(settings, catalog)  # unknown queue, never matches, shadowed
        notes: list[str] = []  # a year missing from the holiday calendar
        problems += evaluation_problems(settings, notes)
        summary["notes"] = notes
        problems += voice_problems(settings)  # the hall's recorded clips, when it has them
        problems += unusable(settings, str(file) if file else "")  # loads, but cannot work
        problems += offline_range_problems(settings, str(file or ""))
        problems += announcement_problems(settings.config_dir)  # the idle screen's
        pin_warning = pin_hash_warning(settings.technician.pin_hash)  # not a problem: it opens
        warnings = [pin_warning] if pin_warning else []
        warnings += risky(settings)  # works, but exposes: plain http across the network
    except ConfigError as error:
        problems = error.problems
    ok = not problems
    source = str(file) if file else "defaults only"
    text = (
        (
            f"OK: configuration is valid ({source}; catalog {summary.get('catalog')}, "
            f"{summary.get('matters')} matters)"
        )
        if ok
        else (
            f"{len(problems)} problem(s) in the configuration:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )
    ) + "".join(f"\nwarning: {warning}" for warning in warnings)
    text += "".join(f"\nnote: {note}" for note in summary.get("notes", []))
    problem_list = [vars(problem) for problem in problems]
    emit(
        args,
        {"ok": ok, "file": source, **summary, "problems": problem_list, "warnings": warnings},
        text,
    )
    return EXIT_OK if ok else EXIT_PROBLEMS


def cmd_config_schema(args: argparse.Namespace) -> int:
    print(json.dumps(settings_json_schema(), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_config_show(args: argparse.Namespace) -> int:
    settings = settings_or_say_why(args)
    if settings is None:
        return EXIT_PROBLEMS
    data = settings.model_dump(mode="json")
    # Secrets (the hall token) are never shown: only whether one is set.
    for section, values in data.items():
        model = getattr(settings, section, None)
        for name, info in getattr(type(model), "model_fields", {}).items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get("secret") and values.get(name):
                values[name] = "********"
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for section, values in data.items():
            print(f"{section} = {json.dumps(values, ensure_ascii=False)}")
    return EXIT_OK


def _read_new_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    import getpass

    first = getpass.getpass("New technician PIN (6 to 12 digits, no easy pattern): ")
    if getpass.getpass("The same PIN again: ") != first:
        raise ValueError("the two PINs differ")
    return first


def cmd_config_set_pin(args: argparse.Namespace) -> int:
    """The technician PIN: only its salted hash goes into the machine file."""
    from kiosk.config_store import ConfigRefused, ConfigStore
    from kiosk.technician import PinError, check_new_pin, hash_pin

    file = config_file(args) or SYSTEM_MACHINE_FILE
    try:
        pin = check_new_pin(_read_new_pin(args))
        ConfigStore(file).save({"technician.pin_hash": hash_pin(pin)})
    except (PinError, ValueError, ConfigRefused, OSError) as error:
        emit(args, {"ok": False, "file": str(file), "error": str(error)}, f"PIN not set: {error}")
        return EXIT_PROBLEMS
    emit(args, {"ok": True, "file": str(file)}, f"technician PIN set in {file}")
    return EXIT_OK


def add_config_commands(commands: Any) -> None:
    config = commands.add_parser("config", help="check, describe or show the configuration")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    check = add_command(config_commands, "check", cmd_config_check, "validate a configuration")
    check.add_argument(
        "file", nargs="?", type=Path, help="machine file (default: the effective configuration)"
    )
    add_command(
        config_commands, "schema", cmd_config_schema, "print the JSON schema of the settings"
    )
    show = add_command(config_commands, "show", cmd_config_show, "print the effective settings")
    show.add_argument("--config", type=Path, help="machine configuration file")
    set_pin = add_command(
        config_commands, "set-pin", cmd_config_set_pin, "set the technician menu's PIN (hashed)"
    )
    set_pin.add_argument("--config", type=Path, help="machine file (default: the effective one)")
    set_pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
