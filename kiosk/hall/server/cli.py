"""`kiosk hall serve`, `kiosk hall token create|revoke|list` and `kiosk hall db
upgrade|current`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.clock import SystemClock
from kiosk.hall.api import CLIENT_ID_PATTERN
from kiosk.hall.province.config import ProvinceConfig, load_province
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.principal import (
    HALL_PATTERN,
    Principal,
    parse_windows,
    role_of,
    windows_text,
)
from kiosk.hall.server.store import Location
from kiosk.hall.server.store.base import database_versions, upgrade_database
from kiosk.hall.server.tokens import create_token, expiry_of, list_principals, revoke_token
from kiosk.queue import Change, DatabaseError
from kiosk.settings import ConfigError, Settings, default_machine_file, load_settings
from kiosk.sqlite import StorageError

DEFAULT_DB = Path("hall.sqlite3")
MAX_WORKERS = 64


def _settings(args: argparse.Namespace) -> Settings | None:
    file: Path | None = args.config or default_machine_file()
    try:
        return load_settings(file)
    except ConfigError as error:
        print("\n".join(str(problem) for problem in error.problems), file=sys.stderr)
        return None


def _hall_settings(args: argparse.Namespace) -> dict[str, Settings] | None:
    """--halls DIR: each DIR/<hall>.toml over the server's settings, as hall <hall>."""
    folder: Path | None = getattr(args, "halls", None)
    if folder is None:
        return {}
    if not folder.is_dir():
        print(f"kiosk: --halls {folder} is not a folder", file=sys.stderr)
        return None
    base: Path | None = args.config or default_machine_file()
    halls = {}
    for file in sorted(folder.glob("*.toml")):
        if not re.fullmatch(HALL_PATTERN, file.stem):
            print(f"kiosk: {file.name}: a hall id is 1-32 of A-Z a-z 0-9 _ -", file=sys.stderr)
            return None
        try:
            halls[file.stem] = load_settings(base, layers=[file])
        except ConfigError as error:
            print("\n".join(str(problem) for problem in error.problems), file=sys.stderr)
            return None
    return halls


def _province(path: Path, halls: dict[str, Settings]) -> ProvinceConfig | None:
    """The province file of `serve --province`; None (said why) when it cannot be used."""
    try:
        province = load_province(path)
    except ConfigError as error:
        print("\n".join(str(problem) for problem in error.problems), file=sys.stderr)
        return None
    unnamed = province.unnamed(halls)
    if unnamed:  # its records would wait for ever, or carry another hall's code
        print(
            f"kiosk: --province {path}: no [halls.HALL] codes for {', '.join(unnamed)}:"
            " each hall reports with its own hall_code",
            file=sys.stderr,
        )
        return None
    return province


def _db(args: argparse.Namespace) -> Location:
    """--db: a SQLite file, or a postgresql:// URL (when the parser keeps it a str)."""
    db: Location = args.db or DEFAULT_DB
    return db


def _print(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if args.json else text, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings is None:
        return 1
    if bool(args.tls_cert) != bool(args.tls_key):
        print("kiosk: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    from kiosk.hall.server.runner import serve  # the web framework: only to serve

    if not 2 <= args.offline_floor <= 1000:
        print("kiosk: --offline-floor is 2..1000 (1000: no offline range)", file=sys.stderr)
        return 2
    workers = getattr(args, "workers", 1)
    if not 1 <= workers <= MAX_WORKERS:
        print(f"kiosk: --workers is 1..{MAX_WORKERS}", file=sys.stderr)
        return 2
    halls = _hall_settings(args)
    if halls is None:
        return 1
    options = ServerOptions(
        public_url=args.public_url or "", offline_floor=args.offline_floor, halls=halls
    )
    if getattr(args, "province", None) is not None:  # 好差评 reported upward
        options.province = _province(args.province, halls)
        if options.province is None:
            return 1
    streams = getattr(args, "max_streams_per_address", None)
    if streams is not None:
        if streams < 1:
            print("kiosk: --max-streams-per-address is at least 1", file=sys.stderr)
            return 2
        options.max_streams_per_address = streams
    try:
        upgraded = [change for change in upgrade_database(_db(args)) if change.upgraded]
        if upgraded:  # a new database is created silently
            print(f"database upgraded: {', '.join(map(str, upgraded))}", flush=True)
        return serve(
            _db(args),
            settings,
            host=args.host,
            port=args.port,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            options=options,
            workers=workers,
            announce=lambda line: print(line, flush=True),
        )
    except (OSError, StorageError, DatabaseError, ConfigError) as error:
        print(f"kiosk: the hall server cannot start: {error}", file=sys.stderr)
        return 1


def cmd_token(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings is None:
        return 1
    db = _db(args)
    client_id = getattr(args, "client_id", None)
    if client_id is not None and not re.fullmatch(CLIENT_ID_PATTERN, client_id):
        print(f"kiosk: {client_id!r} is not a kiosk id (1-16 of A-Z a-z 0-9 _ -)", file=sys.stderr)
        return 2
    try:
        if args.token_command == "create":
            return _create(args, db, settings)
        if args.token_command == "revoke":
            if not revoke_token(db, args.client_id, settings):
                _print(args, {"revoked": False}, f"{args.client_id} has no token")
                return 1
            _print(args, {"revoked": True}, f"token of {args.client_id} revoked")
        else:
            tokens = list_principals(db, settings)
            _print(
                args,
                {"tokens": [{**_grants(p), "created_at": at} for p, at in tokens]},
                "\n".join(f"{p.client_id}  created {at}  {_shown(p)}" for p, at in tokens)
                or "no tokens",
            )
    except (StorageError, DatabaseError) as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    return 0


def _grants(principal: Principal) -> dict[str, Any]:
    expires = principal.expires_at
    return {
        "client_id": principal.client_id,
        "role": principal.role,
        "hall": principal.hall,
        "windows": windows_text(principal.windows),
        "expires_at": expires.isoformat() if expires else None,
    }


def _shown(principal: Principal) -> str:
    windows = windows_text(principal.windows) or "none"
    expires = principal.expires_at.isoformat() if principal.expires_at else "never"
    return f"{principal.role} of hall {principal.hall}, windows {windows}, expires {expires}"


def _create(args: argparse.Namespace, db: Location, settings: Settings) -> int:
    """`token create` with its grants, each checked before anything is stored."""
    try:
        role = role_of(args.role)
        windows = parse_windows(args.windows)
        if not re.fullmatch(HALL_PATTERN, args.hall):
            raise ValueError(f"--hall: {args.hall!r} is not a hall id (1-32 of A-Z a-z 0-9 _ -)")
        if windows and role != "kiosk":
            raise ValueError("--windows: only a kiosk token acts for windows (an admin: all)")
        zone = ZoneInfo(settings.kiosk.timezone)
        expires = expiry_of(args.expires, SystemClock().now(), zone) if args.expires else None
    except ValueError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    token = create_token(
        db, args.client_id, settings, role=role, hall=args.hall, windows=windows, expires_at=expires
    )
    principal = Principal(args.client_id, role, args.hall, windows, expires)
    _print(args, {**_grants(principal), "token": token}, token)
    return 0


def _changes(changes: list[Change]) -> dict[str, Any]:
    return {c.part: {"before": c.before, "after": c.after} for c in changes}


def cmd_db(args: argparse.Namespace) -> int:
    """The schema version of the hall server's database; `upgrade` brings it up to date."""
    db = _db(args)
    try:
        if args.db_command == "upgrade":
            changes = upgrade_database(db)
            _print(args, _changes(changes), "\n".join(map(str, changes)))
        else:
            found = database_versions(db)
            _print(
                args,
                found,
                "\n".join(f"{part} schema version {version}" for part, version in found.items()),
            )
    except (StorageError, DatabaseError) as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    return 0
