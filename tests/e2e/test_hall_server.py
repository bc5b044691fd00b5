"""`kiosk hall serve` as a hall runs it: a real process, killed and restarted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import IO

import httpx
import pytest

from kiosk.hall.api import identity_key_hash
from tests.helpers.migrating import make_605fcd2_server_database

pytestmark = pytest.mark.e2e

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


def start_server(db: Path, log: IO[str]) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "hall", "serve", "--db", str(db), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=ENV,
    )
    assert server.stdout is not None
    line = server.stdout.readline().strip()
    assert line.startswith("listening on http://127.0.0.1:"), line
    return server, line.removeprefix("listening on ")


def test_tokens_are_created_listed_and_revoked_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "hall.sqlite3")
    created = kiosk("hall", "token", "create", "K07", "--db", db, "--json")
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)["token"]
    assert len(token) >= 40
    listed = kiosk("hall", "token", "list", "--db", db)
    assert "K07" in listed.stdout
    assert token not in listed.stdout
    assert kiosk("hall", "token", "revoke", "K07", "--db", db).returncode == 0
    assert kiosk("hall", "token", "revoke", "K07", "--db", db).returncode == 1
    refused = kiosk("hall", "token", "create", "no such id!", "--db", db)
    assert refused.returncode == 2
    assert "is not a kiosk id" in refused.stderr


def test_a_server_killed_mid_load_restarts_with_every_commit_and_no_reused_number(
    tmp_path: Path,
) -> None:
    db = tmp_path / "hall.sqlite3"
    token = kiosk("hall", "token", "create", "K01", "--db", str(db)).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with (tmp_path / "server.log").open("w") as log:
        server, url = start_server(db, log)
        committed: list[dict[str, str]] = []
        enough = threading.Event()

        def load() -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=5) as client:
                while True:
                    try:
                        body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
                        ticket = client.post("/v1/tickets/reserve", json=body).json()
                        answer = client.post(f"/v1/tickets/{ticket['ticket_id']}/commit", json={})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if answer.status_code == 200:
                        committed.append(ticket)
                    if len(committed) >= 15:
                        enough.set()

        company = "91110105MA" + "00000012"  # fictitious, in config/taxpayers.toml
        lookup = {"kind": "credit_code", "key_hash": identity_key_hash(company)}
        profile = httpx.post(f"{url}/v1/profiles/lookup", json=lookup, headers=headers)
        assert profile.json()["credit_level"] == "A"
        worker = threading.Thread(target=load)
        worker.start()
        assert enough.wait(60)
        server.send_signal(signal.SIGKILL)
        assert server.wait(timeout=10) == -signal.SIGKILL
        worker.join(timeout=30)
        assert not worker.is_alive()

        server, url = start_server(db, log)
        try:
            port = url.rsplit(":", 1)[1]
            clash = kiosk("hall", "serve", "--db", str(tmp_path / "other.sqlite3"), "--port", port)
            assert clash.returncode == 1
            assert "cannot listen on 127.0.0.1" in clash.stderr
            assert "Traceback" not in clash.stderr
            with httpx.Client(base_url=url, headers=headers, timeout=5) as client:
                for ticket in committed:
                    status = client.get(f"/v1/tickets/{ticket['ticket_id']}").json()["status"]
                    assert status == "waiting", ticket["number"]
                body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
                fresh = client.post("/v1/tickets/reserve", json=body).json()["number"]
            issued = {ticket["number"] for ticket in committed}
            assert fresh not in issued
            assert int(fresh[1:]) > max(int(number[1:]) for number in issued)
        finally:
            server.send_signal(signal.SIGTERM)
            # uvicorn stops gracefully, then re-raises the signal it caught.
            assert server.wait(timeout=20) in (0, -signal.SIGTERM)
    text = (tmp_path / "server.log").read_text()
    assert "Finished server process" in text
    assert token not in text
    assert company not in text
    assert identity_key_hash(company) not in text


def test_serve_upgrades_a_database_of_an_older_version_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "hall.sqlite3"
    make_605fcd2_server_database(db)
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "hall", "serve", "--db", str(db), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    assert server.stdout is not None
    try:
        first, second = server.stdout.readline().strip(), server.stdout.readline().strip()
        assert first == (
            "database upgraded: queue schema version 0 -> 1, hall_server schema version 0 -> 1"
        )
        assert second.startswith("listening on http://127.0.0.1:"), second
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
    assert kiosk("hall", "db", "current", "--db", str(db)).stdout.splitlines() == [
        "queue schema version 1",
        "hall_server schema version 1",
        "dashboard schema version 2",
    ]
    tokens = kiosk("hall", "token", "list", "--db", str(db)).stdout
    assert tokens == "K01  created 2026-11-22T08:00:00+00:00\n"  # the rows kept
