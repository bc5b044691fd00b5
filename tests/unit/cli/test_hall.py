"""`kiosk hall token` and `kiosk hall db` on SQLite and PostgreSQL, through the real command
line parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.hall import database_location
from cli.main import main
from tests.helpers.migrating import make_605fcd2_server_database
from tests.helpers.postgres import PostgresCluster


def test_db_keeps_a_postgresql_url_whole_and_makes_anything_else_a_file() -> None:
    url = "postgresql://hall@127.0.0.1:5433/halls?options=-csearch_path%3Dh1"
    assert database_location(url) == url
    assert database_location("halls/hall.sqlite3") == Path("halls/hall.sqlite3")


def test_tokens_are_kept_in_a_postgresql_database(
    postgres_cluster: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_cluster.fresh_url()
    assert main(["hall", "token", "create", "K07", "--db", url, "--json"]) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    assert main(["hall", "token", "list", "--db", url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["tokens"]
    assert [entry["client_id"] for entry in listed] == ["K07"]
    assert token not in str(listed)


def test_an_unreachable_database_is_one_line_without_the_password(
    postgres_cluster: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://hall:secret@127.0.0.1:{postgres_cluster.port}/nowhere"
    assert main(["hall", "token", "list", "--db", url]) == 1
    error = capsys.readouterr().err
    assert error.startswith("kiosk: cannot use database nowhere at 127.0.0.1:")
    assert "secret" not in error


def test_db_current_and_upgrade_print_the_versions_before_and_after(
    database_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(database_location)
    make_605fcd2_server_database(database_location)
    assert main(["hall", "db", "current", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "queue schema version 0",
        "hall_server schema version 0",
        "dashboard schema version 0",
    ]
    assert main(["hall", "db", "upgrade", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "queue schema version 0 -> 1",
        "hall_server schema version 0 -> 1",
        "dashboard schema version 0 -> 2",
    ]
    assert main(["hall", "db", "upgrade", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "queue": {"before": 1, "after": 1},
        "hall_server": {"before": 1, "after": 1},
        "dashboard": {"before": 2, "after": 2},
    }
    assert main(["hall", "db", "current", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"queue": 1, "hall_server": 1, "dashboard": 2}
