from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.tickets import Parts


@pytest.fixture
def parts(tmp_path: Path) -> Parts:
    made = Parts(tmp_path)
    yield made  # type: ignore[misc]
    made.close()
