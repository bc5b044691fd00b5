"""好差评 on the kiosk's screen with the hall server unreachable (connection refused):
the slip scanned on the real scanner (a pty emulator, the real watcher thread), the
five levels offered anyway, a 差评's reasons from the hall's list, and a confirmation
in Chinese and English that the rating is recorded and will be sent; it waits in the
kiosk's outbox (real SQLite)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from drivers.sim.scanner import ScannerEmulator
from kiosk.app import Kiosk
from kiosk.evaluation_state import OFFLINE_EVALUATION_KIND
from kiosk.startup import open_scanner_watcher
from kiosk.terminal_evaluation import Step
from kiosk.triage import ALWAYS_OPEN
from ui.automation import tap, visible_texts
from ui.main_window import KioskWindow

WAIT_MS = 20_000


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port bound but not listening: every connection is refused, and no one else
    can take the port during the test."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield int(bound.getsockname()[1])


@pytest.fixture
def settings_overrides(tmp_path: Path, refusing_port: int) -> dict[str, Any]:
    return {
        "kiosk": {"id": "K01", "data_dir": str(tmp_path / "data")},
        "routing": ALWAYS_OPEN,
        "hall": {
            "backend": "http",
            "url": f"http://127.0.0.1:{refusing_port}",
            "token": "t" * 32,
            "connect_timeout_seconds": 1,
            "request_timeout_seconds": 2,
        },
    }


@pytest.fixture
def scanner() -> Iterator[ScannerEmulator]:
    emulator = ScannerEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def demo_kiosk(scanner: ScannerEmulator, demo_kiosk: Kiosk) -> Kiosk:
    demo_kiosk.scanner_watcher = open_scanner_watcher(demo_kiosk.settings, scanner.device_path)
    assert demo_kiosk.scanner_watcher is not None
    demo_kiosk.scanner_watcher.start()
    return demo_kiosk


def shown(window: KioskWindow, wording: str) -> bool:
    return any(wording in text for text in visible_texts(window))


def kept(kiosk: Kiosk) -> list[tuple[str | None, dict[str, Any]]]:
    return [
        (record.ticket_id, record.payload)
        for record in kiosk.journal.outbox_batch()
        if record.kind == OFFLINE_EVALUATION_KIND
    ]


def test_a_rating_with_the_server_away_is_recorded_and_said_so_in_both_languages(
    qtbot: QtBot, window: KioskWindow, demo_kiosk: Kiosk, scanner: ScannerEmulator
) -> None:
    scanner.send_code("http://192.0.2.10:8080/t/slip-one")
    qtbot.waitUntil(lambda: shown(window, "请对本次服务进行评价"), timeout=WAIT_MS)
    tap(window, "不满意")
    qtbot.waitUntil(lambda: shown(window, "请选择不满意的原因"), timeout=WAIT_MS)
    tap(window, "等候时间过长")
    tap(window, "提交评价")
    qtbot.waitUntil(lambda: shown(window, "您的评价已记录"), timeout=WAIT_MS)
    assert shown(window, "恢复后将自动提交")
    assert not shown(window, "暂时无法提交")  # no "try again": nothing was lost
    visit = window.evaluation.visit
    assert visit is not None
    assert visit.step is Step.RECORDED
    [(ticket_id, payload)] = kept(demo_kiosk)
    assert ticket_id == "slip-one"
    assert payload == {
        "evaluation_id": visit.evaluation_id,
        "level": 4,
        "reasons": ["efficiency_wait"],
        "note": "",
        "channel": "terminal",
    }

    tap(window, "返回首页")
    qtbot.waitUntil(lambda: window.current_screen_name() == "home", timeout=WAIT_MS)
    window.set_language("en")
    scanner.send_code("http://192.0.2.10:8080/t/slip-two")
    qtbot.waitUntil(lambda: shown(window, "Please rate this service"), timeout=WAIT_MS)
    tap(window, "Very satisfied")
    qtbot.waitUntil(lambda: shown(window, "Your rating has been recorded"), timeout=WAIT_MS)
    assert shown(window, "it will be sent automatically")
    assert [ticket for ticket, _ in kept(demo_kiosk)] == ["slip-one", "slip-two"]

    tap(window, "Home")  # the first slip again, still offline: rated already
    qtbot.waitUntil(lambda: window.current_screen_name() == "home", timeout=WAIT_MS)
    scanner.send_code("http://192.0.2.10:8080/t/slip-one")
    qtbot.waitUntil(lambda: shown(window, "本次服务已评价"), timeout=WAIT_MS)  # home: zh again
    assert len(kept(demo_kiosk)) == 2
