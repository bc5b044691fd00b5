"""`kiosk install-service` writes the unit of kiosk/systemd.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main


def test_cli_install_service_dry_run_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["install-service", "--dry-run"]) == 0
    assert "Restart=always" in capsys.readouterr().out
    assert main(["install-service", "--user", "--path", str(tmp_path), "--json"]) == 0
    assert '"ok": true' in capsys.readouterr().out
    assert (tmp_path / "hall-kiosk.service").exists()


def test_cli_install_service_runs_as_the_user_asked_with_the_configured_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    assert main(["install-service", "--dry-run", "--config", str(machine), "--run-as", "k7"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "User=k7" in lines
    assert f"ReadWritePaths={tmp_path / 'data'} -{tmp_path} -/media -/run/media" in lines


def test_cli_install_service_says_how_to_create_the_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["install-service", "--path", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "useradd --system" in out
    assert "hall-kiosk" in out
    assert "User=hall-kiosk" in (tmp_path / "hall-kiosk.service").read_text(encoding="utf-8")


def test_cli_install_service_refuses_a_broken_machine_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text("[ui]\ninactivity_seconds = 1\n", encoding="utf-8")
    assert main(["install-service", "--dry-run", "--config", str(machine)]) == 1
    assert "ui.inactivity_seconds" in capsys.readouterr().out
