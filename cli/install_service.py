"""`kiosk install-service`: the systemd unit that runs the kiosk (kiosk/systemd.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import EXIT_OK, EXIT_PROBLEMS, add_command, emit
from kiosk import systemd


def cmd_install_service(args: argparse.Namespace) -> int:
    """A systemd unit: restart always, a watchdog fed by the GUI event loop."""
    options = systemd.UnitOptions(
        executable=systemd.kiosk_executable(),
        user_unit=args.user,
        config_file=args.config.resolve() if args.config else None,
        qt_platform=args.qt_platform,
        display=args.display,
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
    emit(
        args,
        {"ok": True, "unit": str(path)},
        f"wrote {path}\nthen: systemctl {scope}daemon-reload && "
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
