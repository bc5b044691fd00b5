from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.journal import Journal
from kiosk.sqlite import StorageError


def test_events_are_durable_and_queued_for_delivery(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path, FakeClock())
    journal.record("ticket.reserved", {"number": "G001"}, ticket_id="t1")
    journal.record("ticket.printed", {"number": "G001"}, ticket_id="t1")
    journal.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopened = Journal(path, FakeClock())
    assert [event.kind for event in reopened.events("t1")] == ["ticket.reserved", "ticket.printed"]
    assert reopened.pending_outbox() == 2
    assert reopened.integrity_ok()
    reopened.close()


def test_export_writes_one_json_object_per_line(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3", FakeClock())
    journal.record("kiosk.started", {"kiosk": "K01"})
    journal.record("ticket.printed", {"number": "G001", "note": "中文"}, ticket_id="t1")
    out = tmp_path / "journal.jsonl"
    assert journal.export_json_lines(out) == 2
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["kiosk.started", "ticket.printed"]
    assert lines[1]["note"] == "中文"
    journal.close()


def test_a_data_directory_that_is_a_file_gives_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError, match=r"cannot create the data directory .*data"):
        Journal(blocker / "journal.sqlite3", FakeClock())


def test_newest_of_kinds_takes_the_prefix_literally_and_keeps_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3", FakeClock())
    for kind in ("audit.menu_entered", "auditXsetting", "audit.setting", "ticket.printed"):
        journal.record(kind, {"n": kind})
    journal.record("audit.menu_left", {})
    newest = journal.newest_of_kinds("audit.", 2)
    assert [event.kind for event in newest] == ["audit.setting", "audit.menu_left"]
    assert [e.kind for e in journal.newest_of_kinds("audit.", 10)] == [
        "audit.menu_entered",
        "audit.setting",
        "audit.menu_left",
    ]
    assert journal.newest_of_kinds("audit%", 10) == []
    journal.close()
