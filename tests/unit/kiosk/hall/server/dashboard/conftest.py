"""A hall server with an injected clock, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.hall import HallServer
from kiosk.hall.server.store import Location
from tests.helpers.fakes import make_settings
from tests.helpers.hall_morning import MORNING


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def server(database_location: Location, tmp_path: Path, clock: FakeClock) -> Iterator[HallServer]:
    made = HallServer(database_location, make_settings(tmp_path), clock)
    yield made
    made.close()
