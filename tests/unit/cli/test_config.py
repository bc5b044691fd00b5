"""`kiosk config set-pin`: the PIN's hash only, in the machine file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cli.main import main


def test_cli_set_pin_writes_only_a_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = tmp_path / "kiosk.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO("864209\n"))
    assert main(["config", "set-pin", "--pin-stdin", "--config", str(machine)]) == 0
    text = machine.read_text(encoding="utf-8")
    assert 'pin_hash = "scrypt$' in text
    assert "864209" not in text
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["config", "set-pin", "--pin-stdin", "--config", str(machine)]) == 1
    assert "4 to 12 digits" in capsys.readouterr().out
    assert machine.read_text(encoding="utf-8") == text
