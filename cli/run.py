"""`kiosk run` and `kiosk demo`: the commands that show the screen.

Qt is imported when one of them runs, not when the command line starts, so that
`kiosk config check` and the device commands work on a machine without it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import add_command, config_file


def no_screen(error: ImportError) -> SystemExit:
    return SystemExit(
        f"kiosk: the screen cannot start: {error}. Run `make demo` once to install what it needs."
    )


def cmd_run(args: argparse.Namespace) -> int:
    try:
        from ui.main import run
    except ImportError as error:
        raise no_screen(error) from None
    return run(config_file(args), log_json=args.log_json)


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        from ui.demo import run_demo
    except ImportError as error:
        raise no_screen(error) from None
    headless = True if args.headless else (False if args.window else None)
    return run_demo(args.out, headless=headless, config_file=config_file(args))


def add_screen_commands(commands: Any) -> None:
    run = add_command(commands, "run", cmd_run, "the kiosk, full screen")
    run.add_argument("--config", type=Path, help="machine configuration file")

    demo = add_command(
        commands, "demo", cmd_demo, "the kiosk on emulated devices and the embedded hall"
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo-out"),
        help="where a headless demo writes screens, tickets and the journal",
    )
    demo.add_argument("--config", type=Path, help="machine configuration file")
    mode = demo.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true", help="play the scripted visit offscreen")
    mode.add_argument("--window", action="store_true", help="open the window even without DISPLAY")
