"""HttpHall against a real hall server on loopback (uvicorn on a thread, port 0)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import FakeClock, SystemClock
from kiosk.hall import api
from kiosk.hall.base import HallError, HallEvent, HallEventKind, TicketChannel
from kiosk.hall.http import HttpHall
from kiosk.hall.link import HallLink
from kiosk.hall.outbox_delivery import OutboxDeliveryWorker
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.journal import Journal
from kiosk.settings import Settings, load_settings
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, IdentityKind


class Server:
    """A hall server that a test can stop and start again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.db = folder / "server.sqlite3"
        self.settings = load_settings()
        self.running: RunningHall | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.running = start_in_thread(self.db, self.settings, port=self.port)
        self.port = int(self.running.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None

    def token(self, kiosk_id: str) -> str:
        """A kiosk's token, granted every window (as a kiosk mastering the keypads)."""
        windows = {window for queue in self.settings.queues for window in queue.windows}
        return create_token(self.db, kiosk_id, self.settings, windows=windows)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    yield running
    running.stop()


def kiosk_settings(server: Server, kiosk_id: str = "K01", **hall: Any) -> Settings:
    return load_settings(
        overrides={
            "kiosk": {"id": kiosk_id},
            "hall": {
                "backend": "http",
                "url": server.url,
                "token": server.token(kiosk_id),
                "connect_timeout_seconds": 1,
                "request_timeout_seconds": 5,
                "sync_interval_seconds": 0.05,
                **hall,
            },
        }
    )


@pytest.fixture
def make_hall(tmp_path: Path) -> Iterator[Callable[..., HttpHall]]:
    halls: list[HttpHall] = []

    def make(settings: Settings, clock: Any = None, name: str = "k") -> HttpHall:
        clock = clock or SystemClock()
        hall = HttpHall(settings, tmp_path / f"{name}-link.sqlite3", clock, HallLink(clock))
        halls.append(hall)
        return hall

    yield make
    for hall in halls:
        hall.close()


def test_online_numbers_come_from_the_server_and_commit_puts_them_in_the_queue(
    server: Server, make_hall: Callable[..., HttpHall]
) -> None:
    hall = make_hall(kiosk_settings(server))
    first = hall.reserve("green", ["A01"], "K01")
    second = hall.reserve("green", ["A01"], "K01")
    assert (first.number, second.number) == ("G001", "G002")
    assert second.people_ahead == 1
    assert hall.ticket_status(first.ticket_id) == "reserved"
    hall.commit(first.ticket_id, TicketChannel.PRINTED)
    hall.void(second.ticket_id, "printer jammed")
    assert hall.ticket_status(first.ticket_id) == "waiting"
    assert hall.ticket_status(second.ticket_id) == "void"
    assert hall.queue_states()["green"].waiting == 1
    assert hall.link.online
    url = hall.ticket_status_url(first)
    assert url is not None
    assert url.endswith(f"/t/{first.ticket_id}")


def test_a_kiosk_clock_hours_wrong_keeps_the_servers_day_and_no_negative_wait(
    server: Server, tmp_path: Path
) -> None:
    # The kiosk thinks it is tomorrow, 23:50 in Shanghai; the server knows better.
    wrong = FakeClock(datetime.now(UTC) + timedelta(hours=30))
    settings = kiosk_settings(server)
    hall = HttpHall(settings, tmp_path / "again.sqlite3", wrong, HallLink(wrong))
    reservation = hall.reserve("comprehensive", [], "K01")
    server_day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert hall.business_day() == reservation.business_day == server_day
    assert wrong.now().astimezone(ZoneInfo("Asia/Shanghai")).date() != server_day
    assert abs((hall.clock.now() - datetime.now(UTC)).total_seconds()) < 5
    assert reservation.estimated_wait_minutes >= 0
    assert reservation.issued_at <= datetime.now(UTC) + timedelta(seconds=5)
    hall.close()
    # Restarted with the server down, it still knows how wrong its own clock is.
    server.stop()
    again = HttpHall(settings, tmp_path / "again.sqlite3", wrong, HallLink(wrong))
    try:
        offline = again.reserve("comprehensive", [], "K01")
    finally:
        again.close()
    assert offline.business_day == reservation.business_day
    assert offline.number == "A900"


def test_offline_a_kiosk_that_never_connected_uses_its_own_range(
    server: Server, make_hall: Callable[..., HttpHall]
) -> None:
    settings = kiosk_settings(server, "K02")
    server.stop()
    hall = make_hall(settings)
    numbers = [hall.reserve("green", [], "K02").number for _ in range(3)]
    assert numbers == ["G920", "G921", "G922"]
    status = hall.link.status()
    assert not status.online
    assert status.offline_since is not None
    assert status.last_error is not None
    assert hall.queue_states()["green"].waiting == 3  # this kiosk's own, approximate


def test_offline_numbers_come_from_the_leased_block_then_the_own_range(
    server: Server, make_hall: Callable[..., HttpHall]
) -> None:
    hall = make_hall(kiosk_settings(server, lease_size=3, offline_range="950-951"))
    online = hall.reserve("green", [], "K01")
    hall.maintain()  # leases a block for every queue
    assert hall.leased_left("green") == 3
    server.stop()
    offline = [hall.reserve("green", [], "K01").number for _ in range(23)]
    assert online.number == "G001"
    # The range the server assigned (maintain learnt it) wins over the configured one.
    assert offline == ["G002", "G003", "G004", *(f"G{n}" for n in range(900, 920))]
    with pytest.raises(HallError, match="no numbers left for queue green"):
        hall.reserve("green", [], "K01")
    server.start()
    hall.maintain()
    # The server jumped its counter past the block it leased.
    assert hall.reserve("green", [], "K01").number not in {*offline, online.number}


def test_offline_tickets_reach_the_server_through_the_outbox_once(
    server: Server, make_hall: Callable[..., HttpHall], tmp_path: Path
) -> None:
    clock = SystemClock()
    hall = make_hall(kiosk_settings(server))
    journal = Journal(tmp_path / "journal.sqlite3", clock)
    worker = OutboxDeliveryWorker(
        journal, hall, hall.link, clock, batch_size=2, maintain=hall.maintain
    )
    assert worker.cycle()
    server.stop()
    issued = []
    for _ in range(3):
        reservation = hall.reserve("newcomer", [], "K01")
        journal.record(
            "ticket.reserved",
            {
                "number": reservation.number,
                "queue": reservation.queue_code,
                "business_day": reservation.business_day.isoformat(),
            },
            reservation.ticket_id,
        )
        journal.record("ticket.printed", {"number": reservation.number}, reservation.ticket_id)
        hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
        issued.append(reservation)
    assert not worker.cycle()
    assert journal.pending_outbox() == 6
    server.start()
    assert worker.cycle()
    assert worker.cycle()  # a second pass sends nothing again
    assert journal.pending_outbox() == 0
    assert journal.refused_outbox() == []
    answer = hall.wire.request("GET", api.PATH_RECORDS, api.RecordsOut)
    reserved = [record.ticket_id for record in answer.records if record.kind == "ticket.reserved"]
    assert sorted(reserved) == sorted(reservation.ticket_id for reservation in issued)
    for reservation in issued:
        ticket = hall.wire.request(
            "GET", api.PATH_TICKET.format(ticket_id=reservation.ticket_id), api.TicketOut
        )
        assert (ticket.number, ticket.status) == (reservation.number, "waiting")
    journal.close()


def test_a_commit_the_server_missed_is_retried_until_it_takes_it(
    server: Server, make_hall: Callable[..., HttpHall]
) -> None:
    hall = make_hall(kiosk_settings(server))
    reservation = hall.reserve("green", [], "K01")
    server.stop()
    hall.commit(reservation.ticket_id, TicketChannel.E_TICKET)  # kept, no error
    assert hall.ticket_status(reservation.ticket_id) == "waiting"
    server.start()
    hall.maintain()
    ticket = hall.wire.request(
        "GET", api.PATH_TICKET.format(ticket_id=reservation.ticket_id), api.TicketOut
    )
    assert (ticket.status, ticket.channel) == ("waiting", "e_ticket")
    assert hall.retry_pending() == 0


def test_window_actions_and_the_event_stream_reach_the_subscribers(
    server: Server, make_hall: Callable[..., HttpHall]
) -> None:
    hall = make_hall(kiosk_settings(server))
    heard: list[HallEvent] = []
    done = threading.Event()

    def listener(event: HallEvent) -> None:
        heard.append(event)
        if event.kind is HallEventKind.CALLED:
            done.set()

    hall.subscribe(listener)
    hall.start_events()
    assert hall.events_connected.wait(10)
    reservation = hall.reserve("green", [], "K01")
    hall.commit(reservation.ticket_id, TicketChannel.PRINTED)
    called = hall.call_next_at(1)
    assert called is not None
    assert (called.kind, called.number, called.window) == (HallEventKind.CALLED, "G001", 1)
    assert done.wait(10)
    streamed = next(event for event in heard if event.kind is HallEventKind.CALLED)
    assert (streamed.number, streamed.window, streamed.ticket_id) == (
        "G001",
        1,
        reservation.ticket_id,
    )
    assert hall.call_next_at(1) is None  # nobody else waits
    started = time.monotonic()
    hall.close()  # ends the stream at once, not at the next ping
    assert time.monotonic() - started < 2


def test_a_bad_token_puts_the_link_offline_with_a_reason(
    server: Server, make_hall: Callable[..., HttpHall]
) -> None:
    settings = kiosk_settings(server)
    wrong = settings.model_copy(
        update={"hall": settings.hall.model_copy(update={"token": "not-the-token"})}
    )
    hall = make_hall(wrong)
    assert hall.reserve("green", [], "K01").number == "G900"  # offline, own range
    assert "token" in (hall.link.status().last_error or "")


def test_garbage_from_a_server_is_offline_not_a_crash(
    make_hall: Callable[..., HttpHall], tmp_path: Path
) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_garbage() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 9\r\nConnection: close\r\n\r\n{garbage}"
                )

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    settings = load_settings(
        overrides={
            "hall": {"backend": "http", "url": f"http://127.0.0.1:{port}", "token": "x"},
        }
    )
    hall = make_hall(settings)
    try:
        reservation = hall.reserve("green", [], "K01")
        assert reservation.number == "G900"
        assert "unexpected" in (hall.link.status().last_error or "")
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        listener.close()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_an_unknown_taxpayer_gets_the_empty_profile_and_the_key_is_never_sent(
    server: Server, make_hall: Callable[..., HttpHall]
) -> None:
    hall = make_hall(kiosk_settings(server))
    key = "110105" + "19491231" + "002X"
    identity = Identity(IdentityKind.ID_CARD, key, "1101**********002X")
    assert hall.taxpayer_profile(identity) == UNKNOWN_PROFILE
    server.stop()
    with pytest.raises(HallError, match="cannot be reached") as error:
        hall.taxpayer_profile(identity)
    assert key not in str(error.value)


def test_kiosk_hall_status_says_online_and_what_waits(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    config = tmp_path / "kiosk.toml"
    token = server.token("K01")
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[hall]\nbackend = "http"\nurl = "{server.url}"\ntoken = "{token}"\n',
        encoding="utf-8",
    )
    journal = Journal(tmp_path / "data" / "journal.sqlite3", SystemClock())
    journal.record("evaluation.recorded", {"level": 1})
    journal.close()
    assert main(["hall", "status", "--json", "--config", str(config)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["online"], report["pending"], report["backend"]) == (True, 1, "http")
    assert abs(report["clock_offset_seconds"]) < 5
    server.stop()
    assert main(["hall", "status", "--config", str(config)]) == 1
    shown = capsys.readouterr().out
    assert "online: False" in shown
    assert token not in shown


def test_the_token_is_never_shown_by_config_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    secret = "tok-" + "s3cr3t" * 4
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[hall]\nbackend = "http"\nurl = "http://127.0.0.1:9"\ntoken = "{secret}"\n',
        encoding="utf-8",
    )
    for extra in ([], ["--json"]):
        assert main(["config", "show", "--config", str(config), *extra]) == 0
        shown = capsys.readouterr().out
        assert secret not in shown
        assert "********" in shown
    assert secret not in repr(load_settings(config).hall)


def test_a_lease_expires_with_its_day(server: Server, make_hall: Callable[..., HttpHall]) -> None:
    clock = FakeClock(datetime.now(UTC))
    hall = make_hall(kiosk_settings(server, lease_size=5), clock)
    hall.maintain()
    assert hall.leased_left("green") == 5
    server.stop()
    first_day = hall.reserve("green", [], "K01")
    clock.advance(24 * 3600)  # the next day, still offline
    next_day = hall.reserve("green", [], "K01")
    assert next_day.business_day == first_day.business_day + timedelta(days=1)
    assert (first_day.number, next_day.number) == ("G001", "G900")
    assert hall.leased_left("green") == 0
