"""The application as create_app assembles it from the routers, without uvicorn."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.clock import FakeClock
from kiosk.hall import api
from kiosk.hall.server.app import ROUTERS, build_asgi, create_app
from kiosk.hall.server.body_limit import ASGIApp
from kiosk.hall.server.hall import HallServer, ServerOptions
from kiosk.settings import load_settings


def call(app: ASGIApp, method: str, path: str, **options: object) -> httpx.Response:
    """One request to the application in this process (no server, no network)."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
            return await client.request(method, path, **options)  # type: ignore[arg-type]

    return asyncio.run(send())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[HallServer]:
    hall = HallServer(
        tmp_path / "hall.sqlite3", load_settings(), FakeClock(), ServerOptions(max_body_bytes=64)
    )
    yield hall
    hall.close()


def test_every_path_of_the_api_is_served_by_the_routers(server: HallServer) -> None:
    document = create_app(server).openapi()
    paths = {value for name, value in vars(api).items() if name.startswith("PATH_")}
    served = {route.path for area in ROUTERS for route in area.router.routes}
    assert set(document["paths"]) == served == paths - {api.PATH_OPENAPI}
    codes = document["components"]["schemas"]["ReserveIn"]["properties"]["queue_code"]["enum"]
    assert codes == [queue.code for queue in server.settings.queues]


def test_the_client_and_the_clock_come_from_the_dependencies(server: HallServer) -> None:
    token = server.store.create_token("K07")
    app = create_app(server)
    assert call(app, "GET", api.PATH_INFO).status_code == 401
    answer = call(app, "GET", api.PATH_INFO, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["client_id"] == "K07"
    assert body["server_time"].startswith(server.clock.now().isoformat()[:19])


def test_a_body_over_the_limit_is_refused_before_the_routes(server: HallServer) -> None:
    answer = call(build_asgi(server), "POST", api.PATH_RESERVE, content=b"{" + b" " * 100 + b"}")
    assert answer.status_code == 413
