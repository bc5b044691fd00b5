"""The kiosk's hall-link file: offline numbers from leases first, then the own range."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.hall import api
from kiosk.hall.base import HallError
from kiosk.hall.http.link_file import LinkFile

DAY = "2026-11-23"


def test_leased_numbers_are_used_before_the_own_range_and_survive_reopening(
    tmp_path: Path,
) -> None:
    path = tmp_path / "link.sqlite3"
    book = LinkFile(path)
    book.add_blocks(DAY, [api.LeaseBlock(queue_code="green", prefix="A", first=10, last=11)])
    numbers = [book.take_offline(f"t{i}", DAY, "green", "A", (900, 901)) for i in range(3)]
    assert numbers == ["A010", "A011", "A900"]
    assert book.leased_left(DAY) == {}
    book.set_meta("clock_offset", "1.500")
    book.close()
    again = LinkFile(path)
    assert again.meta("clock_offset") == "1.500"
    assert again.take_offline("t3", DAY, "green", "A", (900, 901)) == "A901"
    with pytest.raises(HallError, match="no numbers left"):
        again.take_offline("t4", DAY, "green", "A", (900, 901))
    assert again.waiting_offline(DAY) == {"green": 4}
    again.close()


def test_an_online_ticket_is_kept_for_a_retry_until_the_server_takes_it(tmp_path: Path) -> None:
    book = LinkFile(tmp_path / "link.sqlite3")
    book.add_online("t1", DAY, "green", "A001", "http://hall/t/t1")
    assert book.reserved() == ["t1"]
    assert book.finish("t1", "commit", "printed", "") is False  # issued online
    assert book.pending() == [("t1", "commit", "printed", "")]
    with pytest.raises(HallError, match="is waiting"):
        book.finish("t1", "commit", "printed", "")
    book.taken("t1")
    assert book.pending() == []
    assert book.ticket("t1") == ("waiting", False)
    assert book.status_url("t1") == "http://hall/t/t1"
    book.close()


def test_old_days_are_forgotten_but_unsent_outcomes_are_kept(tmp_path: Path) -> None:
    book = LinkFile(tmp_path / "link.sqlite3")
    book.add_blocks("2026-11-01", [api.LeaseBlock(queue_code="green", prefix="A", first=1, last=5)])
    book.add_online("old", "2026-11-01", "green", "A001", "")
    book.add_online("unsent", "2026-11-01", "green", "A002", "")
    book.finish("unsent", "void", None, "paper out")
    book.forget_before(date(2026, 11, 23))
    assert book.leased_left("2026-11-01") == {}
    assert book.ticket("old") is None
    assert book.pending() == [("unsent", "void", None, "paper out")]
    book.close()
