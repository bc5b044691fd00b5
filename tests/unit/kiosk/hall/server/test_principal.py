"""Window grants as a technician writes them, and token expiry times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.hall.server.principal import MAX_WINDOW, Principal, parse_windows, windows_text
from kiosk.hall.server.tokens import expiry_of

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_windows_are_numbers_and_ranges() -> None:
    assert parse_windows("") == frozenset()
    assert parse_windows("1-3, 7,9-10") == {1, 2, 3, 7, 9, 10}
    assert windows_text({1, 2, 3, 7, 9, 10}) == "1-3,7,9-10"
    assert windows_text(()) == ""
    with pytest.raises(ValueError, match="not a range within"):
        parse_windows("0-3")
    with pytest.raises(ValueError, match="not a window number"):
        parse_windows("１")  # a full-width digit is not a window number


@given(st.frozensets(st.integers(1, MAX_WINDOW), max_size=40))
def test_the_stored_form_of_windows_reads_back_the_same(windows: frozenset[int]) -> None:
    assert parse_windows(windows_text(windows)) == windows


def test_expiry_is_relative_or_a_day_or_a_time_of_the_hall() -> None:
    assert expiry_of("90d", NOW, SHANGHAI) == NOW + timedelta(days=90)
    assert expiry_of("12h", NOW, SHANGHAI) == NOW + timedelta(hours=12)
    through = expiry_of("2026-11-30", NOW, SHANGHAI)
    assert through == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert expiry_of("2026-11-23T18:00", NOW, SHANGHAI) == datetime(
        2026, 11, 23, 18, tzinfo=SHANGHAI
    )
    with pytest.raises(ValueError, match="already past"):
        expiry_of("2026-11-23T09:00", NOW, SHANGHAI)  # 09:00 in Shanghai: 30 min ago


def test_a_principal_expires_at_its_time() -> None:
    kiosk = Principal("K01", expires_at=NOW)
    assert not kiosk.expired(NOW - timedelta(seconds=1))
    assert kiosk.expired(NOW)
    assert not Principal("K02").expired(NOW + timedelta(days=10_000))
