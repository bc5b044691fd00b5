"""TcpServerPort: a network printer's raw port on 127.0.0.1, one client at a time."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator

import pytest

from drivers.sim.tcp import TcpServerPort

pytestmark = pytest.mark.usefixtures("no_leaked_fds")


@pytest.fixture
def server() -> Iterator[TcpServerPort]:
    port = TcpServerPort()
    yield port
    port.close()


def connect(server: TcpServerPort) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=2.0)


def read_until(server: TcpServerPort, size: int) -> bytes:
    """What the server reads from its clients, through accepts and silences, up to `size`."""
    data = b""
    for _ in range(200):
        data += server.read(0.05)
        if len(data) >= size:
            return data
    raise AssertionError(f"only {data!r} arrived")


def test_binds_a_free_port_on_loopback(server: TcpServerPort) -> None:
    assert server.host == "127.0.0.1"
    assert server.port > 0
    assert server.url == f"socket://127.0.0.1:{server.port}"
    assert server.device_path == server.url


def test_bytes_pass_both_ways(server: TcpServerPort) -> None:
    with connect(server) as client:
        client.sendall(bytes(range(256)))
        assert read_until(server, 256) == bytes(range(256))
        server.write(b"\x16")
        assert client.recv(1) == b"\x16"


def test_answers_without_a_client_are_dropped(server: TcpServerPort) -> None:
    server.write(b"\x16")  # nobody connected: no error, nothing kept
    with connect(server) as client:
        client.sendall(b"x")
        assert read_until(server, 1) == b"x"
        client.settimeout(0.05)
        with pytest.raises(TimeoutError):
            client.recv(1)


def test_second_client_waits_until_the_first_leaves(server: TcpServerPort) -> None:
    first = connect(server)
    second = connect(server)  # completes in the backlog, but is not served yet
    try:
        second.sendall(b"B")
        first.sendall(b"A")
        assert read_until(server, 1) == b"A"
        assert server.connections == 1
        first.close()
        assert read_until(server, 1) == b"B"
        assert server.wait_for_connections(2, timeout=2.0)
        server.write(b"\x12")
        assert second.recv(1) == b"\x12"
    finally:
        first.close()
        second.close()


def test_client_may_reconnect(server: TcpServerPort) -> None:
    for payload in (b"one", b"two", b"three"):
        with connect(server) as client:
            client.sendall(payload)
            assert read_until(server, len(payload)) == payload
    assert server.connections == 3


def test_reset_connection_is_a_client_leaving(server: TcpServerPort) -> None:
    client = connect(server)
    client.sendall(b"x")
    assert read_until(server, 1) == b"x"
    # SO_LINGER 0: close sends RST instead of FIN.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    with connect(server) as again:
        again.sendall(b"y")
        assert read_until(server, 1) == b"y"


def test_close_is_idempotent_and_quiet(server: TcpServerPort) -> None:
    client = connect(server)
    assert read_until_connected(server)
    server.close()
    server.close()
    assert server.closed
    assert server.read(0.01) == b""
    server.write(b"dropped")
    client.settimeout(2.0)
    assert client.recv(1) == b""  # the printer went away
    client.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=2.0)


def read_until_connected(server: TcpServerPort) -> bool:
    for _ in range(200):
        server.read(0.05)
        if server.connections:
            return True
    return False
