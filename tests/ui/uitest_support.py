"""Constants the UI tests share (a module, since conftest.py is not for importing).

tests/ui has no __init__.py: pytest puts this directory on sys.path, hence the
name, unique across the test tree.
"""

from __future__ import annotations

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
# `kiosk demo` with a display: portrait, scaled to fit a 1920 x 1080 desktop.
DESKTOP_WINDOW = (720, 1040)
# A worker reply over the pty printer: generous, since a loaded CI machine is slow.
WORKER_TIMEOUT_MS = 20_000

VISIT = ("取号", "发票办理", "发票代开", "确认取号")
# How a taxpayer reaches each screen ("offer" is the route screen offering self-service).
TAPS: dict[str, tuple[str, ...]] = {
    "home": (),
    "category": VISIT[:1],
    "matter": VISIT[:2],
    "route": VISIT[:3],
    "offer": ("取号", "申报纳税", "增值税申报"),
    "printing": (),
    "done": VISIT,
    "eticket": VISIT,
    "failed": VISIT,
}
SCREEN_OF = {"offer": "route"}
