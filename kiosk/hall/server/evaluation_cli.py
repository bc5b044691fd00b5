"""`kiosk hall report evaluations` (the period's evaluations per window, per staff and
per matter, with the 差评 and the overdue follow-ups), `kiosk hall province check`
and `kiosk hall province export` (the daily CSV, by hand)."""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from datetime import date
from pathlib import Path

from kiosk.atomic_file import write_atomically
from kiosk.clock import SystemClock
from kiosk.hall.province import export_day, load_province
from kiosk.hall.server.cli import _db, _settings
from kiosk.hall.server.principal import HALL_PATTERN
from kiosk.hall.server.store import HallStore
from kiosk.hall.server.store.evaluation_report import REPORT_COLUMNS, ReportRow
from kiosk.queue import DEFAULT_HALL, DatabaseError
from kiosk.settings import ConfigError, Settings
from kiosk.sqlite import StorageError

MAX_DAYS = 366


def report_csv(rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(row.as_row() for row in rows)
    return out.getvalue()


def report_xlsx(rows: list[ReportRow], first: date, last: date) -> bytes:
    from openpyxl import Workbook  # only when a workbook is asked for

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{first:%Y%m%d}-{last:%Y%m%d}"
    sheet.append(REPORT_COLUMNS)
    for row in rows:
        sheet.append(row.as_row())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _period(args: argparse.Namespace) -> tuple[date, date] | str:
    try:
        first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
    except ValueError:
        return "--from and --to are dates, YYYY-MM-DD"
    if last < first:
        return "--to is before --from"
    if (last - first).days >= MAX_DAYS:
        return f"at most {MAX_DAYS} days at a time"
    return first, last


def _store(args: argparse.Namespace, settings: Settings) -> HallStore | None:
    """The server's database as it is; None (said on stderr) when there is none."""
    db = _db(args)
    if isinstance(db, Path) and not db.is_file():
        print(f"kiosk: no hall server database at {db} (--db)", file=sys.stderr)
        return None
    # A report is of one hall (--hall); the province export of --hall, or of every one.
    return HallStore(db, settings, SystemClock(), hall=args.hall or DEFAULT_HALL)


def cmd_report_evaluations(args: argparse.Namespace) -> int:
    period = _period(args)
    if isinstance(period, str):
        print(f"kiosk: {period}", file=sys.stderr)
        return 2
    if not re.fullmatch(HALL_PATTERN, args.hall):
        print(f"kiosk: --hall: {args.hall!r} is not a hall id", file=sys.stderr)
        return 2
    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        print("kiosk: an xlsx report goes to --output FILE (or a redirect)", file=sys.stderr)
        return 2
    settings = _settings(args)
    if settings is None:
        return 1
    try:
        store = _store(args, settings)
        if store is None:
            return 1
        try:
            rows = store.evaluation_report(*period)
        finally:
            store.close()
    except (StorageError, DatabaseError) as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    data = report_xlsx(rows, *period) if args.format == "xlsx" else report_csv(rows).encode("utf-8")
    if args.output is not None:
        write_atomically(args.output, data, 0o600)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def cmd_province(args: argparse.Namespace) -> int:
    try:
        province = load_province(args.file)
    except ConfigError as error:
        print("\n".join(str(problem) for problem in error.problems), file=sys.stderr)
        return 1
    if args.province_command == "check":
        print(
            f"OK: {province.name or args.file} -> {province.url} "
            f"({len(province.mapping.evaluation)} evaluation fields, "
            f"{len(province.mapping.follow_up)} follow-up fields)"
        )
        return 0
    settings = _settings(args)
    if settings is None:
        return 1
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        print("kiosk: --day is a date, YYYY-MM-DD", file=sys.stderr)
        return 2
    if args.hall is not None and not re.fullmatch(HALL_PATTERN, args.hall):
        print(f"kiosk: --hall: {args.hall!r} is not a hall id", file=sys.stderr)
        return 2
    folder: Path = args.folder or province.export_dir or Path(".")
    try:
        store = _store(args, settings)
        if store is None:
            return 1
        try:
            halls = store.evaluation_halls()
            if args.hall is None and len(halls) > 1:
                print(_one_hall_please(halls, province.hall_fields["hall_code"]), file=sys.stderr)
                return 2
            unnamed = province.unnamed([args.hall] if args.hall else halls)
            if unnamed:
                print(_codes_please(unnamed), file=sys.stderr)
                return 2
            path = export_day(store, province, settings.kiosk.timezone, day, folder, args.hall)
        finally:
            store.close()
    except (StorageError, DatabaseError, OSError) as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


def _codes_please(halls: list[str]) -> str:
    return (
        f"kiosk: the province file has no codes for hall {', '.join(halls)}: add a"
        f" [halls.{halls[0]}] table with its hall_code (hall main uses the file's own)"
    )


def _one_hall_please(halls: list[str], hall_code: str) -> str:
    """Why a province export of a database of several halls needs --hall."""
    code = f" ({hall_code})" if hall_code else ""
    return (
        f"kiosk: this database holds the evaluations of {len(halls)} halls"
        f" ({', '.join(halls)}); a province file describes one hall{code}, whose codes"
        " go in every line: name it with --hall HALL"
    )
