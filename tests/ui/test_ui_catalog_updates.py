"""A new catalog version reaches the screens without a restart, between visits only."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from uitest_support import LANDSCAPE, PORTRAIT

from kiosk.app import EmulatedDevices, Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.hall.catalog_updates import CatalogRelease
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import load_settings
from ui.automation import visible_texts
from ui.main_window import KioskWindow
from ui.screens.category import grid_columns
from ui.theme import apply_theme

Tap = Callable[..., None]
SIGNAL_MS = 10_000

NEW_CATEGORY = """
[[categories]]
code = "pilot"
name = { zh = "试点业务", en = "Pilot services" }
icon = "试"

[[matters]]
code = "Z0901"
category = "pilot"
name = { zh = "试点新事项", en = "A brand new matter" }
initials = "SDXSX"
no_documents = true
"""


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, Any]:
    """The demo kiosk, reading a catalog and rules of the test's own."""
    defaults = load_settings()
    config = tmp_path / "config"
    config.mkdir()
    shutil.copyfile(defaults.catalog_path, config / "catalog.toml")
    shutil.copyfile(defaults.rules_path, config / "rules.toml")
    return {
        "kiosk": {"data_dir": str(tmp_path / "data")},
        "hall": {"catalog": str(config / "catalog.toml")},
        "routing": {"rules": str(config / "rules.toml")},
    }


def add_pilot_category(kiosk: Kiosk) -> None:
    with kiosk.settings.catalog_path.open("a", encoding="utf-8") as handle:
        handle.write(NEW_CATEGORY)


def offer_from_a_thread(kiosk: Kiosk) -> None:
    """As the catalog sync does: a checked release, offered from another thread."""
    catalog = load_catalog(kiosk.settings.catalog_path)
    release = CatalogRelease("pilot-1", catalog, None, "hall server")
    thread = threading.Thread(target=kiosk.offer_catalog, args=(release,))
    thread.start()
    thread.join()


def category_names(window: KioskWindow) -> list[str]:
    return [tile.text() for tile in window.category.tiles]


def test_a_new_version_at_home_shows_on_the_category_matter_and_search_screens(
    window: KioskWindow, demo_kiosk: Kiosk, tap_on: Tap, qtbot: QtBot
) -> None:
    assert "试点业务" not in category_names(window)
    add_pilot_category(demo_kiosk)
    with qtbot.waitSignal(window.catalog_updates.applied, timeout=SIGNAL_MS) as applied:
        assert demo_kiosk.reload_catalog_from_files() is None  # the technician's reload
    assert applied.args == [demo_kiosk.catalog.version]
    assert "Z0901" in {matter.code for matter in demo_kiosk.catalog.matters}
    assert category_names(window)[-1] == "试点业务"

    tap_on("取号")
    assert "试点业务" in visible_texts(window)
    for size in (LANDSCAPE, PORTRAIT):  # the new tiles are laid out as the others
        window.resize(*size)
        qtbot.waitUntil(lambda: window.category.columns() == grid_columns(window.category.width()))
        for tile in window.category.tiles:
            assert tile.isVisible()
            assert tile.accessibleName() == tile.text()
            assert min(tile.width(), tile.height()) >= 80
    tap_on("试点业务")
    assert window.current_screen_name() == "matter"
    assert window.matter.title.text() == "试点业务"
    assert "试点新事项" in visible_texts(window)
    tap_on("试点新事项")  # routed by the rules file, with the new catalog
    assert window.current_screen_name() == "route"
    assert window.visit.route is not None
    assert [matter.code for matter in window.visit.route.matters] == ["Z0901"]

    tap_on("首页", "取号", "搜索", "S", "D")
    assert "试点新事项" in window.search.result_names()
    # The language switch retranslates the new tiles too.
    tap_on("返回", "English")
    assert "Pilot services" in category_names(window)


def test_a_version_arriving_mid_visit_waits_until_the_visit_ends(
    window: KioskWindow, demo_kiosk: Kiosk, tap_on: Tap, qtbot: QtBot
) -> None:
    tap_on("取号", "发票办理")
    assert window.current_screen_name() == "matter"
    before = demo_kiosk.catalog
    add_pilot_category(demo_kiosk)
    offer_from_a_thread(demo_kiosk)
    qtbot.waitUntil(lambda: window.catalog_updates.pending() is not None, timeout=SIGNAL_MS)
    # Still the catalog the visit started with, on every screen of it.
    assert demo_kiosk.catalog is before
    tap_on("返回")
    assert window.current_screen_name() == "category"
    assert "试点业务" not in visible_texts(window)
    tap_on("发票办理", "发票代开")
    assert window.current_screen_name() == "route"
    assert demo_kiosk.catalog is before

    with qtbot.waitSignal(window.catalog_updates.applied, timeout=SIGNAL_MS) as applied:
        tap_on("首页")  # the visit ends
    assert applied.args == ["pilot-1"]
    assert demo_kiosk.catalog_version == "pilot-1"
    assert window.catalog_updates.pending() is None
    tap_on("取号")
    assert "试点业务" in visible_texts(window)


def test_a_broken_catalog_file_is_not_reloaded(
    window: KioskWindow, demo_kiosk: Kiosk, qtbot: QtBot
) -> None:
    before = demo_kiosk.catalog
    with demo_kiosk.settings.catalog_path.open("a", encoding="utf-8") as handle:
        handle.write('\n[[matters]]\ncode = "Z0902"\ncategory = "nowhere"\n')
    problems = demo_kiosk.reload_catalog_from_files()
    assert problems is not None
    assert [problem.reason for problem in problems] == ["no name given"]
    assert str(demo_kiosk.settings.catalog_path) in problems[0].file  # with its line
    QApplication.processEvents()  # a (wrongly) queued offer would be delivered now
    assert window.catalog_updates.pending() is None
    assert demo_kiosk.catalog is before
    assert "试点业务" not in category_names(window)


def test_a_new_version_on_the_hall_server_reaches_the_screens_of_a_running_kiosk(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, settings_overrides: dict[str, Any]
) -> None:
    served = Path(settings_overrides["hall"]["catalog"])  # the server's files, not the kiosk's
    server_settings = load_settings(
        overrides={"hall": settings_overrides["hall"], "routing": settings_overrides["routing"]}
    )
    db = tmp_path / "server.sqlite3"
    server = start_in_thread(db, server_settings, options=ServerOptions(catalog_poll_seconds=0.05))
    kiosk_settings = load_settings(
        overrides={
            "kiosk": {"data_dir": str(tmp_path / "data")},
            "hall": {
                "backend": "http",
                "url": server.url,
                "token": create_token(db, "K01", server_settings),
                "catalog_check_seconds": 3600,  # the server's event, not the safety net
            },
        }
    )
    kiosk = build_kiosk(
        kiosk_settings,
        load_catalog(kiosk_settings.catalog_path),
        emulated=EmulatedDevices(tmp_path),
    )
    apply_theme(qapp)
    window = KioskWindow(kiosk)
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(window.catalog_updates.applied, timeout=SIGNAL_MS) as first:
            kiosk.start_background()  # the first check: the server's version
        assert first.args == [server.hall.catalog.current.version]
        assert "试点业务" not in category_names(window)
        assert kiosk.hall.events_connected.wait(SIGNAL_MS / 1000)  # type: ignore[attr-defined]

        applied = window.catalog_updates.applied
        with (
            qtbot.waitSignal(applied, timeout=SIGNAL_MS) as second,
            served.open("a", encoding="utf-8") as handle,
        ):
            handle.write(NEW_CATEGORY)  # the server's watcher sends catalog_updated
        assert second.args == [server.hall.catalog.current.version]
        assert category_names(window)[-1] == "试点业务"
        assert kiosk.catalog_version == second.args[0]
    finally:
        window.close()
        kiosk.close()
        server.stop()
