"""The `kiosk` command in a subprocess, as a technician runs it (no machine file)."""

from __future__ import annotations

import os
import subprocess
import sys

ENV = {**os.environ, "KIOSK_CONFIG": ""}


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=ENV,
    )
