from __future__ import annotations

import io
import json
import logging

import pytest

from kiosk.clock import FakeClock
from kiosk.logs import scrub, setup_logging
from kiosk.settings import load_settings
from kiosk.text import mask_id_number
from kiosk.triage import REASON_SELF_SERVICE, REASON_SEVERAL, TriageError, route_visit
from kiosk.visit.idle import IdlePhase, IdleTimer
from tests.helpers.fakes import default_catalog

# A fictitious number built from the GB 11643 example, so no real one sits in the source.
EXAMPLE_ID = "110105" + "19491231" + "002X"


@pytest.fixture(scope="module")
def catalog_and_settings():  # type: ignore[no-untyped-def]
    settings = load_settings()
    return default_catalog(settings), settings


def test_simple_matters_go_to_the_green_channel(catalog_and_settings) -> None:  # type: ignore[no-untyped-def]
    catalog, settings = catalog_and_settings
    route = route_visit([catalog.matter("M0202")], settings)
    assert route.queue.code == "green"
    assert not route.self_service_offer


def test_other_matters_go_to_the_comprehensive_windows(catalog_and_settings) -> None:  # type: ignore[no-untyped-def]
    catalog, settings = catalog_and_settings
    route = route_visit([catalog.matter("M0202"), catalog.matter("M0102")], settings)
    assert route.queue.code == "comprehensive"
    assert REASON_SEVERAL in route.reasons


def test_self_service_matters_are_offered_the_self_service_area_first(catalog_and_settings) -> None:  # type: ignore[no-untyped-def]
    catalog, settings = catalog_and_settings
    route = route_visit([catalog.matter("M0301")], settings)
    assert route.self_service_offer
    assert route.reasons[0] == REASON_SELF_SERVICE
    assert route.queue.code == "green"


def test_a_visit_without_matters_is_refused(catalog_and_settings) -> None:  # type: ignore[no-untyped-def]
    _, settings = catalog_and_settings
    with pytest.raises(TriageError):
        route_visit([], settings)


def test_idle_timer_phases_on_an_injected_clock() -> None:
    clock = FakeClock()
    timer = IdleTimer(clock, inactivity_seconds=60, countdown_seconds=20)
    clock.advance(59.9)
    assert timer.phase() is IdlePhase.ACTIVE
    clock.advance(0.2)
    assert timer.phase() is IdlePhase.COUNTDOWN
    assert timer.countdown_remaining() == 20
    clock.advance(15)
    assert timer.countdown_remaining() == 5
    timer.touch()
    assert timer.phase() is IdlePhase.ACTIVE
    clock.advance(80)
    assert timer.phase() is IdlePhase.EXPIRED
    assert timer.countdown_remaining() == 0


def test_id_numbers_are_masked_on_screen_and_scrubbed_from_logs() -> None:
    assert mask_id_number(EXAMPLE_ID) == "110***********002X"
    assert EXAMPLE_ID not in scrub(f"card {EXAMPLE_ID} read")
    stream = io.StringIO()
    setup_logging(json_lines=True, stream=stream)
    logging.getLogger("test").warning("card %s read", EXAMPLE_ID)
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["level"] == "WARNING"
    assert EXAMPLE_ID not in entry["msg"]
    assert entry["msg"].startswith("card 110***")
    logging.getLogger().handlers.clear()
