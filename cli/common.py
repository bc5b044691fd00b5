"""What every command shares: exit codes, the --json printing, the machine file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.settings import ConfigError, Settings, default_machine_file, load_settings

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


def add_command(
    subparsers: Any, name: str, handler: Handler, help_text: str
) -> argparse.ArgumentParser:
    """A command that prints JSON with --json."""
    sub: argparse.ArgumentParser = subparsers.add_parser(name, help=help_text)
    sub.add_argument("--json", action="store_true", help="print JSON")
    sub.set_defaults(handler=handler)
    return sub


def emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else text)


def config_file(args: argparse.Namespace) -> Path | None:
    given: Path | None = getattr(args, "file", None) or getattr(args, "config", None)
    return given if given is not None else default_machine_file()


def settings_or_say_why(args: argparse.Namespace) -> Settings | None:
    """The effective settings, or None with every problem printed to stderr."""
    try:
        return load_settings(config_file(args))
    except ConfigError as error:
        print("\n".join(str(problem) for problem in error.problems), file=sys.stderr)
        return None
