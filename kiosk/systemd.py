"""Running under systemd: the unit file and the watchdog.

`kiosk install-service` writes a unit with `Type=notify`: the kiosk says READY=1
once its window is up, then WATCHDOG=1 from a timer of the GUI event loop. A hung
event loop stops feeding the watchdog and systemd restarts the kiosk; a crash, or
the menu's "restart", exits with EXIT_RESTART and systemd starts it again.
"Leave kiosk mode" exits with EXIT_LEFT_KIOSK and a configuration error at start
with EXIT_CONFIG, which the unit exempts from the automatic restart
(RestartPreventExitStatus): restarting cannot fix them.

A system unit runs the kiosk as its own user (default `hall-kiosk`, made once by
the administrator, see `USER_CREATION`), without new privileges, on a read-only
file system but for its data directory and the machine file's directory.

sd_notify is a datagram on the unix socket named by $NOTIFY_SOCKET (a leading @
means the abstract namespace): no library is needed.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from kiosk.settings import SYSTEM_MACHINE_FILE

EXIT_RESTART = 75  # EX_TEMPFAIL: systemd restarts the kiosk
EXIT_LEFT_KIOSK = 64  # the technician left kiosk mode: no restart
EXIT_CONFIG = 78  # EX_CONFIG: the configuration is wrong at start: no restart
WATCHDOG_SECONDS = 30
UNIT_NAME = "hall-kiosk.service"
SYSTEM_UNIT_DIR = Path("/etc/systemd/system")
KIOSK_USER = "hall-kiosk"
STATE_DIRECTORY = Path("/var/lib") / KIOSK_USER  # systemd's StateDirectory=hall-kiosk
# The serial ports (dialout), the USB printer (lp) and the screen (video, input).
USER_CREATION = (
    "useradd --system --user-group --home-dir {home} --shell /usr/sbin/nologin"
    " --groups dialout,lp,video,input {user}"
)


def user_unit_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def kiosk_executable() -> Path:
    """The venv's `kiosk` script beside the running interpreter."""
    return Path(sys.executable).parent / "kiosk"


@dataclass(frozen=True)
class UnitOptions:
    executable: Path
    user_unit: bool = False
    config_file: Path | None = None
    working_directory: Path | None = None
    watchdog_seconds: int = WATCHDOG_SECONDS
    qt_platform: str | None = None  # e.g. "eglfs" on a machine without X or Wayland
    display: str | None = None
    run_as: str = KIOSK_USER  # a system unit's user and group (a user unit runs as its owner)
    data_directory: Path | None = None  # kiosk.data_dir; None: systemd's state directory


def user_creation(options: UnitOptions) -> str:
    """The command that makes the unit's user, for the administrator to run once."""
    home = options.data_directory or STATE_DIRECTORY
    return USER_CREATION.format(home=shlex.quote(str(home)), user=shlex.quote(options.run_as))


def _hardening(options: UnitOptions) -> list[str]:
    """A system unit: its own user, no new privileges, a read-only system but for the
    data directory, the machine file's directory (the technician menu saves there) and
    removable media (the menu's CSV export); `-`: no error while a path is missing."""
    config_dir = (options.config_file or SYSTEM_MACHINE_FILE).parent
    data = options.data_directory or STATE_DIRECTORY
    lines = [
        f"# Create the user once: {user_creation(options)}",
        f"User={options.run_as}",
        f"Group={options.run_as}",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        f"ReadWritePaths={shlex.quote(str(data))} -{shlex.quote(str(config_dir))}"
        " -/media -/run/media",
        "UMask=0077",
    ]
    if options.data_directory is None:
        # systemd makes /var/lib/hall-kiosk, the user's and private; the kiosk's
        # default data path (XDG_DATA_HOME/hall-kiosk) then points there.
        lines += [
            f"StateDirectory={STATE_DIRECTORY.name}",
            "StateDirectoryMode=0700",
            f"Environment=XDG_DATA_HOME={STATE_DIRECTORY.parent}",
        ]
    return lines


def unit_text(options: UnitOptions) -> str:
    command = [str(options.executable), "--log-json", "run"]
    if options.config_file is not None:
        command += ["--config", str(options.config_file)]
    environment = ["PYTHONUNBUFFERED=1"]
    if options.qt_platform:
        environment.append(f"QT_QPA_PLATFORM={options.qt_platform}")
    if options.display:
        environment.append(f"DISPLAY={options.display}")
    lines = [
        "[Unit]",
        "Description=Tax service hall kiosk (取号机)",
        "After=graphical.target" if options.user_unit else "After=graphical.target network.target",
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        "Type=notify",
        "NotifyAccess=main",
        f"ExecStart={shlex.join(command)}",
        *[f"Environment={shlex.quote(item)}" for item in environment],
        "Restart=always",
        "RestartSec=3",
        f"RestartPreventExitStatus={EXIT_LEFT_KIOSK} {EXIT_CONFIG}",
        f"WatchdogSec={options.watchdog_seconds}",
        "TimeoutStartSec=120",
        "TimeoutStopSec=20",
    ]
    if not options.user_unit:
        lines += _hardening(options)
    if options.working_directory is not None:
        lines.append(f"WorkingDirectory={options.working_directory}")
    lines += [
        "",
        "[Install]",
        "WantedBy=graphical-session.target" if options.user_unit else "WantedBy=graphical.target",
        "",
    ]
    return "\n".join(lines)


def install_unit(options: UnitOptions, directory: Path | None = None) -> Path:
    target_dir = directory or (user_unit_dir() if options.user_unit else SYSTEM_UNIT_DIR)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / UNIT_NAME
    path.write_text(unit_text(options), encoding="utf-8")
    return path


class Notifier:
    """sd_notify: a no-op when not started by systemd ($NOTIFY_SOCKET unset)."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def notify(self, message: str) -> bool:
        if not self.address:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            if self._socket is None:
                self._socket = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                )
                # Never block the GUI thread: with the queue full the message is dropped.
                self._socket.setblocking(False)
            self._socket.sendto(message.encode("utf-8"), target)
        except OSError:
            return False
        return True

    def ready(self) -> bool:
        return self.notify("READY=1")

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def watchdog_interval_seconds(default: float = WATCHDOG_SECONDS / 2) -> float:
    """Half of what systemd asked for ($WATCHDOG_USEC), as its manual advises."""
    try:
        usec = int(os.environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return default
    return max(usec / 2_000_000, 0.5) if usec > 0 else default


def under_systemd() -> bool:
    return bool(os.environ.get("INVOCATION_ID") or os.environ.get("NOTIFY_SOCKET"))
