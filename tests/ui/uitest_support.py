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
    # Identification (tests/ui/test_ui_identify.py); the credit codes are the embedded
    # hall's fictitious companies (config/taxpayers.toml), typed key by key.
    "identify": ("刷证/扫码 · 预约签到",),
    "code_entry": ("刷证/扫码 · 预约签到", "输入信用代码"),
    "checkin": ("刷证/扫码 · 预约签到", "输入信用代码", *"91310104MA00000024", "确定"),
    "for_you": ("刷证/扫码 · 预约签到", "输入信用代码", *"92440305MA00000030", "确定"),
    # Smart routing (tests/ui/test_ui_search.py, test_ui_route.py)
    "search": ("取号", "搜索", "F", "P"),
}
SCREEN_OF = {"offer": "route", "for_you": "category"}
