"""`kiosk sim soak`: a two-minute morning rush with every fault, audited.

Two kiosks (the real window offscreen, on the http backend), their emulated printers
and ID card readers, one keypad bus and a hall server, all real processes on ptys and
loopback. Six taxpayers a minute at each kiosk keeps a two-core machine comfortable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(420)  # about 2.5 min: the rush, the drain, the audit
def test_a_two_minute_soak_with_every_fault_passes_its_audit(tmp_path: Path) -> None:
    soak = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "sim",
            "soak",
            "--minutes",
            "2",
            "--rate",
            "6",
            "--kiosks",
            "2",
            "--faults",
            "all",
            "--keep",
            str(tmp_path),
            "--json",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KIOSK_CONFIG": ""},
    )
    try:
        stdout, stderr = soak.communicate(timeout=360)
    except subprocess.TimeoutExpired:
        soak.terminate()  # it stops every process it started
        stdout, stderr = soak.communicate(timeout=60)
        pytest.fail(f"the soak did not end in time: {stderr[-3000:]}")
    done = subprocess.CompletedProcess(soak.args, soak.returncode, stdout, stderr)
    assert done.stdout, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["verdict"].startswith("soak: PASS 2.0 min, 2 kiosks, "), (
        result["failures"],
        done.stderr[-3000:],
    )
    assert done.returncode == 0
    assert result["passed"] is True
    assert result["failures"] == []
    assert result["tickets"] > 0
    assert (
        result["tickets"]
        == result["printed"] + result["e_tickets"] + result["voided"] + (result["interrupted"])
    )
    assert result["printed"] > 0
    assert result["duplicates"] == 0
    assert result["votes_pressed"] > 0
    assert result["votes_at_server"] == result["votes_pressed"]
    assert result["faults_injected"] == result["faults_scheduled"] == 6
    assert result["journals_ok"] is True
    assert result["leaks"] is False
    # The work directory was kept: the server's db and both kiosks' journals are there.
    work = Path(result["work_dir"])
    assert work.parent == tmp_path
    assert (work / "server.sqlite3").exists()
    assert sorted(p.parent.parent.name for p in work.glob("K0*/data/journal.sqlite3")) == [
        "K01",
        "K02",
    ]


def test_a_bad_fault_spec_is_refused_with_a_clear_message() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "sim", "soak", "--faults", "printer@0.2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "KIOSK_CONFIG": ""},
    )
    assert done.returncode == 2
    assert "unknown fault 'printer'" in done.stderr
    assert "Traceback" not in done.stderr
