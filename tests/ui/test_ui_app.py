"""The application around the window: fonts, texts, widgets, the worker, `kiosk demo`."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import ui.texts
from kiosk.app import Kiosk
from kiosk.systemd import EXIT_CONFIG
from kiosk.text import Text
from ui import theme
from ui.demo import run_demo
from ui.main import KioskApplication, run
from ui.main_window import KioskWindow
from ui.widgets import QrCodeWidget, TouchButton, qr_matrix

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_app_font_has_chinese_glyphs(qapp: QApplication) -> None:
    font = theme.apply_theme(qapp)
    assert font.family() == qapp.font().family()
    assert QFontMetrics(qapp.font()).inFontUcs4(ord("税"))
    assert QFontMetrics(qapp.font()).inFontUcs4(ord("号"))
    systems = QFontDatabase.writingSystems(font.family())
    assert QFontDatabase.WritingSystem.SimplifiedChinese in systems


def test_font_file_is_loaded_when_no_preferred_family_is_installed(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(theme, "PREFERRED_FAMILIES", ("No Such Font Family",))
    family = theme.cjk_family()
    assert family is not None
    assert theme.supports_chinese(QFont(family))


def test_touch_button_keeps_its_accessible_name_equal_to_its_label(qapp: QApplication) -> None:
    button = TouchButton(Text(zh="取号", en="Take a number"))
    assert button.accessibleName() == button.text() == "取号"
    button.retranslate("en")
    assert button.accessibleName() == button.text() == "Take a number"
    button.set_label(Text(zh="完成", en="Done"))
    assert button.accessibleName() == button.text() == "Done"
    button.setText("Other")
    assert button.accessibleName() == "Other"


def test_the_window_is_titled_with_the_halls_name(window: KioskWindow, demo_kiosk: Kiosk) -> None:
    assert window.windowTitle() == f"{demo_kiosk.settings.hall.name_zh} · 取号"


def test_qr_widget_paints_the_matrix(qapp: QApplication) -> None:
    url = "https://guide.hall.example/matter/M0202"
    widget = QrCodeWidget(url, side=300)
    matrix = qr_matrix(url)
    assert widget.matrix() == matrix
    assert len(matrix) == len(matrix[0]) >= 21
    image = widget.grab().toImage()
    module = 300 // (len(matrix) + 2 * QrCodeWidget.QUIET_ZONE)
    offset = (300 - module * len(matrix)) // 2
    # The top-left finder pattern: dark corner, white ring, dark centre.
    assert image.pixelColor(offset + module // 2, offset + module // 2).lightness() < 50
    assert (
        image.pixelColor(offset + module + module // 2, offset + module + module // 2).lightness()
        > 200
    )
    assert image.pixelColor(offset + 3 * module, offset + 3 * module).lightness() < 50
    assert image.pixelColor(2, 2).lightness() > 200  # the quiet zone


def test_closing_the_window_stops_the_worker_and_the_timer(window: KioskWindow) -> None:
    assert window.ticket_bridge.worker_thread.isRunning()
    assert window.idle_check_timer.isActive()
    window.close()
    assert window.ticket_bridge.worker_thread.isFinished()
    assert not window.idle_check_timer.isActive()
    window.shutdown()  # twice is harmless


def test_headless_demo_writes_screens_tickets_and_journal(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    script = (
        "import sys; from pathlib import Path; from ui.demo import run_demo; "
        f"sys.exit(run_demo(Path({str(out)!r}), headless=True))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=Path(__file__).parents[2],
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr

    screens = sorted((out / "screens").glob("*.png"))
    assert len(screens) >= 8
    assert screens[0].name == "01-home.png"
    for screen in screens:
        header = screen.read_bytes()[:24]
        assert header.startswith(PNG_MAGIC)
        width, height = int.from_bytes(header[16:20]), int.from_bytes(header[20:24])
        layout = screen.name.split("-")[1]  # NN-landscape-*, NN-square-*, else portrait
        expected = {"landscape": (1920, 1080), "square": (1280, 1024)}.get(layout, (1080, 1920))
        assert (width, height) == expected, screen.name
    names = [screen.name for screen in screens]
    assert any("still-there" in name for name in names)
    assert any(name.endswith("-idle-announcement.png") for name in names)
    assert any(name.endswith("-landscape-route-green.png") for name in names)
    assert any(name.endswith("-square-self-service-offer.png") for name in names)
    assert len(list((out / "tickets").glob("*.escpos"))) >= 3
    assert len(list((out / "tickets").glob("*.png"))) >= 3

    lines = (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    printed = [event["number"] for event in events if event["kind"] == "ticket.printed"]
    # The portrait visits (V001: senior mode's priority ticket), then a green-channel
    # ticket in landscape and one on 1280 x 1024.
    assert printed == ["G001", "G002", "A001", "V001", "G003", "G004"]
    assert any(re.fullmatch(r"\d\d-senior-.+\.png", screen.name) for screen in screens)
    assert any(event["kind"] == "help.requested" for event in events)
    assert any(event["kind"] == "guide_slip.printed" for event in events)
    assert "journal" in completed.stdout

    # The hall's pages the kiosk serves, in headless Chromium, and one call's audio.
    pages = out / "pages"
    for name, size in (("display.png", (1920, 1080)), ("phone.png", (780, 1688))):
        header = (pages / name).read_bytes()[:24]
        assert (int.from_bytes(header[16:20]), int.from_bytes(header[20:24])) == size
    assert {"window.png", "phone-en.png"} <= {path.name for path in pages.iterdir()}
    assert (pages / "call.wav").read_bytes()[:4] == b"RIFF"


def test_run_reports_a_bad_configuration_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine_file = tmp_path / "kiosk.toml"
    machine_file.write_text("[ui]\ninactivity_seconds = 1\n", encoding="utf-8")
    assert run(machine_file, log_json=False) == EXIT_CONFIG
    error = capsys.readouterr().err
    assert "ui.inactivity_seconds" in error
    assert "Traceback" not in error


def test_demo_reports_a_missing_configuration_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    code = run_demo(tmp_path / "out", headless=True, config_file=tmp_path / "missing.toml")
    assert code == 2
    error = capsys.readouterr().err
    assert "missing.toml" in error
    assert "file not found" in error
    assert len(error.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("count", "zh", "en"),
    [
        (0, "前面无人等候", "Nobody ahead of you"),
        (1, "前面等候 1 人", "1 person ahead"),
        (7, "前面等候 7 人", "7 people ahead"),
    ],
)
def test_people_ahead_reads_right_for_none_one_and_many(count: int, zh: str, en: str) -> None:
    assert ui.texts.people_ahead(count) == Text(zh=zh, en=en)


def _received(systemd: socket.socket, messages: list[bytes]) -> list[bytes]:
    """What the kiosk has said to "systemd" so far (never blocks the event loop)."""
    try:
        while True:
            messages.append(systemd.recv(64, socket.MSG_DONTWAIT))
    except BlockingIOError:
        return messages


def test_one_start_and_stop_for_retention_crash_handler_signals_and_watchdog(
    qtbot: QtBot, demo_kiosk: Kiosk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = str(tmp_path / "notify.sock")
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # fed every 0.1 s
    hooks = (sys.excepthook, threading.excepthook)
    handlers = [signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)]
    messages: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(address)
        root = KioskApplication(demo_kiosk)
        root.start()
        assert sys.excepthook == root.crash.handle
        assert signal.getsignal(signal.SIGTERM) not in handlers
        # Retention purges once at start-up, on its own thread.
        qtbot.waitUntil(lambda: demo_kiosk.retention.last is not None)
        root.show()
        assert root.window.isVisible()
        qtbot.waitUntil(lambda: _received(systemd, messages).count(b"WATCHDOG=1") >= 2)
        assert messages[0] == b"READY=1"
        root.stop()
        assert _received(systemd, messages)[-1] == b"STOPPING=1"
    assert (sys.excepthook, threading.excepthook) == hooks
    assert [signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)] == handlers
    assert not root.window.isVisible()
    assert not root.window.ticket_bridge.worker_thread.isRunning()
    root.stop()  # twice is harmless


@pytest.mark.settings(ui={"fullscreen": False})
def test_an_unsupervised_root_leaves_the_hooks_and_signals_alone(
    qtbot: QtBot, demo_kiosk: Kiosk
) -> None:
    hooks = (sys.excepthook, threading.excepthook)
    handler = signal.getsignal(signal.SIGTERM)
    with KioskApplication(demo_kiosk, supervised=False) as root:
        root.show((540, 960))
        assert (sys.excepthook, threading.excepthook) == hooks
        assert signal.getsignal(signal.SIGTERM) == handler
        assert (root.window.width(), root.window.height()) == (540, 960)
        qtbot.waitUntil(lambda: demo_kiosk.retention.last is not None)
    assert not root.window.ticket_bridge.worker_thread.isRunning()
