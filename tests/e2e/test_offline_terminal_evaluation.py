"""The kiosk screen's evaluation never lost when the hall server is away (a real hall
server on loopback, real kiosks over real SQLite files): the server stopped, the
taxpayer rates on the kiosk's screen and is told it is recorded; the kiosk restarted
over the same files, the server started again on the same address, the evaluation
arrives in the typed evaluations table exactly once. The online call's answer lost
(the server kept it): the kiosk keeps it too, and the delivery names the same
evaluation: kept once. Delivered twice (the kiosk died
after the server answered, before it marked the record sent): kept once. Refused for
good (the ticket was never served): the outbox item ends with a log line without the
ticket's id, and is not retried."""

from __future__ import annotations

import logging
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.app import Kiosk, build_kiosk, load_configuration
from kiosk.evaluation_state import OFFLINE_EVALUATION_KIND
from kiosk.hall import api
from kiosk.hall.http.client import HttpHall
from kiosk.hall.http.deliveries import send_records
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import Settings, load_settings
from kiosk.terminal_backends import HttpTerminal, terminal_evaluations
from kiosk.terminal_evaluation import Step, TerminalVisit, TicketCode, message
from tests.helpers.reply_dropper import ReplyDropper
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.e2e
WAIT = 30.0


@dataclass
class Hall:
    """The server's files and address; `running` while it is up."""

    db: Path
    settings: Settings
    port: int
    kiosk_token: str
    admin_token: str
    running: RunningHall | None = None

    def start(self) -> None:
        self.running = start_in_thread(self.db, self.settings, port=self.port)

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None

    def served(self, finish: bool = True) -> str:
        """A green ticket of kiosk K01, called and finished at window 1."""
        assert self.running is not None
        url = self.running.url
        kiosk = httpx.Client(base_url=url, headers=_bearer(self.kiosk_token), timeout=WAIT)
        admin = httpx.Client(base_url=url, headers=_bearer(self.admin_token), timeout=WAIT)
        with kiosk, admin:
            body = {"queue_code": "green", "idempotency_key": uuid.uuid4().hex}
            ticket = kiosk.post(api.PATH_RESERVE, json=body).json()
            path = api.PATH_COMMIT.format(ticket_id=ticket["ticket_id"])
            assert kiosk.post(path, json={}).is_success
            for action in ("call-next", "finish") if finish else ():
                assert admin.post(api.PATH_WINDOW_ACTION.format(window=1, action=action)).is_success
        return str(ticket["ticket_id"])

    def evaluations(self, ticket_id: str) -> list[tuple[Any, ...]]:
        """The typed table's rows of the ticket, read from the server's file."""
        assert self.running is not None
        with self.running.hall.store.db.read() as tx:
            rows = tx.all(
                "SELECT evaluation_id, client_id, channel, level, is_repeat, note"
                " FROM evaluations WHERE ticket_id = ?",
                (ticket_id,),
            )
            reasons = tx.all(
                "SELECT r.reason FROM evaluation_reasons r JOIN evaluations e"
                " ON e.evaluation_id = r.evaluation_id WHERE e.ticket_id = ? ORDER BY r.reason",
                (ticket_id,),
            )
        return [(*row, [str(r[0]) for r in reasons]) for row in rows]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    db = tmp_path / "hall.sqlite3"
    settings = load_settings()
    made = Hall(
        db,
        settings,
        0,
        create_token(db, "K01", settings, windows=range(1, 100)),
        create_token(db, "DASH", settings, role="admin"),
    )
    made.start()
    assert made.running is not None
    made.port = int(made.running.url.rsplit(":", 1)[1])
    yield made
    made.stop()


def kiosk_file(tmp_path: Path, hall: Hall, url: str | None = None) -> Path:
    folder = tmp_path / "K01"
    folder.mkdir(exist_ok=True)
    path = folder / "kiosk.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            [kiosk]
            id = "K01"
            data_dir = "{folder / "data"}"
            [hall]
            backend = "http"
            url = "{url or f"http://127.0.0.1:{hall.port}"}"
            token = "{hall.kiosk_token}"
            connect_timeout_seconds = 1
            request_timeout_seconds = 5
            sync_interval_seconds = 0.05
            [printer]
            port = "/nonexistent/printer"
            """
        ),
        encoding="utf-8",
    )
    return path


def screen_of(kiosk: Kiosk) -> TerminalVisit:
    evaluations = terminal_evaluations(kiosk)
    assert isinstance(evaluations, HttpTerminal)
    return TerminalVisit(evaluations, kiosk.clock)


def kept(kiosk: Kiosk) -> list[int]:
    """The outbox's undelivered offline evaluations (event ids)."""
    return [r.event_id for r in kiosk.journal.outbox_batch() if r.kind == OFFLINE_EVALUATION_KIND]


def rate_offline(kiosk: Kiosk, ticket_id: str) -> TerminalVisit:
    """非常不满意 with two reasons and a phrase, the hall server away: recorded."""
    visit = screen_of(kiosk)
    assert visit.begin(TicketCode(ticket_id)) is Step.LEVELS  # the kiosk checks alone
    assert visit.offline
    assert visit.pick_level(5) is Step.REASONS
    visit.toggle_reason("efficiency_wait")
    visit.toggle_reason("process_trips")
    visit.add_phrase("phrase_again", "zh")
    assert visit.send_content() is Step.RECORDED
    assert message("recorded").zh.startswith("您的评价已记录")
    assert "will be sent" in message("recorded").en
    assert len(kept(kiosk)) == 1
    return visit


def test_a_rating_made_while_the_server_is_down_arrives_once_after_both_restart(
    hall: Hall, tmp_path: Path
) -> None:
    ticket_id = hall.served()
    hall.stop()  # connection refused from now on
    config = kiosk_file(tmp_path, hall)
    kiosk = build_kiosk(*load_configuration(config))
    try:
        visit = rate_offline(kiosk, ticket_id)
        sync = kiosk.outbox_delivery
        assert sync is not None
        assert sync.cycle() is False  # no server: kept, tried again later
        assert len(kept(kiosk)) == 1
        again = screen_of(kiosk)  # the slip again, still offline: rated already
        assert again.begin(TicketCode(ticket_id)) is Step.ALREADY
    finally:
        kiosk.close()

    hall.start()  # the same file, the same address
    restarted = build_kiosk(*load_configuration(config))
    try:
        assert len(kept(restarted)) == 1  # survived the restart
        restarted.start_background()
        wait_for(lambda: not kept(restarted), WAIT, "the offline evaluation delivered")
        assert hall.evaluations(ticket_id) == [
            (
                visit.evaluation_id,
                "K01",
                "terminal",
                5,
                0,
                "希望一次办结",
                ["efficiency_wait", "process_trips"],
            )
        ]
        assert restarted.journal.refused_outbox() == []
        online = screen_of(restarted)
        assert online.begin(TicketCode(ticket_id)) is Step.ALREADY  # the server says so
        assert not online.offline
    finally:
        restarted.close()


def test_a_delivery_repeated_after_the_kiosk_died_before_marking_it_is_kept_once(
    hall: Hall, tmp_path: Path
) -> None:
    ticket_id = hall.served()
    hall.stop()
    config = kiosk_file(tmp_path, hall)
    kiosk = build_kiosk(*load_configuration(config))
    try:
        visit = rate_offline(kiosk, ticket_id)
        hall.start()
        assert isinstance(kiosk.hall, HttpHall)
        batch = kiosk.journal.outbox_batch()
        answer = send_records(kiosk.hall.wire, batch)  # the server stored and answered
        assert set(kept(kiosk)) <= set(answer.acknowledged)
        assert len(hall.evaluations(ticket_id)) == 1
    finally:
        kiosk.close()  # died before marking the batch delivered
    restarted = build_kiosk(*load_configuration(config))
    try:
        assert len(kept(restarted)) == 1  # still undelivered here: sent again
        sync = restarted.outbox_delivery
        assert sync is not None
        wait_for(lambda: sync.cycle() and not kept(restarted), WAIT, "delivered again")
        [row] = hall.evaluations(ticket_id)
        assert row[:5] == (visit.evaluation_id, "K01", "terminal", 5, 0)
    finally:
        restarted.close()


def test_a_rating_the_server_refuses_for_good_ends_with_a_log_line_and_no_retry(
    hall: Hall, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    waiting = hall.served(finish=False)  # never served: the server will refuse the rating
    hall.stop()
    config = kiosk_file(tmp_path, hall)
    kiosk = build_kiosk(*load_configuration(config))
    try:
        visit = screen_of(kiosk)
        assert visit.begin(TicketCode(waiting)) is Step.LEVELS
        assert visit.pick_level(1) is Step.RECORDED  # the kiosk cannot know: it keeps it
        [event_id] = kept(kiosk)
        hall.start()
        sync = kiosk.outbox_delivery
        assert sync is not None
        with caplog.at_level(logging.ERROR, logger="kiosk.hall.outbox_delivery"):
            wait_for(lambda: sync.cycle() and not kept(kiosk), WAIT, "the refusal")
        refused = dict(kiosk.journal.refused_outbox())
        assert refused[event_id].startswith("409 ticket_id: the ticket was not served")
        assert sync.cycle() is True  # nothing left to retry
        assert kept(kiosk) == []
        lines = [r.getMessage() for r in caplog.records if "refused outbox record" in r.message]
        assert lines == [f"the hall server refused outbox record {event_id}: {refused[event_id]}"]
        assert waiting not in caplog.text  # the slip's id opens its page: never logged
        assert hall.evaluations(waiting) == []
    finally:
        kiosk.close()


def test_an_online_rating_whose_answer_was_lost_is_kept_and_arrives_once(
    hall: Hall, tmp_path: Path
) -> None:
    ticket_id = hall.served()
    assert hall.running is not None
    relay = ReplyDropper(hall.running.url)
    kiosk = build_kiosk(*load_configuration(kiosk_file(tmp_path, hall, relay.url)))
    try:
        visit = screen_of(kiosk)
        assert visit.begin(TicketCode(ticket_id)) is Step.LEVELS
        assert not visit.offline  # the server answered the scan
        relay.dropping.set()  # the vote reaches the server, its answer does not come back
        assert visit.pick_level(2) is Step.RECORDED
        assert relay.dropped >= 1
        assert [row[:5] for row in hall.evaluations(ticket_id)] == [
            (visit.evaluation_id, "K01", "terminal", 2, 0)
        ]
        relay.dropping.clear()
        sync = kiosk.outbox_delivery
        assert sync is not None
        wait_for(lambda: sync.cycle() and not kept(kiosk), WAIT, "the kept rating delivered")
        assert kiosk.journal.refused_outbox() == []
        assert [row[:5] for row in hall.evaluations(ticket_id)] == [
            (visit.evaluation_id, "K01", "terminal", 2, 0)
        ]
    finally:
        kiosk.close()
        relay.close()
