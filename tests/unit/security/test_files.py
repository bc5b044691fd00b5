"""Trust no client (#15): the files that hold secrets or taxpayers' visits are the
kiosk user's alone, and a save never widens who may read the machine file."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cli.main import main
from kiosk.atomic_file import write_atomically
from kiosk.clock import FakeClock
from kiosk.config_store import ConfigStore
from kiosk.hall.http.link_file import LinkFile
from kiosk.hall.local import LocalHall
from kiosk.hall.server.store.base import database_at
from kiosk.journal import Journal
from kiosk.settings import load_settings

MACHINE_FILE = """\
# Hall 3, kiosk by the door. Ask Li Wei before changing the printer.
[kiosk]
id = "K07"   # the number on the case

[ui]
# long idle time: older visitors read slowly
inactivity_seconds = 90.0
"""


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask of a stock Debian: without care, new files are world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


# ---- the machine file --------------------------------------------------------------------


def set_pin(machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("864209\n"))
    assert main(["config", "set-pin", "--pin-stdin", "--config", str(machine)]) == 0


def test_set_pin_creates_a_private_machine_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine = tmp_path / "kiosk.toml"
    set_pin(machine, monkeypatch)
    assert mode_of(machine) == 0o600


def test_a_new_machine_file_holding_the_hall_token_is_private(tmp_path: Path) -> None:
    machine = tmp_path / "kiosk.toml"
    ConfigStore(machine).save({"hall.token": "s3cret-token"})
    assert mode_of(machine) == 0o600


@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_set_pin_keeps_the_mode_and_the_comments_of_the_machine_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text(MACHINE_FILE, encoding="utf-8")
    machine.chmod(mode)
    set_pin(machine, monkeypatch)
    text = machine.read_text(encoding="utf-8")
    assert text.startswith(MACHINE_FILE)  # comments, spacing and order as they were
    assert 'pin_hash = "scrypt$' in text
    assert mode_of(machine) == mode
    last_good = machine.with_name("kiosk.toml.last-good")
    assert last_good.read_text(encoding="utf-8") == MACHINE_FILE
    assert mode_of(last_good) == mode


def test_the_menus_save_keeps_the_mode_and_the_comments(tmp_path: Path) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text(MACHINE_FILE, encoding="utf-8")
    machine.chmod(0o600)
    ConfigStore(machine).save({"ui.inactivity_seconds": 120.0, "hall.token": "s3cret-token"})
    text = machine.read_text(encoding="utf-8")
    assert "# long idle time: older visitors read slowly\ninactivity_seconds = 120.0" in text
    assert 'id = "K07"   # the number on the case' in text
    assert mode_of(machine) == 0o600
    assert mode_of(machine.with_name("kiosk.toml.last-good")) == 0o600


def test_the_candidate_file_is_private_while_it_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text(MACHINE_FILE, encoding="utf-8")
    seen: list[int] = []
    real_load = load_settings

    def spying_load(file: Path | None, **kwargs: object) -> object:
        if file is not None and file.name.endswith(".candidate"):
            seen.append(mode_of(file))
        return real_load(file, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("kiosk.config_store.load_settings", spying_load)
    ConfigStore(machine).save({"hall.token": "s3cret-token"})
    assert seen == [0o600]


def test_an_atomic_rewrite_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"{}")
    path.chmod(0o600)
    write_atomically(path, b'{"failures": 1}')
    assert mode_of(path) == 0o600
    assert path.read_bytes() == b'{"failures": 1}'


# ---- the databases -----------------------------------------------------------------------

Opener = Callable[[Path], object]


def open_journal(path: Path) -> object:
    return Journal(path, FakeClock())


def open_link_file(path: Path) -> object:
    return LinkFile(path)


def open_embedded_hall(path: Path) -> object:
    return LocalHall(path, load_settings(None), FakeClock())


def open_hall_server_database(path: Path) -> object:
    return database_at(path)


@pytest.mark.parametrize(
    "opener", [open_journal, open_link_file, open_embedded_hall, open_hall_server_database]
)
def test_a_new_database_and_its_wal_are_private(tmp_path: Path, opener: Opener) -> None:
    path = tmp_path / "data" / "db.sqlite3"
    database = opener(path)
    try:
        assert mode_of(path) == 0o600
        for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            if companion.exists():
                assert mode_of(companion) == 0o600
    finally:
        database.close()  # type: ignore[attr-defined]


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    open_journal(path).close()  # type: ignore[attr-defined]
    path.chmod(0o640)
    open_journal(path).close()  # type: ignore[attr-defined]
    assert mode_of(path) == 0o640
