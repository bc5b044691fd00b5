"""A throwaway PostgreSQL cluster for the tests, on 127.0.0.1 and a free port.

`initdb` into a fresh temporary directory, then `pg_ctl -w start` with the unix
socket in that directory too; stopped (`-m immediate`) and removed at the end.
PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the
`postgres` user that Debian's package creates and its programs run through
`runuser -u postgres --`. Each test gets its own schema (`fresh_url`), which is
much faster than a database each.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from urllib.parse import quote

import psycopg

INSTALL_HINT = (
    "PostgreSQL's server programs (initdb, pg_ctl) are not installed:"
    " run tools/system-deps.sh (it installs Debian's postgresql package)"
)
SERVER_USER = "postgres"
START_SECONDS = 60

# Settings for a cluster that is thrown away: durability costs time and buys nothing.
_THROWAWAY = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresMissing(RuntimeError):
    pass


def server_programs() -> Path:
    """The directory of initdb and pg_ctl: Debian keeps them off PATH, per version."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda found: int(found.parts[-3]) if found.parts[-3].isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    raise PostgresMissing(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresCluster:
    """A running cluster; `url` reaches its `postgres` database as the superuser."""

    def __init__(self) -> None:
        self.programs = server_programs()
        as_root = os.geteuid() == 0
        if as_root:
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PostgresMissing(f"no {SERVER_USER} user; {INSTALL_HINT}") from None
        self._run_as = ["runuser", "-u", SERVER_USER, "--"] if as_root else []
        # Its own directory under /tmp: a pytest tmp_path is not reachable by postgres.
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        if as_root:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.port = _free_port()
        self.url = f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/postgres"
        try:
            self._program(
                "initdb", "-D", str(self.data), "-A", "trust", "-U", SERVER_USER,
                "-E", "UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            self._program(
                "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                "-t", str(START_SECONDS), "-w", "start",
                "-o", f"-p {self.port} -k {self.root} -h 127.0.0.1 {_THROWAWAY}",
            )  # fmt: skip
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _program(self, name: str, *arguments: str) -> None:
        command = [*self._run_as, str(self.programs / name), *arguments]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr}{tail}")

    def fresh_url(self, *settings: str) -> str:
        """The URL of a new, empty schema: a database of its own for one test, its
        connections with the server `settings` given ("lock_timeout=500")."""
        schema = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
        return self.url_of(schema, *settings)

    def url_of(self, schema: str, *settings: str) -> str:
        options = " ".join(f"-c{setting}" for setting in (f"search_path={schema}", *settings))
        return f"{self.url}?options={quote(options)}"

    def stop(self) -> None:
        try:
            self._program("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def reserve_numbers(
    url: str, count: int, start: Barrier, taken: Queue[list[int] | str], day_start: datetime
) -> None:
    """A hall server's worker process: its own pool, `count` green numbers reserved
    one transaction each; puts on `taken` the numbers it got, or why it failed."""
    from kiosk.clock import FakeClock
    from kiosk.postgres import PostgresDatabase
    from kiosk.queue import QUEUE_MIGRATIONS, QueueEngine, upgrade
    from kiosk.settings import load_settings

    engine = QueueEngine(load_settings(), FakeClock(day_start))
    green = engine.queue("green")
    numbers = []
    try:
        database = PostgresDatabase(url)
        upgrade(database, QUEUE_MIGRATIONS)  # made by the test: nothing left to apply
        start.wait(START_SECONDS)
        for _ in range(count):
            with database.transaction() as tx:
                numbers.append(engine.issue(tx, green, ["M0201"], "K01").ticket.seq)
        database.close()
    except Exception as error:
        taken.put(f"{type(error).__name__}: {error}")  # the test fails at once, saying so
        raise
    taken.put(numbers)
