"""`kiosk hall admin add|remove|list` through the real command line parser: the
password is read, never an argument, and only its hash is stored."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cli.main import main
from kiosk.clock import SystemClock
from kiosk.hall.server.dashboard.accounts import AdminAccounts
from kiosk.hall.server.store.base import database_at

PASSWORD = "tea-and-7-tax-forms"


def test_an_admin_added_from_stdin_can_sign_in_and_is_listed_then_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "hall.sqlite3"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["hall", "admin", "add", "manager", "--password-stdin", "--db", str(db)]) == 0
    assert capsys.readouterr().out == "admin manager of hall main added\n"
    database = database_at(db)
    try:
        assert AdminAccounts(database, SystemClock()).login("manager", PASSWORD).ok
        with database.read() as tx:
            assert PASSWORD not in str(tx.all("SELECT * FROM admins"))
    finally:
        database.close()
    assert main(["hall", "admin", "list", "--db", str(db), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["admins"]
    assert [(entry["name"], entry["hall"]) for entry in listed] == [("manager", "main")]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    east = ["hall", "admin", "add", "manager", "--password-stdin", "--hall", "east"]
    assert main([*east, "--db", str(db)]) == 0
    assert capsys.readouterr().out == "admin manager of hall east has a new password\n"
    assert main(["hall", "admin", "list", "--db", str(db)]) == 0
    assert capsys.readouterr().out.endswith("  hall east\n")
    assert main(["hall", "admin", "remove", "manager", "--db", str(db)]) == 0
    assert main(["hall", "admin", "remove", "manager", "--db", str(db)]) == 1
    assert "there is no admin manager" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "password", "why"),
    [("manager", "short\n", "10 to 256 characters"), ("two words", PASSWORD, "admin name")],
)
def test_a_weak_password_or_a_bad_name_is_refused_saying_why(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    password: str,
    why: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(password))
    db = tmp_path / "hall.sqlite3"
    assert main(["hall", "admin", "add", name, "--password-stdin", "--db", str(db)]) == 2
    assert why in capsys.readouterr().err
