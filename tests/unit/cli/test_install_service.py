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
