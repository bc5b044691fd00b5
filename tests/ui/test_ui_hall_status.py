"""The offline banner: hidden online, says what offline means for the taxpayer (never the
technician's facts) in both languages, and follows the link from another thread without a
restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from uitest_support import LANDSCAPE, PORTRAIT, WORKER_TIMEOUT_MS

from kiosk.app import Kiosk
from kiosk.clock import FakeClock
from kiosk.hall.link import HallLink
from ui.automation import visible_texts
from ui.hall_status import HallStatusBanner
from ui.main_window import KioskWindow
from ui.theme import apply_theme
from ui.widgets import retranslate_tree


def texts(banner: HallStatusBanner) -> list[str]:
    return [label.text() for label in banner.findChildren(QLabel) if label.text()]


@pytest.fixture
def link() -> HallLink:
    # 01:30 UTC is 09:30 in the hall (Asia/Shanghai).
    clock = FakeClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    pending = iter(range(3, 1000))
    return HallLink(clock, lambda: next(pending))


def test_offline_the_banner_says_what_it_means_for_the_taxpayer_only(
    qtbot: QtBot, link: HallLink
) -> None:
    holder = QWidget()  # never shown: the banner is tested as a child, as in the window
    qtbot.addWidget(holder)
    banner = HallStatusBanner(link, holder)
    assert not banner.isHidden()  # not connected yet counts as offline
    assert texts(banner) == ["网络中断，离线取号中，等候时间为估算"]
    retranslate_tree(banner, "en")
    assert texts(banner) == ["Offline: numbers still come, waiting times are approximate"]
    banner.shutdown()


def test_the_banner_follows_the_link_from_the_sync_thread(qtbot: QtBot, link: HallLink) -> None:
    holder = QWidget()  # never shown: the banner is tested as a child, as in the window
    qtbot.addWidget(holder)
    banner = HallStatusBanner(link, holder)
    worker = threading.Thread(target=link.mark_online)
    worker.start()
    worker.join()
    qtbot.waitUntil(banner.isHidden, timeout=WORKER_TIMEOUT_MS)
    worker = threading.Thread(target=link.mark_offline, args=("connection refused",))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=WORKER_TIMEOUT_MS)
    banner.shutdown()


@pytest.fixture
def linked_window(
    qtbot: QtBot, qapp: QApplication, demo_kiosk: Kiosk, link: HallLink
) -> Iterator[KioskWindow]:
    apply_theme(qapp)
    demo_kiosk.link = link  # as build_kiosk does for a kiosk with a hall server
    window = KioskWindow(demo_kiosk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE])
def test_the_window_shows_the_banner_under_the_top_bar_while_offline(
    qtbot: QtBot, linked_window: KioskWindow, link: HallLink, size: tuple[int, int]
) -> None:
    linked_window.resize(*size)
    banner = linked_window.hall_status
    assert banner is not None
    qtbot.waitUntil(banner.isVisible, timeout=WORKER_TIMEOUT_MS)
    shown = visible_texts(linked_window)
    assert not any("离线自" in text or "待上传" in text for text in shown)  # the menu's facts
    top = linked_window.top_bar.geometry()
    assert banner.geometry().top() >= top.bottom()
    assert banner.width() >= top.width() - 2
    link.mark_online()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=WORKER_TIMEOUT_MS)


def test_the_embedded_hall_shows_no_banner(window: KioskWindow) -> None:
    assert window.hall_status is None
    assert window.kiosk.hall_link_status() is None
