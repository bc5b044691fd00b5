"""`kiosk install-service`: the systemd unit that runs the kiosk (kiosk/systemd.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import EXIT_OK, EXIT_PROBLEMS, add_command, emit
from kiosk import systemd
from kiosk.settings import SYSTEM_MACHINE_FILE, ConfigError, load_settings


def _data_directory(args: argparse.Namespace) -> Path | None:
    """--data-dir, else the machine file's kiosk.data_dir (None: systemd's state directory)."""
    if args.data_dir is not None:
        return Path(args.data_dir).resolve()
    if args.config is None:
        return None
    return load_settings(args.config).kiosk.data_dir


def cmd_install_service(args: argparse.Namespace) -> int:
    """A systemd unit: restart always (not on a configuration error), a watchdog fed
    by the GUI event loop; a system unit runs as its own user, hardened."""
    try:
        data_directory = _data_directory(args)
    except ConfigError as error:
        problems = [str(problem) for problem in error.problems]
        emit(args, {"ok": False, "problems": problems}, "\n".join(problems))
        return EXIT_PROBLEMS
    options = systemd.UnitOptions(
        executable=systemd.kiosk_executable(),
        user_unit=args.user,
        config_file=args.config.resolve() if args.config else None,
        qt_platform=args.qt_platform,
        display=args.display,
        run_as=args.run_as,
        data_directory=data_directory,
    )
    if args.dry_run:
        print(systemd.unit_text(options), end="")
        return EXIT_OK
    try:
        path = systemd.install_unit(options, args.path)
    except OSError as error:
        emit(args, {"ok": False, "error": str(error)}, f"unit not written: {error}")
        return EXIT_PROBLEMS
    scope = "--user " if args.user else ""
    first = (
        ""
        if args.user
        else f"first, once: {systemd.user_creation(options)}\n"
        f"  and give {args.run_as} the machine file: chown -R {args.run_as}: "
        f"{(options.config_file or SYSTEM_MACHINE_FILE).parent}\n"
    )
    emit(
        args,
        {"ok": True, "unit": str(path), "user": None if args.user else args.run_as},
        f"wrote {path}\n{first}then: systemctl {scope}daemon-reload && "
        f"systemctl {scope}enable --now {systemd.UNIT_NAME}",
    )
    return EXIT_OK


def add_install_service_command(commands: Any) -> None:
    service = add_command(commands, "install-service", cmd_install_service, "write a systemd unit")
    service.add_argument("--user", action="store_true", help="a user unit (~/.config/systemd)")
    service.add_argument("--path", type=Path, help="directory for the unit file")
    service.add_argument("--dry-run", action="store_true", help="print the unit, write nothing")
    service.add_argument("--config", type=Path, help="machine configuration file for kiosk run")
    service.add_argument("--qt-platform", help="QT_QPA_PLATFORM, e.g. eglfs without X/Wayland")
    service.add_argument("--display", help="DISPLAY for an X session, e.g. :0")
    service.add_argument(
        "--run-as",
        default=systemd.KIOSK_USER,
        help=f"the system unit's user and group (default {systemd.KIOSK_USER}; create it once)",
    )
    service.add_argument(
        "--data-dir",
        type=Path,
        help="the only writable data directory (default: kiosk.data_dir, else /var/lib/hall-kiosk)",
    )
