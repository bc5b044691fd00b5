"""The kiosk screen's evaluation through the hall server (a real server on loopback):
the kiosk calls the phone page's /t/{id}/evaluation with its token, and the server
keeps it as channel terminal with the kiosk's id; without a kiosk token it stays
channel qr. One service, one evaluation; an unreachable server is told calmly."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.evaluation_reasons import load_reasons
from kiosk.hall import api
from kiosk.hall.http.client import HttpHall
from kiosk.hall.link import HallLink
from kiosk.hall.outbox_delivery import OutboxDeliveryWorker
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.journal import Journal
from kiosk.settings import Settings, load_settings
from kiosk.terminal_backends import HttpTerminal
from kiosk.terminal_evaluation import Step, TerminalVisit, TicketCode

MORNING = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningHall]:
    hall = start_in_thread(tmp_path / "hall.sqlite3", load_settings(), clock=FakeClock(MORNING))
    yield hall
    hall.stop()


def kiosk_settings(url: str, token: str) -> Settings:
    return load_settings(
        overrides={
            "kiosk": {"id": "K01"},
            "hall": {
                "backend": "http",
                "url": url,
                "token": token,
                "connect_timeout_seconds": 1,
                "request_timeout_seconds": 5,
            },
        }
    )


@pytest.fixture
def terminal(running: RunningHall, tmp_path: Path) -> Iterator[HttpTerminal]:
    token = running.hall.store.create_token("K01")
    settings = kiosk_settings(running.url, token)
    clock = FakeClock(MORNING)
    hall = HttpHall(settings, tmp_path / "link.sqlite3", clock, HallLink(clock))
    yield HttpTerminal(hall.wire, load_reasons(settings))
    hall.close()


def served(running: RunningHall, kiosk_id: str = "K01") -> str:
    store = running.hall.store
    answer, _ = store.reserve(kiosk_id, uuid.uuid4().hex, "green", ["M0103"])
    store.commit(answer["ticket_id"], "printed")
    token = store.create_token("DASH", role="admin")
    with httpx.Client(
        base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as admin:
        for action in ("call-next", "finish"):
            assert admin.post(api.PATH_WINDOW_ACTION.format(window=1, action=action)).is_success
    return str(answer["ticket_id"])


def stored(running: RunningHall, ticket_id: str) -> tuple[Any, ...]:
    with running.hall.store.db.read() as tx:
        row = tx.one(
            "SELECT evaluation_id, client_id, channel, level, note FROM evaluations"
            " WHERE ticket_id = ? AND is_repeat = 0",
            (ticket_id,),
        )
        assert row is not None
        reasons = tx.all(
            "SELECT reason FROM evaluation_reasons WHERE evaluation_id = ? ORDER BY reason",
            (row[0],),
        )
    return row[1], row[2], row[3], row[4], [str(r[0]) for r in reasons]


def test_a_bad_review_on_the_kiosk_screen_is_channel_terminal_on_the_hall_server(
    running: RunningHall, terminal: HttpTerminal
) -> None:
    ticket_id = served(running, "K02")  # a slip of another kiosk of the hall: any kiosk rates
    visit = TerminalVisit(terminal, FakeClock(MORNING))
    assert visit.begin(TicketCode(ticket_id)) is Step.LEVELS
    assert visit.pick_level(5) is Step.REASONS
    visit.toggle_reason("attitude_unclear")
    visit.toggle_reason("policy_unclear")
    visit.add_phrase("phrase_explain", "zh")
    assert visit.send_content() is Step.NOTED
    assert stored(running, ticket_id) == (
        "K01",
        "terminal",
        5,
        "希望解释得更清楚",
        ["attitude_unclear", "policy_unclear"],
    )
    again = TerminalVisit(terminal, FakeClock(MORNING))
    assert again.begin(TicketCode(ticket_id)) is Step.ALREADY  # one service, one evaluation


def test_a_good_rating_needs_no_reasons_and_a_phone_without_token_stays_qr(
    running: RunningHall, terminal: HttpTerminal
) -> None:
    ticket_id = served(running)
    visit = TerminalVisit(terminal, FakeClock(MORNING))
    visit.begin(TicketCode(ticket_id))
    assert visit.pick_level(1) is Step.THANKS
    assert stored(running, ticket_id)[:3] == ("K01", "terminal", 1)
    phone = served(running)
    path = running.url + api.PATH_TICKET_EVALUATION.format(ticket_id=phone)
    assert httpx.post(path, json={"level": 2}, timeout=10).status_code == 200
    assert stored(running, phone)[:3] == ("qr", "qr", 2)


def test_an_unknown_slip_and_an_unreachable_server_are_problems_to_tell(
    running: RunningHall, terminal: HttpTerminal, tmp_path: Path
) -> None:
    visit = TerminalVisit(terminal, FakeClock(MORNING))
    assert visit.begin(TicketCode("no-such-ticket")) is Step.PROBLEM
    assert "未找到" in visit.problem.zh
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        settings = kiosk_settings(url, "t" * 32)
        clock = FakeClock(MORNING)
        hall = HttpHall(settings, tmp_path / "off.sqlite3", clock, HallLink(clock))
        try:
            away = TerminalVisit(HttpTerminal(hall.wire, load_reasons(settings)), clock)
            assert away.begin(TicketCode("abc")) is Step.PROBLEM
            assert "暂时无法提交" in away.problem.zh
        finally:
            hall.close()


def test_with_an_outbox_an_unreachable_server_keeps_the_rating_after_the_kiosks_checks(
    tmp_path: Path,
) -> None:
    with socket.socket() as closed:  # bound, not listening: every connection refused
        closed.bind(("127.0.0.1", 0))
        settings = kiosk_settings(f"http://127.0.0.1:{closed.getsockname()[1]}", "t" * 32)
        clock = FakeClock(MORNING)
        hall = HttpHall(settings, tmp_path / "off.sqlite3", clock, HallLink(clock))
        journal = Journal(tmp_path / "journal.sqlite3", clock)
        try:
            terminal = HttpTerminal(hall.wire, load_reasons(settings), journal)
            visit = TerminalVisit(terminal, clock)
            assert visit.begin(TicketCode("abc")) is Step.LEVELS
            assert visit.pick_level(4) is Step.REASONS
            with pytest.raises(KeyError):
                visit.toggle_reason("rude")  # only the hall's list
            assert visit.send_content() is Step.REASONS  # a 差评 needs a reason
            visit.toggle_reason("other")
            assert visit.send_content() is Step.RECORDED
            [record] = journal.outbox_batch()
            assert (record.kind, record.ticket_id) == ("evaluation.terminal", "abc")
            assert record.payload["evaluation_id"] == visit.evaluation_id
            again = TerminalVisit(terminal, clock)
            assert again.begin(TicketCode("abc")) is Step.ALREADY
            journal.close()  # the outbox cannot be written: told, the same step
            broken = TerminalVisit(terminal, clock)
            assert broken.begin(TicketCode("xyz")) is Step.LEVELS
            assert broken.pick_level(1) is Step.LEVELS
            assert "暂时无法提交" in broken.problem.zh
        finally:
            hall.close()


class _Broken(BaseHTTPRequestHandler):
    """A hall server that answers every request with `answer` (status, body)."""

    answer: tuple[int, bytes] = (503, b"")

    def _reply(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, body = self.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize("answer", [(503, b"{}"), (500, b"oops"), (200, b"<html>not json")])
def test_a_5xx_or_a_garbage_answer_keeps_the_rating_and_the_outbox_tries_again(
    answer: tuple[int, bytes], tmp_path: Path
) -> None:
    handler = type("Answering", (_Broken,), {"answer": answer})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    clock = FakeClock(MORNING)
    settings = kiosk_settings(f"http://127.0.0.1:{server.server_address[1]}", "t" * 32)
    link = HallLink(clock)
    hall = HttpHall(settings, tmp_path / "link.sqlite3", clock, link)
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    try:
        visit = TerminalVisit(HttpTerminal(hall.wire, load_reasons(settings), journal), clock)
        assert visit.begin(TicketCode("abc")) is Step.LEVELS
        assert visit.offline
        assert visit.pick_level(3) is Step.RECORDED
        worker = OutboxDeliveryWorker(journal, hall, link, clock, backoff_seconds=1.0)
        assert worker.cycle() is False
        assert worker.cycle() is False
        assert [record.kind for record in journal.outbox_batch()] == ["evaluation.terminal"]
        assert journal.refused_outbox() == []  # not refused: tried again, backing off
        assert 1.0 <= worker.next_delay() <= 2.0
    finally:
        journal.close()
        hall.close()
        server.shutdown()
        server.server_close()
