"""`make demo`'s dashboard step: both screenshots written, the dashboard's own
(signed in, live figures and charts drawn), in Chinese and English; and the phone page
at the evaluation step, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from kiosk.hall.server.dashboard.demo import WIDTH, main

pytestmark = pytest.mark.e2e


def test_the_demo_writes_the_dashboard_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "pages")]) == 0
    written = capsys.readouterr().out.splitlines()
    assert written == [
        f"written {tmp_path / 'pages' / 'dashboard.png'}",
        f"written {tmp_path / 'pages' / 'dashboard-en.png'}",
        f"written {tmp_path / 'pages' / 'phone-evaluation.png'}",
        f"written {tmp_path / 'pages' / 'phone-evaluation-en.png'}",
    ]
    for name in ("dashboard.png", "dashboard-en.png"):
        with Image.open(tmp_path / "pages" / name) as shot:
            assert shot.format == "PNG"
            assert shot.width == WIDTH
            assert shot.height > 1000  # the whole page, charts included
            colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 50  # drawn, not a blank page
    for name in ("phone-evaluation.png", "phone-evaluation-en.png"):
        with Image.open(tmp_path / "pages" / name) as shot:
            assert shot.width == 780  # a 390-pixel phone at scale 2
            assert shot.height > 1600  # the whole page, the reasons included
