"""New catalog and rules versions reach a kiosk from a real hall server on loopback,
without a restart; a version the kiosk cannot use is refused; a restart offline uses
the last version the kiosk had."""

from __future__ import annotations

import json
import queue
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.app import Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.hall import api
from kiosk.hall.catalog_updates import (
    CACHE_FILE,
    CatalogCache,
    CatalogRefused,
    CatalogRelease,
    SyncOutcome,
    validate_release,
)
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import Settings, load_settings

WAIT_SECONDS = 15.0

NEW_MATTER = """
[[matters]]
code = "Z0901"
category = "other"
name = { zh = "测试新事项", en = "A brand new matter" }
initials = "CSXSX"
no_documents = true
"""

UNKNOWN_QUEUE_RULE = """
[[rules]]
name = "vip_lounge"
when = { priority_requested = true }
queue = "vip"
reason = { zh = "贵宾室", en = "VIP lounge" }
"""


class Hall:
    """A hall server whose catalog and rules are files of the test's own."""

    def __init__(self, folder: Path) -> None:
        defaults = load_settings()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.catalog = folder / "catalog.toml"
        self.rules = folder / "rules.toml"
        shutil.copyfile(defaults.catalog_path, self.catalog)
        shutil.copyfile(defaults.rules_path, self.rules)
        self.db = folder / "server.sqlite3"
        self.settings = load_settings(
            overrides={
                "hall": {"catalog": str(self.catalog)},
                "routing": {"rules": str(self.rules)},
            }
        )
        # The file watcher polls often: an edit reaches the kiosks at once.
        self.options = ServerOptions(catalog_poll_seconds=0.05)
        self.running: RunningHall | None = None
        self.port = 0
        self.start()

    def start(self) -> None:
        self.running = start_in_thread(self.db, self.settings, port=self.port, options=self.options)
        self.port = int(self.running.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, client_id: str) -> str:
        return create_token(self.db, client_id, self.settings)

    def admin_token(self) -> str:
        return create_token(self.db, "ADMIN", self.settings, role="admin")

    def reload(self) -> str:
        """The server's reload endpoint (what an administrator calls after an edit)."""
        answer = httpx.post(
            self.url + api.PATH_RELOAD,
            headers={"Authorization": f"Bearer {self.admin_token()}"},
            timeout=10,
        )
        answer.raise_for_status()
        return str(answer.json()["version"])

    def version(self) -> str:
        assert self.running is not None
        return self.running.hall.catalog.current.version


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    server = Hall(tmp_path / "server")
    yield server
    server.stop()


def kiosk_settings(hall: Hall, data: Path) -> Settings:
    return load_settings(
        overrides={
            "kiosk": {"id": "K01", "data_dir": str(data)},
            "hall": {
                "backend": "http",
                "url": hall.url,
                "token": hall.token("K01"),
                "connect_timeout_seconds": 1,
                "request_timeout_seconds": 5,
                "sync_interval_seconds": 0.05,
                # Only the server's events (and the start) ask: no safety-net check here.
                "catalog_check_seconds": 3600,
            },
        }
    )


@pytest.fixture
def start_kiosk(tmp_path: Path) -> Iterator[Any]:
    kiosks: list[Kiosk] = []

    def start(settings: Settings) -> Kiosk:
        catalog = load_catalog(settings.catalog_path)  # config/catalog.toml, as at start-up
        kiosk = build_kiosk(settings, catalog, printer_port=str(tmp_path / "no-printer"))
        kiosks.append(kiosk)
        return kiosk

    yield start
    for kiosk in kiosks:
        kiosk.close()


def applying(kiosk: Kiosk) -> queue.Queue[CatalogRelease]:
    """Releases applied as they come (what the window does at home), in a queue."""
    arrived: queue.Queue[CatalogRelease] = queue.Queue()

    def listener(release: CatalogRelease) -> None:
        kiosk.apply_catalog(release.catalog, release.rules, release.version)
        arrived.put(release)

    kiosk.subscribe_catalog(listener)
    return arrived


def matter_codes(kiosk: Kiosk) -> set[str]:
    return {matter.code for matter in kiosk.catalog.matters}


def test_a_new_version_on_the_server_reaches_a_running_kiosk_by_its_event(
    hall: Hall, start_kiosk: Any, tmp_path: Path
) -> None:
    kiosk: Kiosk = start_kiosk(kiosk_settings(hall, tmp_path / "k01"))
    assert kiosk.catalog_updater is not None
    arrived = applying(kiosk)
    kiosk.hall.start_events()  # type: ignore[attr-defined]
    kiosk.catalog_updater.start()
    first = arrived.get(timeout=WAIT_SECONDS)  # the check at start
    assert first.version == hall.version()
    assert "Z0901" not in matter_codes(kiosk)
    assert kiosk.hall.events_connected.wait(WAIT_SECONDS)  # type: ignore[attr-defined]

    with hall.catalog.open("a", encoding="utf-8") as handle:
        handle.write(NEW_MATTER)  # the server's watcher sees it and sends catalog_updated
    second = arrived.get(timeout=WAIT_SECONDS)

    assert second.version != first.version
    assert second.version == hall.version() == kiosk.catalog_version
    assert "Z0901" in matter_codes(kiosk)
    assert kiosk.tickets._catalog is kiosk.catalog
    assert kiosk.journal.find_event("catalog.received", version=second.version) is not None
    assert kiosk.journal.find_event("catalog.applied", version=second.version) is not None
    saved = json.loads((tmp_path / "k01" / CACHE_FILE).read_text(encoding="utf-8"))
    assert saved["version"] == second.version
    assert any(matter["code"] == "Z0901" for matter in saved["catalog"]["matters"])
    # The same version again (a repeated event, the safety net): nothing new.
    assert kiosk.catalog_updater.check() is SyncOutcome.UNCHANGED
    assert arrived.empty()


def test_a_version_the_kiosk_cannot_use_is_refused_and_its_own_stays(
    hall: Hall, start_kiosk: Any, tmp_path: Path
) -> None:
    kiosk: Kiosk = start_kiosk(kiosk_settings(hall, tmp_path / "k01"))
    assert kiosk.catalog_updater is not None
    sync = kiosk.catalog_updater
    arrived = applying(kiosk)
    assert sync.check() is SyncOutcome.RECEIVED
    good = arrived.get_nowait()
    # The server reads its rules fine, but this kiosk has no queue "vip".
    with hall.rules.open("a", encoding="utf-8") as handle:
        handle.write(UNKNOWN_QUEUE_RULE)
    with hall.catalog.open("a", encoding="utf-8") as handle:
        handle.write(NEW_MATTER)
    broken = hall.reload()

    assert sync.check() is SyncOutcome.REFUSED
    assert arrived.empty()
    assert kiosk.catalog_version == good.version
    assert "Z0901" not in matter_codes(kiosk)
    status = sync.status()
    assert status.version == good.version
    assert status.refused_version == broken
    assert status.refused_reason is not None
    assert "unknown queue 'vip'" in status.refused_reason
    refused = kiosk.journal.find_event("catalog.refused", version=broken)
    assert refused is not None
    assert "vip" in refused.payload["reason"]
    assert refused.payload["kept"] == good.version
    saved = json.loads((tmp_path / "k01" / CACHE_FILE).read_text(encoding="utf-8"))
    assert saved["version"] == good.version
    # Asked again, the same refused version is neither fetched nor journalled again.
    assert sync.check() is SyncOutcome.REFUSED
    refusals = [e for e in kiosk.journal.events() if e.kind == "catalog.refused"]
    assert len(refusals) == 1

    # The hall fixes its rules: the next version is taken.
    hall.rules.write_text(load_settings().rules_path.read_text(encoding="utf-8"), "utf-8")
    fixed = hall.reload()
    assert sync.check() is SyncOutcome.RECEIVED
    assert arrived.get_nowait().version == fixed == kiosk.catalog_version
    assert "Z0901" in matter_codes(kiosk)
    assert sync.status().refused_version is None


def test_a_kiosk_restarted_offline_uses_the_last_version_it_had(
    hall: Hall, start_kiosk: Any, tmp_path: Path
) -> None:
    data = tmp_path / "k01"
    settings = kiosk_settings(hall, data)
    with hall.catalog.open("a", encoding="utf-8") as handle:
        handle.write(NEW_MATTER)
    served = hall.reload()
    kiosk: Kiosk = start_kiosk(settings)
    assert kiosk.catalog_updater is not None
    assert kiosk.catalog_updater.check() is SyncOutcome.RECEIVED  # no listener: applied at once
    assert "Z0901" in matter_codes(kiosk)
    kiosk.close()
    hall.stop()

    again: Kiosk = start_kiosk(settings)  # config/catalog.toml has no Z0901
    assert "Z0901" not in {matter.code for matter in load_catalog(settings.catalog_path).matters}
    assert "Z0901" in matter_codes(again)
    assert again.catalog_version == served
    assert again.tickets._catalog is again.catalog
    assert again.catalog_updater is not None
    assert again.catalog_updater.check() is SyncOutcome.UNREACHABLE
    assert "Z0901" in matter_codes(again)
    started = again.journal.find_event("kiosk.started")
    assert started is not None


def test_a_damaged_saved_catalog_falls_back_to_the_files(
    hall: Hall, start_kiosk: Any, tmp_path: Path
) -> None:
    data = tmp_path / "k01"
    data.mkdir()
    (data / CACHE_FILE).write_text('{"version": "x", "catalog": {"matters": [', "utf-8")
    settings = kiosk_settings(hall, data)
    hall.stop()
    kiosk: Kiosk = start_kiosk(settings)
    assert kiosk.catalog_version is None
    assert matter_codes(kiosk) == {m.code for m in load_catalog(settings.catalog_path).matters}


def test_garbage_from_a_server_is_refused_with_a_reason() -> None:
    settings = load_settings()
    good = json.loads(json.dumps(_raw_catalog(settings)))
    cases: list[tuple[object, object, str]] = [
        ("not a table", None, "not a table"),
        ({"version": 3}, None, "catalog 9"),
        ({**good, "matters": [{"code": "lower"}]}, None, "matters"),
        (good, ["a", "list"], "rules are not a table"),
        (good, {"rules": [{"name": "x"}]}, "rules"),
    ]
    for raw_catalog, raw_rules, expected in cases:
        with pytest.raises(CatalogRefused) as caught:
            validate_release(settings, "9", raw_catalog, raw_rules, "hall server")
        assert expected in caught.value.reason
        assert caught.value.version == "9"
    release = validate_release(settings, "9", good, None, "hall server")
    assert release.rules is None  # the kiosk's own rules file, which fits the catalog
    assert len(release.catalog.matters) == len(good["matters"])


def test_the_cache_is_written_whole(tmp_path: Path) -> None:
    settings = load_settings()
    cache = CatalogCache(tmp_path / "data" / CACHE_FILE)
    raw = _raw_catalog(settings)
    cache.save("v1", raw, None)
    cache.save("v2", raw, None)
    assert [p.name for p in (tmp_path / "data").iterdir()] == [CACHE_FILE]  # no leftovers
    loaded = cache.load(settings)
    assert loaded is not None
    assert (loaded.version, loaded.origin) == ("v2", "saved")


def _raw_catalog(settings: Settings) -> dict[str, Any]:
    from kiosk.settings import read_toml

    return read_toml(settings.catalog_path)
