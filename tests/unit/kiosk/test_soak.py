"""The soak's fault schedule and its audit, on hand-made evidence."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.soak.audit import (
    AuditResult,
    JournalTicket,
    KioskEvidence,
    ServerTicket,
    Vote,
    audit,
    integrity_ok,
    journal_tickets,
    slip_number,
)
from kiosk.soak.faults import FAULTS, FaultSpecError, parse_faults
from kiosk.soak.result import SoakResult

DAY = "2026-11-23"


# ---- --faults ----------------------------------------------------------------------------


def test_all_and_none() -> None:
    assert [fault.name for fault in parse_faults("all")] == sorted(
        FAULTS, key=lambda name: FAULTS[name][0]
    )
    assert parse_faults("none") == []
    assert parse_faults("") == []


def test_a_list_with_moments_is_sorted_by_moment() -> None:
    faults = parse_faults("server@0.7, paper@0.2,kiosk")
    assert [(fault.name, fault.at) for fault in faults] == [
        ("paper", 0.2),
        ("server", 0.7),
        ("kiosk", FAULTS["kiosk"][0]),
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("printer@0.2", "unknown fault 'printer'"),
        ("paper@1.5", "between 0 and 1"),
        ("paper@0", "between 0 and 1"),
        ("paper@soon", "'soon' is not a number"),
        ("paper,paper@0.3", "given twice"),
    ],
)
def test_a_bad_spec_says_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        parse_faults(spec)


# ---- the audit ---------------------------------------------------------------------------


def ticket(ticket_id: str, number: str, *outcomes: str) -> JournalTicket:
    return JournalTicket(ticket_id, number, "green", DAY, outcomes)


def held(ticket_id: str, number: str, status: str = "waiting", kiosk: str = "K01") -> ServerTicket:
    return ServerTicket(ticket_id, DAY, number, status, kiosk)


def good_hall() -> tuple[list[KioskEvidence], list[ServerTicket]]:
    k01 = KioskEvidence(
        "K01",
        [ticket("a", "G001", "printed"), ticket("b", "G002", "e_ticket")],
        ["G001"],
        resources={"threads": (5, 5), "fds": (20, 19), "timers": (0, 0)},
    )
    k02 = KioskEvidence("K02", [ticket("c", "G921", "voided")], [])
    server = [held("a", "G001"), held("b", "G002"), held("c", "G921", "void", "K02")]
    return [k01, k02], server


def test_a_clean_run_passes_with_its_counts() -> None:
    kiosks, server = good_hall()
    votes = [Vote(1, 5), Vote(2, 1)]
    result = audit(kiosks, server, votes, list(reversed(votes)), {"server": True})
    assert result.failures == []
    assert result.passed
    assert (result.tickets, result.printed, result.e_tickets, result.voided) == (3, 1, 1, 1)
    assert (result.duplicates, result.votes_pressed, result.votes_at_server) == (0, 2, 2)
    assert result.journals_ok
    assert not result.leaks


def test_a_number_issued_twice_on_a_day_fails() -> None:
    kiosks, server = good_hall()
    kiosks[1].tickets.append(ticket("d", "G001", "e_ticket"))
    server.append(held("d", "G001", kiosk="K02"))
    result = audit(kiosks, server, [], [], {})
    assert not result.passed
    assert result.duplicates == 1
    assert "numbers issued twice: G001 (2026-11-23)" in result.failures


def test_a_vote_pressed_but_missing_at_the_server_fails() -> None:
    kiosks, server = good_hall()
    result = audit(kiosks, server, [Vote(1, 5), Vote(3, 2)], [Vote(1, 5)], {})
    assert result.failures == ["votes pressed but not at the server: window 3 level 2 x1"]


def test_a_vote_recorded_twice_fails() -> None:
    kiosks, server = good_hall()
    result = audit(kiosks, server, [Vote(1, 5)], [Vote(1, 5), Vote(1, 5)], {})
    assert result.failures == ["votes at the server never pressed (or twice): window 1 level 5 x1"]


def test_a_number_printed_twice_fails() -> None:
    kiosks, server = good_hall()
    kiosks[0].printed_numbers.append("G001")
    result = audit(kiosks, server, [], [], {})
    assert result.failures == ["K01: printed twice: G001"]


def test_a_slip_that_never_came_out_and_a_ghost_slip_fail() -> None:
    kiosks, server = good_hall()
    kiosks[0].printed_numbers[:] = ["G002"]  # G001 journalled printed; G002 an e-ticket
    result = audit(kiosks, server, [], [], {})
    assert result.failures == [
        "K01: journalled as printed, never cut: G001",
        "K01: printed but not journalled as printed: G002",
    ]


def test_two_outcomes_or_none_fail_unless_a_kill_explains_it() -> None:
    kiosks, server = good_hall()
    kiosks[0].tickets.append(ticket("e", "G003", "printed", "voided"))
    kiosks[1].tickets.append(ticket("f", "G922"))
    server += [held("e", "G003", "void"), held("f", "G922", "reserved", "K02")]
    kiosks[0].printed_numbers.append("G003")
    result = audit(kiosks, server, [], [], {})
    assert "K01: G003 has 2 outcomes" in result.failures
    assert "K02: 1 reservation(s) without an outcome" in result.failures
    kiosks[0].tickets.pop()
    kiosks[0].printed_numbers.pop()
    kiosks[1].kills = 1  # cut short by the SIGKILL: counted apart
    result = audit(kiosks, server, [], [], {})
    assert result.failures == []
    assert result.interrupted == 1


def test_the_server_must_agree_and_hold_every_ticket() -> None:
    kiosks, server = good_hall()
    server[0] = held("a", "G001", "reserved")
    del server[1]
    result = audit(kiosks, server, [], [], {})
    assert result.failures == [
        "K01: G001 is printed, the server says reserved",
        "K01: G002 never reached the server",
    ]


def test_leaks_and_damaged_journals_fail() -> None:
    kiosks, server = good_hall()
    kiosks[0].resources = {"threads": (5, 7), "fds": (20, 20)}
    result = audit(kiosks, server, [], [], {"server": True, "K02 journal": False})
    assert result.leaks
    assert not result.journals_ok
    assert result.failures == [
        "K01: threads leaked (5 before, 7 after)",
        "integrity check failed: K02 journal",
    ]


def test_journal_events_become_tickets_with_their_outcomes() -> None:
    events = [
        ("ticket.reserved", "a", {"number": "G001", "queue": "green", "business_day": DAY}),
        ("kiosk.started", None, {}),
        ("ticket.reserved", "b", {"number": "A001", "queue": "comprehensive", "business_day": DAY}),
        ("ticket.printed", "a", {"number": "G001"}),
        ("ticket.reprinted", "a", {"number": "G001"}),
        ("ticket.e_ticket", "b", {"number": "A001"}),
    ]
    assert journal_tickets(events) == [
        JournalTicket("a", "G001", "green", DAY, ("printed",)),
        JournalTicket("b", "A001", "comprehensive", DAY, ("e_ticket",)),
    ]


def test_the_number_on_a_slip() -> None:
    assert slip_number("上海市税务局\n您的号码\nG012\n前面还有 3 人") == "G012"
    assert slip_number("办事指南\n请携带身份证") is None


def test_integrity_check_of_a_good_a_broken_and_a_missing_file(tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite3"
    with sqlite3.connect(good) as db:
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(100)])
    db.close()
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    assert integrity_ok(good)
    assert not integrity_ok(broken)
    assert not integrity_ok(tmp_path / "missing.sqlite3")


def test_the_verdict_line_and_a_fault_that_was_not_injected() -> None:
    counts = AuditResult(tickets=212, printed=201, e_tickets=9, voided=2, votes_pressed=87)
    counts.votes_at_server = 87
    result = SoakResult(
        2.0, 3, counts, 6, ["paper", "cover", "reader", "keypad", "server", "kiosk"], {}, None
    )
    assert result.passed
    assert result.verdict() == (
        "soak: PASS 2.0 min, 3 kiosks, 212 tickets (201 printed, 9 e-tickets, 2 voided), "
        "0 duplicates, 87 votes (87 at server), 6 faults, journals ok, no leaks"
    )
    short = SoakResult(2.0, 1, counts, 6, ["paper"], {}, None)
    assert not short.passed
    assert short.verdict().splitlines() == [
        "soak: FAIL 2.0 min, 1 kiosk, 212 tickets (201 printed, 9 e-tickets, 2 voided), "
        "0 duplicates, 87 votes (87 at server), 1 faults of 6, journals ok, no leaks",
        "  - 1 of 6 faults were injected",
    ]
    assert short.as_json()["faults_injected"] == 1
