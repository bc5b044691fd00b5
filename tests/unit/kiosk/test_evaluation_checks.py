from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main


def test_config_check_names_what_is_wrong_in_the_reasons_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reasons = tmp_path / "reasons.toml"
    reasons.write_text(
        '[[reasons]]\ncode = "slow"\ncategory = "speed"\nname = { zh = "慢", en = "Slow" }\n'
        '[[reasons]]\ncode = "slow"\ncategory = "other"\nname = { zh = "慢", en = "Slow" }\n',
        encoding="utf-8",
    )
    holidays = tmp_path / "holidays.toml"
    holidays.write_text('[years.2031]\noff = ["2031-10-01"]\n', encoding="utf-8")
    machine = tmp_path / "kiosk.toml"
    machine.write_text(
        f'[evaluation]\nreasons = "{reasons}"\nhall_holidays = "{holidays}"\n', encoding="utf-8"
    )
    assert main(["config", "check", "--json", str(machine)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [problem["key"] for problem in report["problems"]] == ["reasons.0.category"]
    reasons.write_text(reasons.read_text(encoding="utf-8").replace("speed", "efficiency"))
    assert main(["config", "check", "--json", str(machine)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [problem["reason"] for problem in report["problems"]] == [
        "the code 'slow' is used twice"
    ]


def test_the_shipped_files_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert all("holiday calendar" in note for note in report["notes"])
