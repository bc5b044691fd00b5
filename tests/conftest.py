"""Shared fixtures. Qt runs offscreen; nothing here touches the network beyond
127.0.0.1 (a throwaway PostgreSQL cluster, started by the first test that asks).

Property tests: under CI (`CI` set, as `.ci/run` is run) hypothesis draws the same
examples on every run, so a fresh clone is green or red by its code, never by luck.
Wide random exploration belongs to `make fuzz`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers.postgres import PostgresCluster, PostgresMissing

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL cluster for the session; `fresh_url()` gives a test its schema.
    Never skipped: a machine without PostgreSQL fails here, naming the fix."""
    try:
        cluster = PostgresCluster()
    except PostgresMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's data live, once in a SQLite file and once in a PostgreSQL
    schema of its own (a postgresql:// URL)."""
    if request.param == "sqlite":
        return tmp_path / "hall.sqlite3"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.fresh_url()


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """`kiosk` commands run in-process set up logging on the test's captured stderr,
    which pytest closes after the test: the root logger's handlers and level are put
    back, so a thread of a later test never writes to a closed stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
