"""`kiosk hall admin add|remove|list`: the dashboard's admin accounts, without the
web server. A password is asked twice on a terminal (never an argument: it would
stay in the shell's history), or read as one line with --password-stdin."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from typing import TextIO

from kiosk.clock import SystemClock
from kiosk.hall.server.dashboard.accounts import (
    AccountError,
    AdminAccounts,
    check_name,
    check_password,
)
from kiosk.hall.server.principal import HALL_PATTERN
from kiosk.hall.server.store.base import Location, database_at, upgrade_database
from kiosk.queue import DatabaseError
from kiosk.sqlite import StorageError


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str:
    """The new password; AccountError when it is unusable or the two differ."""
    if from_stdin:
        return check_password((stdin or sys.stdin).readline().rstrip("\r\n"))
    first = getpass.getpass("new dashboard password: ")
    check_password(first)
    if getpass.getpass("the same again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def admin_command(args: argparse.Namespace, location: Location) -> int:
    """Runs `kiosk hall admin ...`; the exit status."""
    try:
        password = ""
        if args.admin_command == "add":
            check_name(args.name)
            if not re.fullmatch(HALL_PATTERN, args.hall):
                raise AccountError(f"--hall: {args.hall!r} is not a hall id")
            password = read_password(args.password_stdin)
        upgrade_database(location)
        database = database_at(location)
        try:
            accounts = AdminAccounts(database, SystemClock())
            if args.admin_command == "add":
                created = accounts.add(args.name, password, args.hall)
                data: dict[str, object] = {
                    "name": args.name,
                    "hall": args.hall,
                    "created": created,
                }
                done = "added" if created else "has a new password"
                text = f"admin {args.name} of hall {args.hall} {done}"
            elif args.admin_command == "remove":
                removed = accounts.remove(args.name)
                data, text = {"removed": removed}, f"admin {args.name} removed"
                if not removed:
                    print(f"kiosk: there is no admin {args.name}", file=sys.stderr)
                    return 1
            else:
                names = accounts.names()
                data = {
                    "admins": [{"name": n, "created_at": at, "hall": hall} for n, at, hall in names]
                }
                text = (
                    "\n".join(f"{n}  created {at}  hall {hall}" for n, at, hall in names)
                    or "no admins"
                )
        finally:
            database.close()
    except AccountError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    except (StorageError, DatabaseError, EOFError) as error:
        print(f"kiosk: {error or 'no password given'}", file=sys.stderr)
        return 1
    print(json.dumps(data, ensure_ascii=False) if args.json else text, flush=True)
    return 0
