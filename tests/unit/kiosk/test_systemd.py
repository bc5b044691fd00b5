"""Running under systemd: the unit file, sd_notify and the watchdog interval."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.systemd import (
    EXIT_CONFIG,
    EXIT_LEFT_KIOSK,
    Notifier,
    UnitOptions,
    install_unit,
    unit_text,
    watchdog_interval_seconds,
)


def test_the_unit_restarts_always_and_has_a_watchdog() -> None:
    text = unit_text(
        UnitOptions(
            Path("/opt/kiosk/.venv/bin/kiosk"), config_file=Path("/etc/k.toml"), qt_platform="eglfs"
        )
    )
    lines = text.splitlines()
    assert "Type=notify" in lines
    assert "Restart=always" in lines
    assert "WatchdogSec=30" in lines
    assert f"RestartPreventExitStatus={EXIT_LEFT_KIOSK} {EXIT_CONFIG}" in lines
    assert "ExecStart=/opt/kiosk/.venv/bin/kiosk --log-json run --config /etc/k.toml" in lines
    assert "Environment=QT_QPA_PLATFORM=eglfs" in lines
    assert "WantedBy=graphical.target" in lines


def test_a_configuration_error_is_ex_config_and_never_restarted() -> None:
    assert EXIT_CONFIG == 78
    lines = unit_text(UnitOptions(Path("/x/kiosk"))).splitlines()
    restart_prevented = next(line for line in lines if line.startswith("RestartPrevent"))
    assert restart_prevented.split("=")[1].split() == ["64", "78"]


def test_the_system_unit_runs_as_its_own_user_on_a_read_only_system() -> None:
    lines = unit_text(
        UnitOptions(Path("/x/kiosk"), config_file=Path("/etc/hall-kiosk/kiosk.toml"))
    ).splitlines()
    assert "User=hall-kiosk" in lines
    assert "Group=hall-kiosk" in lines
    assert "NoNewPrivileges=yes" in lines
    assert "ProtectSystem=strict" in lines
    assert "PrivateTmp=yes" in lines
    assert "ReadWritePaths=/var/lib/hall-kiosk -/etc/hall-kiosk -/media -/run/media" in lines
    # the default data path (XDG_DATA_HOME/hall-kiosk) is systemd's private state directory
    assert "StateDirectory=hall-kiosk" in lines
    assert "StateDirectoryMode=0700" in lines
    assert "Environment=XDG_DATA_HOME=/var/lib" in lines
    assert any(line.startswith("# Create the user once: useradd --system") for line in lines)


def test_a_configured_data_directory_is_the_writable_one() -> None:
    lines = unit_text(
        UnitOptions(
            Path("/x/kiosk"),
            config_file=Path("/srv/kiosk/kiosk.toml"),
            run_as="kiosk7",
            data_directory=Path("/srv/kiosk/data"),
        )
    ).splitlines()
    assert "User=kiosk7" in lines
    assert "ReadWritePaths=/srv/kiosk/data -/srv/kiosk -/media -/run/media" in lines
    assert not any(line.startswith(("StateDirectory", "Environment=XDG")) for line in lines)


def test_a_user_unit_has_no_user_line() -> None:
    lines = unit_text(UnitOptions(Path("/x/kiosk"), user_unit=True)).splitlines()
    assert not any(line.startswith(("User=", "ProtectSystem=")) for line in lines)


def test_install_writes_the_unit_where_asked(tmp_path: Path) -> None:
    path = install_unit(UnitOptions(Path("/x/kiosk"), user_unit=True), tmp_path)
    assert path == tmp_path / "hall-kiosk.service"
    assert "WantedBy=graphical-session.target" in path.read_text(encoding="utf-8")


def test_sd_notify_over_a_real_datagram_socket(tmp_path: Path) -> None:
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(5)
        notifier = Notifier(address)
        assert notifier.ready()
        assert notifier.watchdog()
        assert server.recv(64) == b"READY=1"
        assert server.recv(64) == b"WATCHDOG=1"
        notifier.close()


def test_without_systemd_nothing_is_sent() -> None:
    assert not Notifier("").ready()


def test_watchdog_interval_is_half_of_what_systemd_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    assert watchdog_interval_seconds() == 10
    monkeypatch.setenv("WATCHDOG_USEC", "junk")
    assert watchdog_interval_seconds() == 15
