"""The hall server as the runner starts it: on a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import http.client
import io
import logging
import os
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.hall import api
from kiosk.hall.server.runner import RunningHall, _cheap_access_log, start_in_thread
from kiosk.logs import ScrubbingFormatter
from kiosk.settings import load_settings


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningHall]:
    hall = start_in_thread(tmp_path / "hall.sqlite3", load_settings())
    yield hall
    hall.stop()


def accepted_socket(client: socket.socket) -> socket.socket:
    """The server's end of `client`'s connection, found among this process's open
    files (the server runs on a thread here) by its pair of addresses."""
    wanted = (client.getpeername(), client.getsockname())
    for name in os.listdir("/proc/self/fd"):
        try:
            candidate = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue  # not a socket (or already closed)
        try:
            if (candidate.getsockname(), candidate.getpeername()) == wanted:
                return candidate
        except OSError:
            pass  # a listening or unconnected socket
        candidate.close()
    raise AssertionError("no server-side socket for the connection")


def test_every_accepted_connection_sends_without_waiting_for_the_clients_ack(
    running: RunningHall,
) -> None:
    host, port = running.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port))) as client:
        client.sendall(f"GET {api.PATH_INFO} HTTP/1.1\r\nHost: hall\r\n\r\n".encode())
        assert client.recv(64).startswith(b"HTTP/1.1 401")  # served: accepted for sure
        with accepted_socket(client) as server_side:
            # Nagle off: uvicorn's head and body leave at once, not ~40 ms apart.
            assert server_side.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


# struct tcp_info (linux/tcp.h): tcpi_data_segs_out, the segments that carried data.
TCP_INFO_DATA_SEGS_OUT = 156


def test_each_answer_leaves_in_one_segment_head_and_body_together(running: RunningHall) -> None:
    host, port = running.url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port))
    try:
        for _ in range(3):  # keep-alive: one connection, three answers
            connection.request("GET", api.PATH_INFO)
            answer = connection.getresponse()
            assert answer.status == 401
            assert b"bearer token" in answer.read()
        assert connection.sock is not None
        with accepted_socket(connection.sock) as server_side:
            info = server_side.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    finally:
        connection.close()
    (data_segments,) = struct.unpack_from("I", info, TCP_INFO_DATA_SEGS_OUT)
    # uvicorn alone writes the head and the body apart: 6 segments with TCP_NODELAY.
    assert data_segments == 3


def test_access_lines_drop_the_query_and_mask_an_id_number_without_a_regex_per_line() -> None:
    _cheap_access_log()
    access = logging.getLogger("uvicorn.access")
    level = access.level
    access.setLevel(logging.INFO)
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(ScrubbingFormatter("%(message)s"))
    access.addHandler(handler)
    try:
        line = '%s - "%s %s HTTP/%s" %d'
        access.info(
            line, "127.0.0.1:5", "GET", "/t/110101199003071234?id=11010119900307123X", "1.1", 404
        )
        access.info(line, "127.0.0.1:5", "POST", "/v1/tickets/reserve?k=v", "1.1", 200)
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert written.getvalue().splitlines() == [
        '127.0.0.1:5 - "GET /t/110***1234 HTTP/1.1" 404',
        '127.0.0.1:5 - "POST /v1/tickets/reserve HTTP/1.1" 200',
    ]
