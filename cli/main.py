"""`kiosk`: the parser of every command group, and the entry point."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

from cli.common import Handler
from cli.config import add_config_commands
from cli.diag import add_diag_commands
from cli.hall import add_hall_commands
from cli.install_service import add_install_service_command
from cli.run import add_screen_commands
from cli.sim import add_sim_commands
from cli.ticket import add_ticket_commands
from kiosk.logs import setup_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Tax service hall kiosk.")
    parser.add_argument("--log-json", action="store_true", help="log as JSON lines")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True)
    add_screen_commands(commands)
    add_config_commands(commands)
    add_install_service_command(commands)
    add_sim_commands(commands)
    add_ticket_commands(commands)
    add_hall_commands(commands)
    add_diag_commands(commands)
    return parser


# What a shell reports for a writer ended by SIGPIPE (128 + 13).
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if "emulator_args" not in vars(args):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.emulator_args = extra  # the emulator parses its own options
    setup_logging(json_lines=args.log_json, level=logging.DEBUG if args.verbose else logging.INFO)
    handler: Handler = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # here, not at exit: a closed pipe is then caught below
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """`kiosk ... | head`: the reader has what it wanted; end quietly, as a pipe's writer
    does. Python would flush stdout again at exit and print the error: point stdout at
    /dev/null first."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
