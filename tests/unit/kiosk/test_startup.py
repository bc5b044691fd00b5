"""The heartbeat tells the hall every device's state: printer, reader, scanner, keypads."""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.startup import device_health, open_card_watcher, open_scanner_watcher
from tests.helpers.fakes import make_settings


def test_no_devices_are_reported_as_none(tmp_path: Path) -> None:
    assert device_health(None, None, None) == {
        "card_reader": "none",
        "scanner": "none",
        "keypads_online": {},
    }


def test_configured_devices_report_their_state_without_any_data(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    missing = str(tmp_path / "no-such-port")
    reader = open_card_watcher(settings, FakeClock(), missing)
    scanner = open_scanner_watcher(settings, missing)
    assert reader is not None
    assert scanner is not None
    health = device_health(reader, scanner, None)
    assert health["card_reader"] == reader.status.value
    assert health["scanner"] == scanner.status.value
    assert health["card_reader"] != "none"
    reader.close()
    scanner.close()
