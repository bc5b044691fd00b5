"""`kiosk hall token` on a PostgreSQL URL, through the server's command functions
(the top-level parser that reads --db lives in kiosk.cli)."""

from __future__ import annotations

import argparse
import json

import pytest

from kiosk.hall.server.cli import cmd_token
from kiosk.settings import CONFIG_DIR
from tests.helpers.postgres import PostgresCluster


def token_command(db: str, command: str, client_id: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(
        db=db,
        config=CONFIG_DIR / "kiosk.toml",
        token_command=command,
        client_id=client_id,
        json=True,
    )


def test_tokens_are_kept_in_a_postgresql_database(
    postgres_cluster: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_cluster.fresh_url()
    assert cmd_token(token_command(url, "create", "K07")) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    assert cmd_token(token_command(url, "list")) == 0
    listed = json.loads(capsys.readouterr().out)["tokens"]
    assert [entry["client_id"] for entry in listed] == ["K07"]
    assert token not in str(listed)


def test_an_unreachable_database_is_one_line_without_the_password(
    postgres_cluster: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://hall:secret@127.0.0.1:{postgres_cluster.port}/nowhere"
    assert cmd_token(token_command(url, "list")) == 1
    error = capsys.readouterr().err
    assert error.startswith("kiosk: cannot use database nowhere at 127.0.0.1:")
    assert "secret" not in error
