from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.journal import Journal


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3", FakeClock())
