"""The ticket-status page: its texts come from the catalog, as the hall words them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.hall.api import TicketPublicOut
from kiosk.hall.server.page import status_page_html
from kiosk.hall.server.routes.status_page import not_found_page
from kiosk.text import default_texts, install_texts
from tests.helpers.fakes import make_settings


@pytest.fixture(autouse=True)
def _defaults_again() -> Iterator[None]:
    yield
    install_texts(None)


def _state(status: str, window: int | None) -> TicketPublicOut:
    return TicketPublicOut.model_validate(
        {
            "server_time": datetime(2026, 12, 4, 2, tzinfo=UTC),
            "number": "A001",
            "queue_code": "comprehensive",
            "queue_name_zh": "综合窗口",
            "queue_name_en": "Comprehensive windows",
            "status": status,
            "people_ahead": 3,
            "estimated_wait_minutes": 9,
            "window": window,
            "called_at": None,
        }
    )


def test_the_page_shows_each_text_in_both_languages(tmp_path: Path) -> None:
    page = status_page_html(_state("called", 4), make_settings(tmp_path))
    assert '<div id="call" >请到 4 号窗口 / Please go to window 4</div>' in page
    assert '<span id="status">请到窗口办理 / Please go to the window</span>' in page
    assert "<span>预计等候（分钟）/ Estimated wait (min)</span>" in page
    missing = "<title>未找到 / Not found</title><p>没有这张票。/ No such ticket.</p>"
    assert missing in not_found_page()


def test_the_page_is_worded_as_the_hall_words_it(tmp_path: Path) -> None:
    catalog, problems = default_texts().reworded(
        {
            "status_page": {
                "go_to_window": {"zh": "请至{window}号", "en": "To desk {window}"},
                "states": {"waiting": {"zh": "排队中", "en": "In line"}},
            }
        }
    )
    assert problems == []
    install_texts(catalog)
    page = status_page_html(_state("waiting", None), make_settings(tmp_path))
    assert '<span id="status">排队中 / In line</span>' in page
    assert '["请至{window}号", "To desk {window}"]' in page  # the script fills it when called
