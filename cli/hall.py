"""`kiosk hall`: the reference hall server, its tokens, and this kiosk's link to it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import EXIT_OK, EXIT_PROBLEMS, add_command, emit, settings_or_say_why


def cmd_hall_serve(args: argparse.Namespace) -> int:
    from kiosk.hall.server.cli import cmd_serve  # FastAPI is loaded only when serving

    return cmd_serve(args)


def cmd_hall_token(args: argparse.Namespace) -> int:
    from kiosk.hall.server.cli import cmd_token

    return cmd_token(args)


def cmd_hall_db(args: argparse.Namespace) -> int:
    from kiosk.hall.server.cli import cmd_db

    return cmd_db(args)


def cmd_hall_report(args: argparse.Namespace) -> int:
    from kiosk.hall.server.evaluation_cli import cmd_report_evaluations

    return cmd_report_evaluations(args)


def cmd_hall_province(args: argparse.Namespace) -> int:
    from kiosk.hall.server.evaluation_cli import cmd_province

    return cmd_province(args)


def cmd_hall_admin(args: argparse.Namespace) -> int:
    from kiosk.hall.server.dashboard.admins import admin_command

    return admin_command(args, args.db or Path("hall.sqlite3"))


def cmd_hall_status(args: argparse.Namespace) -> int:
    """The kiosk's side of the hall link: reachable or not, and what waits to be sent."""
    from kiosk.hall.http import hall_link_report

    settings = settings_or_say_why(args)
    if settings is None:
        return EXIT_PROBLEMS
    report = hall_link_report(settings)
    lines = [f"{key}: {value}" for key, value in report.items() if value is not None]
    emit(args, report, "\n".join(lines))
    return EXIT_OK if report.get("online", True) else EXIT_PROBLEMS


def database_location(text: str) -> Path | str:
    """`--db`: a SQLite file, or a PostgreSQL URL kept as it is (a Path would fold its //)."""
    if text.startswith(("postgresql://", "postgres://")):
        return text
    return Path(text)


DB_HELP = "SQLite file (default hall.sqlite3) or postgresql://USER@HOST/DB"


def add_grant_arguments(command: argparse.ArgumentParser) -> None:
    """What a new token may do (checked by kiosk.hall.server.cli)."""
    command.add_argument("--role", default="kiosk", help="kiosk (default), display or admin")
    command.add_argument("--hall", default="main", help="the hall it belongs to (default main)")
    command.add_argument(
        "--windows", default="", help="windows a kiosk may act for: 1-13 or 1,3,5-7 (none)"
    )
    command.add_argument(
        "--expires", help="2027-06-30 (through that day), 2027-06-30T18:00, 90d or 12h"
    )


def add_hall_commands(commands: Any) -> None:
    hall = commands.add_parser("hall", help="the reference hall server and its tokens")
    hall_commands = hall.add_subparsers(dest="hall_command", required=True)
    hall_serve = add_command(
        hall_commands, "serve", cmd_hall_serve, "run the reference hall server"
    )
    hall_serve.add_argument("--db", type=database_location, help=DB_HELP)
    hall_serve.add_argument("--host", default="127.0.0.1")
    hall_serve.add_argument("--port", type=int, default=8470, help="0: any free port")
    hall_serve.add_argument("--config", type=Path, help="settings file (queues, hall, catalog)")
    hall_serve.add_argument("--tls-cert", type=Path, help="PEM certificate: serve HTTPS")
    hall_serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    hall_serve.add_argument("--public-url", help="base URL of the ticket-status page links")
    hall_serve.add_argument(
        "--halls",
        type=Path,
        help="folder of one settings file per hall (H1.toml: hall H1) over --config's",
    )
    hall_serve.add_argument(
        "--offline-floor",
        type=int,
        default=900,
        help="numbers from here to 999 are the kiosks' own offline ranges (default 900)",
    )
    hall_serve.add_argument(
        "--province", type=Path, help="report 好差评 to this province platform (TOML)"
    )
    hall_serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (default 1; more for many halls)",
    )
    hall_serve.add_argument(
        "--max-streams-per-address",
        type=int,
        help="open event streams one client address may hold (default 32; 429 beyond)",
    )
    add_evaluation_commands(hall_commands)
    hall_token = hall_commands.add_parser("token", help="kiosk bearer tokens")
    token_commands = hall_token.add_subparsers(dest="token_command", required=True)
    for name, help_text in (
        ("create", "a new token for a kiosk (printed once)"),
        ("revoke", "revoke a kiosk's token"),
        ("list", "the kiosks that have a token"),
    ):
        token_command = add_command(token_commands, name, cmd_hall_token, help_text)
        if name != "list":
            token_command.add_argument("client_id", metavar="KIOSK_ID")
        token_command.add_argument("--db", type=database_location, help=DB_HELP)
        token_command.add_argument("--config", type=Path, help="settings file")
        if name == "create":
            add_grant_arguments(token_command)
    hall_db = hall_commands.add_parser("db", help="the hall server database's schema version")
    db_commands = hall_db.add_subparsers(dest="db_command", required=True)
    for name, help_text in (
        ("upgrade", "bring the database's tables up to this version (before -> after)"),
        ("current", "the schema version of the database"),
    ):
        db_command = add_command(db_commands, name, cmd_hall_db, help_text)
        db_command.add_argument("--db", type=database_location, help=DB_HELP)
    hall_status = add_command(
        hall_commands,
        "status",
        cmd_hall_status,
        "this kiosk's link to the hall server: online or not, records waiting to be sent",
    )
    hall_status.add_argument("--config", type=Path, help="machine configuration file")
    add_admin_commands(hall_commands)


def add_evaluation_commands(hall_commands: Any) -> None:
    """`kiosk hall report evaluations` and `kiosk hall province check|export` (好差评)."""
    report = hall_commands.add_parser("report", help="reports of the hall server's data")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    evaluations = add_command(
        report_commands,
        "evaluations",
        cmd_hall_report,
        "the period's evaluations per window, staff and matter, with 差评 and overdue follow-ups",
    )
    evaluations.add_argument("--from", dest="first", required=True, help="YYYY-MM-DD")
    evaluations.add_argument("--to", dest="last", required=True, help="YYYY-MM-DD")
    evaluations.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    evaluations.add_argument("--output", type=Path, help="a file (default: stdout)")
    evaluations.add_argument("--db", type=database_location, help=DB_HELP)
    evaluations.add_argument("--config", type=Path, help="settings file")
    evaluations.add_argument("--hall", default="main", help="the hall reported (default main)")
    province = hall_commands.add_parser("province", help="the province 好差评 platform")
    province_commands = province.add_subparsers(dest="province_command", required=True)
    check = add_command(
        province_commands, "check", cmd_hall_province, "check a province's configuration"
    )
    check.add_argument("file", type=Path, help="the province's TOML file")
    export = add_command(
        province_commands, "export", cmd_hall_province, "write a day's CSV (the fallback)"
    )
    export.add_argument("file", type=Path, help="the province's TOML file")
    export.add_argument("--day", required=True, help="YYYY-MM-DD")
    export.add_argument("--folder", type=Path, help="default: the file's export_dir")
    export.add_argument("--db", type=database_location, help=DB_HELP)
    export.add_argument("--config", type=Path, help="settings file")
    export.add_argument(
        "--hall", help="the hall exported (needed when the database holds several halls)"
    )


def add_admin_commands(hall_commands: Any) -> None:
    """`kiosk hall admin add|remove|list`: the dashboard's admins."""
    hall_admin = hall_commands.add_parser("admin", help="the dashboard's admin accounts")
    admin_commands = hall_admin.add_subparsers(dest="admin_command", required=True)
    listed = add_command(admin_commands, "list", cmd_hall_admin, "the admins")
    add = add_command(
        admin_commands, "add", cmd_hall_admin, "add an admin, or set a new password (asked twice)"
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--password-stdin", action="store_true", help="read the password as one line")
    add.add_argument("--hall", default="main", help="the hall whose figures it sees (default main)")
    remove = add_command(
        admin_commands, "remove", cmd_hall_admin, "remove an admin and end their sessions"
    )
    remove.add_argument("name", metavar="NAME")
    for command in (add, remove, listed):
        command.add_argument("--db", type=database_location, help=DB_HELP)
