"""`kiosk hall serve` in a process of its own (a session of its own too, so that the
whole server, workers and all, can be killed at once as systemd would), and the
kiosks' tokens for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from typing import IO

from kiosk.hall.server.store import Location
from kiosk.hall.server.tokens import create_token
from kiosk.settings import load_settings

ENV = {**os.environ, "KIOSK_CONFIG": ""}


def kiosk_tokens(location: Location, count: int) -> dict[str, str]:
    """Tokens of kiosks K01..K{count}, by kiosk id."""
    settings = load_settings()
    ids = [f"K{index:02d}" for index in range(1, count + 1)]
    return {client_id: create_token(location, client_id, settings) for client_id in ids}


class HallProcess:
    def __init__(self, location: Location, log: IO[str], *options: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "hall",
                "serve",
                "--db",
                str(location),
                "--port",
                "0",
                *list(options),
            ],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=ENV,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        self.url = line.removeprefix("listening on ")

    def workers(self) -> list[int]:
        """The worker processes' ids (the parent's children)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def kill_all(self) -> None:
        """kill -9 of the parent and every worker at once (a crash, a power cut)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=20)
        # Workers still running after their parent went would hold the port.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code
