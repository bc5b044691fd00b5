"""`kiosk hall token` and `kiosk hall db` on SQLite and PostgreSQL, through the real command
line parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.hall import database_location
from cli.main import main
from kiosk.hall.server.store.base import HALL_SERVER_PARTS
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
        f"{part.part} schema version 0" for part in HALL_SERVER_PARTS
    ]
    assert main(["hall", "db", "upgrade", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{part.part} schema version 0 -> {part.latest}" for part in HALL_SERVER_PARTS
    ]
    assert main(["hall", "db", "upgrade", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        part.part: {"before": part.latest, "after": part.latest} for part in HALL_SERVER_PARTS
    }
    assert main(["hall", "db", "current", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        part.part: part.latest for part in HALL_SERVER_PARTS
    }


def test_token_create_grants_a_role_a_hall_windows_and_an_expiry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hall.sqlite3")
    grants = ["--hall", "H1", "--windows", "1-3,7", "--expires", "2099-06-30"]
    assert main(["hall", "token", "create", "K01", "--db", db, "--json", *grants]) == 0
    created = json.loads(capsys.readouterr().out)
    assert (created["role"], created["hall"], created["windows"]) == ("kiosk", "H1", "1-3,7")
    assert created["expires_at"] == "2099-07-01T00:00:00+08:00"  # through that day, hall time
    assert main(["hall", "token", "create", "ADMIN1", "--db", db, "--role", "admin"]) == 0
    capsys.readouterr()
    assert main(["hall", "token", "list", "--db", db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].endswith("kiosk of hall H1, windows 1-3,7, expires 2099-07-01T00:00:00+08:00")
    assert listed[1].endswith("admin of hall main, windows none, expires never")


@pytest.mark.parametrize(
    ("grants", "reason"),
    [
        (["--role", "boss"], "role: 'boss' is not one of kiosk, display, admin"),
        (["--windows", "3-1"], "windows: '3-1' is not a range within 1-999"),
        (["--windows", "x"], "windows: 'x' is not a window number or a range like 1-13"),
        (["--role", "display", "--windows", "1"], "only a kiosk token acts for windows"),
        (["--hall", "no hall!"], "--hall: 'no hall!' is not a hall id"),
        (["--expires", "soon"], "--expires: 'soon' is not 90d, 12h, a day"),
        (["--expires", "2000-01-01"], "--expires: '2000-01-01' is already past"),
    ],
)
def test_token_create_refuses_bad_grants_storing_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], grants: list[str], reason: str
) -> None:
    db = str(tmp_path / "hall.sqlite3")
    assert main(["hall", "token", "create", "K01", "--db", db, *grants]) == 2
    assert reason in capsys.readouterr().err
    assert main(["hall", "token", "list", "--db", db]) == 0
    assert capsys.readouterr().out == "no tokens\n"


def test_serve_names_a_hall_file_it_cannot_use_and_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    halls = tmp_path / "halls"
    halls.mkdir()
    (halls / "H2.toml").write_text('[routing]\ndefault_queue = "nowhere"\n')
    db = str(tmp_path / "hall.sqlite3")
    assert main(["hall", "serve", "--db", db, "--port", "0", "--halls", str(halls)]) == 1
    assert "H2.toml: routing.default_queue: no queue has the code 'nowhere'" in (
        capsys.readouterr().err
    )
    (halls / "H2.toml").rename(halls / "east hall.toml")
    assert main(["hall", "serve", "--db", db, "--port", "0", "--halls", str(halls)]) == 1
    assert "east hall.toml: a hall id is 1-32 of A-Z a-z 0-9 _ -" in capsys.readouterr().err
    missing = str(tmp_path / "nowhere")
    assert main(["hall", "serve", "--db", db, "--port", "0", "--halls", missing]) == 1
    assert "is not a folder" in capsys.readouterr().err
    assert not Path(db).exists()  # nothing was started
