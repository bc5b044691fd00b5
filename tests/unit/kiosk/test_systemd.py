"""Running under systemd: the unit file, sd_notify and the watchdog interval."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.systemd import (
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
    assert f"RestartPreventExitStatus={EXIT_LEFT_KIOSK}" in lines
    assert "ExecStart=/opt/kiosk/.venv/bin/kiosk --log-json run --config /etc/k.toml" in lines
    assert "Environment=QT_QPA_PLATFORM=eglfs" in lines
    assert "WantedBy=graphical.target" in lines


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
