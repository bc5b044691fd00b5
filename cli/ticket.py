"""`kiosk ticket`: today's tickets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import EXIT_OK, EXIT_PROBLEMS, add_command, config_file, emit


def cmd_ticket_reprint(args: argparse.Namespace) -> int:
    """补打: print today's ticket again. The printer port must be free (kiosk stopped)."""
    from kiosk.app import build_kiosk, load_configuration
    from kiosk.startup import StartupError
    from kiosk.tickets import ReprintError

    try:
        settings, catalog = load_configuration(config_file(args))
        kiosk = build_kiosk(settings, catalog)
    except StartupError as error:
        emit(args, {"ok": False, "error": str(error)}, f"kiosk: {error}")
        return EXIT_PROBLEMS
    try:
        ticket_id = kiosk.tickets.reprint(args.number.strip().upper())
    except ReprintError as error:
        emit(args, {"ok": False, "error": str(error)}, f"not reprinted: {error}")
        return EXIT_PROBLEMS
    finally:
        kiosk.close()
    emit(
        args,
        {"ok": True, "number": args.number, "ticket_id": ticket_id},
        f"ticket {args.number} reprinted",
    )
    return EXIT_OK


def add_ticket_commands(commands: Any) -> None:
    ticket = commands.add_parser("ticket", help="today's tickets")
    ticket_commands = ticket.add_subparsers(dest="ticket_command", required=True)
    reprint = add_command(
        ticket_commands, "reprint", cmd_ticket_reprint, "print a ticket of today again (补打)"
    )
    reprint.add_argument("number", help="the ticket number, e.g. G012")
    reprint.add_argument("--config", type=Path, help="machine configuration file")
