"""The link's state and the kiosk's clock set by the hall server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.link import HallLink, LinkStatus, ServerClock


def test_the_server_clock_follows_the_servers_time() -> None:
    kiosk_clock = FakeClock(datetime(2026, 11, 23, 15, 50, tzinfo=UTC))  # 23:50 in Shanghai
    clock = ServerClock(kiosk_clock)
    assert clock.now() == kiosk_clock.now()
    server_now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # the kiosk is 13h50 fast
    assert clock.observe(server_now) == pytest.approx(-13.833 * 3600, abs=5)
    kiosk_clock.advance(60)
    assert clock.now() == server_now + timedelta(seconds=60)


def test_the_link_starts_offline_and_tells_its_listeners_each_change() -> None:
    clock = FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    link = HallLink(clock, pending=lambda: 3)
    seen: list[LinkStatus] = []
    link.subscribe(seen.append)
    assert not link.online
    assert link.status().last_error == "not connected yet"
    link.mark_online()
    link.mark_online()  # no change: no call
    clock.advance(30)
    link.mark_offline("timeout")
    assert [status.online for status in seen] == [True, False]
    assert seen[-1].offline_since == clock.now()
    assert seen[-1].pending == 3
    assert seen[-1].as_json()["last_error"] == "timeout"
