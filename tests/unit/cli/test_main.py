"""The `kiosk` command as a whole: a closed pipe ends any command quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cli.main import EXIT_BROKEN_PIPE

REPOSITORY = Path(__file__).resolve().parents[3]


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    """`kiosk config schema | head`: the reader left before the first byte was written."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now meets a closed pipe, deterministically
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cli", "config", "schema"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=REPOSITORY,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""  # no BrokenPipeError, no traceback
    assert done.returncode == EXIT_BROKEN_PIPE
