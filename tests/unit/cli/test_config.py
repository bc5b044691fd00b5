"""`kiosk config set-pin`: a PIN under the policy, its hash only, in the machine file;
`kiosk config check` warns about a hash from before the policy."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cli.main import main
from kiosk.technician import PIN_POLICY

SET_PIN = ["config", "set-pin", "--pin-stdin", "--config"]


def set_pin(monkeypatch: pytest.MonkeyPatch, machine: Path, pin: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    return main([*SET_PIN, str(machine)])


def test_cli_set_pin_writes_only_a_hash_naming_the_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine = tmp_path / "kiosk.toml"
    assert set_pin(monkeypatch, machine, "864209") == 0
    text = machine.read_text(encoding="utf-8")
    assert 'pin_hash = "scrypt$' in text
    assert f'$policy{PIN_POLICY}"' in text
    assert "864209" not in text


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("12", "6 to 12 digits"),
        ("2468", "6 to 12 digits"),
        ("1234", "6 to 12 digits"),
        ("123456", "counting up or down"),
        ("000000", "one digit repeated"),
        ("121212", "a short group repeated"),
        ("147258", "most common PINs"),
        ("86420x", "digits 0-9 only"),
    ],
)
def test_cli_set_pin_refuses_a_pin_below_the_policy_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pin: str,
    reason: str,
) -> None:
    machine = tmp_path / "kiosk.toml"
    assert set_pin(monkeypatch, machine, "864209") == 0
    text = machine.read_text(encoding="utf-8")
    capsys.readouterr()
    assert set_pin(monkeypatch, machine, pin) == 1
    out = capsys.readouterr().out
    assert out.startswith("PIN not set: ")
    assert reason in out
    assert machine.read_text(encoding="utf-8") == text


def check(machine: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    capsys.readouterr()
    code = main(["config", "check", "--json", str(machine)])
    return code, json.loads(capsys.readouterr().out)


def test_cli_config_check_warns_about_a_hash_from_before_the_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = tmp_path / "kiosk.toml"
    assert set_pin(monkeypatch, machine, "864209") == 0
    code, report = check(machine, capsys)
    assert (code, report["ok"], report["warnings"]) == (0, True, [])
    # The same hash without its policy field: as `set-pin` wrote it before the policy.
    text = machine.read_text(encoding="utf-8")
    machine.write_text(text.replace(f"$policy{PIN_POLICY}", ""), encoding="utf-8")
    code, report = check(machine, capsys)
    assert code == 0  # a warning, not a problem: the old PIN still opens the menu
    assert report["ok"] is True
    warnings = report["warnings"]
    assert isinstance(warnings, list)
    assert len(warnings) == 1
    assert "older PIN policy" in warnings[0]
    assert main(["config", "check", str(machine)]) == 0
    assert "warning: technician.pin_hash was set under an older PIN policy" in (
        capsys.readouterr().out
    )
