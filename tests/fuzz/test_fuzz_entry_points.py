"""The atheris entry points in fuzz/ still run: each on its seeds and a few edge inputs."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.__main__ import TARGETS

ROOT = Path(__file__).resolve().parents[2]
EDGES = [b"", b"\x00", b"\xff", b"\r\n" * 4, b"\xff\x68" * 20, b"\xaa\xaa\xaa\x96\x69" * 3]


def test_every_entry_point_module_is_a_target() -> None:
    modules = {path.stem.removeprefix("fuzz_") for path in (ROOT / "fuzz").glob("fuzz_*.py")}
    assert modules == set(TARGETS)


@pytest.mark.parametrize("name", TARGETS)
def test_entry_point_runs_on_its_seeds(name: str) -> None:
    module = importlib.import_module(f"fuzz.fuzz_{name}")
    assert module.SEEDS, "an entry point needs seeds for its corpus"
    assert callable(module.main)
    for data in [*module.SEEDS, *EDGES]:
        module.fuzz_one_input(data)


def test_the_runner_lists_the_targets_without_atheris() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fuzz", "--list"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == list(TARGETS)
    unknown = subprocess.run(
        [sys.executable, "-m", "fuzz", "nonesuch"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=30,
    )
    assert unknown.returncode == 2
    assert "unknown fuzz target" in unknown.stderr
