"""The kiosk screen's evaluation logic (kiosk/terminal_evaluation.py) on a real
embedded hall (SQLite, the journal, the windows' keypad bus emulated): steps, one
service one evaluation, the note's phrases, idleness."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app import EmulatedDevices, Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.clock import FakeClock
from kiosk.hall.base import TicketChannel
from kiosk.qr_evaluation import QrEvaluations
from kiosk.settings import load_settings
from kiosk.terminal_backends import EmbeddedTerminal, terminal_evaluations
from kiosk.terminal_evaluation import DONE_SECONDS, IDLE_SECONDS, Step, TerminalVisit, TicketCode
from kiosk.triage import ALWAYS_OPEN


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    settings = load_settings(
        overrides={"kiosk": {"data_dir": str(tmp_path / "data")}, "routing": ALWAYS_OPEN}
    )
    built = build_kiosk(
        settings,
        load_catalog(settings.catalog_path),
        clock=FakeClock(),
        emulated=EmulatedDevices(None),
    )
    yield built
    built.close()


def served(kiosk: Kiosk) -> str:
    reservation = kiosk.hall.reserve("green", ["M0202"], kiosk.settings.kiosk.id)
    kiosk.hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    kiosk.hall.call_next_at(1)
    kiosk.hall.finish_at(1)
    return reservation.ticket_id


def visit_of(kiosk: Kiosk) -> TerminalVisit:
    evaluations = terminal_evaluations(kiosk)
    assert isinstance(evaluations, EmbeddedTerminal)
    return TerminalVisit(evaluations, kiosk.clock)


def votes(kiosk: Kiosk, ticket_id: str) -> list[dict[str, object]]:
    return [e.payload for e in kiosk.journal.events(ticket_id) if e.kind == "evaluation.recorded"]


def test_a_good_rating_is_sent_at_once_and_a_second_visit_finds_it_rated(kiosk: Kiosk) -> None:
    ticket_id = served(kiosk)
    visit = visit_of(kiosk)
    assert visit.begin(TicketCode(ticket_id)) is Step.LEVELS
    assert visit.pick_level(2) is Step.THANKS
    assert visit.pick_level(1) is Step.THANKS  # no second vote from the same screen
    [vote] = votes(kiosk, ticket_id)
    assert (vote["channel"], vote["level"], vote["repeat"]) == ("terminal", 2, False)
    again = visit_of(kiosk)
    assert again.begin(TicketCode(ticket_id)) is Step.ALREADY
    assert again.send_content() is Step.ALREADY  # nothing to send there
    assert len(votes(kiosk, ticket_id)) == 1


def test_two_screens_at_once_keep_one_vote(kiosk: Kiosk) -> None:
    ticket_id = served(kiosk)
    first, second = visit_of(kiosk), visit_of(kiosk)
    first.begin(TicketCode(ticket_id))
    second.begin(TicketCode(ticket_id))
    assert first.pick_level(1) is Step.THANKS
    assert second.pick_level(3) is Step.ALREADY  # the hall said 409: rated meanwhile
    assert [vote["level"] for vote in votes(kiosk, ticket_id)] == [1]
    assert kiosk.windows is not None
    recorder = kiosk.windows.evaluations
    reasons = first.reasons
    assert QrEvaluations(recorder, kiosk.journal, reasons)._lock is (
        QrEvaluations(recorder, kiosk.journal, reasons)._lock
    )


def test_reasons_phrases_and_idleness(kiosk: Kiosk) -> None:
    ticket_id = served(kiosk)
    visit = visit_of(kiosk)
    visit.begin(TicketCode(ticket_id))
    assert visit.pick_level(4) is Step.REASONS
    with pytest.raises(KeyError):
        visit.toggle_reason("rude")
    visit.toggle_reason("other")
    visit.toggle_reason("other")  # a second tap takes it back
    assert visit.send_content() is Step.REASONS
    assert visit.problem.en == "Please choose at least one reason"
    assert votes(kiosk, ticket_id) == []
    visit.add_phrase("phrase_wait", "en")
    visit.add_phrase("phrase_wait", "en")  # each phrase once
    visit.add_phrase("phrase_again", "zh")
    assert visit.note == "Please shorten the wait 希望一次办结"
    visit.clear_note()
    assert visit.note == ""
    clock = kiosk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(IDLE_SECONDS - 1)
    assert not visit.idle()
    visit.toggle_reason("integrity")
    assert visit.send_content() is Step.NOTED
    clock.advance(DONE_SECONDS)
    assert visit.idle()  # the thanks do not stay for long


def test_an_embedded_hall_without_keypads_keeps_no_evaluations(tmp_path: Path) -> None:
    settings = load_settings(overrides={"kiosk": {"data_dir": str(tmp_path / "data")}})
    built = build_kiosk(settings, load_catalog(settings.catalog_path), clock=FakeClock())
    try:
        assert built.windows is None
        assert terminal_evaluations(built) is None
    finally:
        built.close()


def test_on_the_embedded_hall_the_rating_is_kept_across_a_restart(tmp_path: Path) -> None:
    settings = load_settings(
        overrides={"kiosk": {"data_dir": str(tmp_path / "data")}, "routing": ALWAYS_OPEN}
    )

    def started() -> Kiosk:
        return build_kiosk(
            settings,
            load_catalog(settings.catalog_path),
            clock=FakeClock(),
            emulated=EmulatedDevices(None),
        )

    first = started()
    try:
        ticket_id = served(first)
        embedded = terminal_evaluations(first)
        assert embedded is not None
        assert not embedded.keeps_offline  # the kiosk is the hall: kept at once
        visit = visit_of(first)
        assert visit.begin(TicketCode(ticket_id)) is Step.LEVELS
        assert visit.pick_level(4) is Step.REASONS
        visit.toggle_reason("other")
        assert visit.send_content() is Step.NOTED
    finally:
        first.close()
    again = started()  # the same files
    try:
        [vote] = votes(again, ticket_id)
        assert (vote["channel"], vote["level"]) == ("terminal", 4)
        assert visit_of(again).begin(TicketCode(ticket_id)) is Step.ALREADY
    finally:
        again.close()
