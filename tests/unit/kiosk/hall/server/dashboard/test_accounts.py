"""Admin accounts: only salted hashes are stored, a session carries its CSRF token
and ends, and failed logins lock a name for longer and longer."""

from __future__ import annotations

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard.accounts import (
    FREE_FAILURES,
    MAX_LOCK_SECONDS,
    SESSION_HOURS,
    AccountError,
    AdminAccounts,
    hash_password,
    lock_seconds,
    password_matches,
)
from kiosk.hall.server.hall import HallServer

PASSWORD = "tea-and-7-tax-forms"


@pytest.fixture
def accounts(server: HallServer, clock: FakeClock) -> AdminAccounts:
    made = AdminAccounts(server.store.db, clock)
    made.add("manager", PASSWORD)
    return made


def test_a_password_is_kept_as_a_salted_scrypt_hash() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$")
    assert PASSWORD not in first
    assert first != second  # a salt each
    assert password_matches(PASSWORD, first)
    assert not password_matches(PASSWORD + "x", first)
    assert not password_matches(PASSWORD, "scrypt$1$2$not-base64$$")


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaaaa", "x" * 257])
def test_a_weak_password_is_refused_saying_why(password: str) -> None:
    with pytest.raises(AccountError, match="password"):
        hash_password(password)


def test_a_right_login_opens_a_session_that_ends_after_a_working_day(
    accounts: AdminAccounts, server: HallServer, clock: FakeClock
) -> None:
    result = accounts.login("manager", PASSWORD)
    assert result.session is not None
    assert len(result.session.csrf_token) >= 32
    with server.store.db.read() as tx:
        stored = tx.all("SELECT session_hash, password_hash FROM admin_sessions, admins")
    assert result.cookie not in str(stored)
    assert PASSWORD not in str(stored)
    assert accounts.session(result.cookie) == result.session
    clock.advance(SESSION_HOURS * 3600 + 1)
    assert accounts.session(result.cookie) is None


def test_logout_and_a_new_password_end_the_sessions(accounts: AdminAccounts) -> None:
    first, second = accounts.login("manager", PASSWORD), accounts.login("manager", PASSWORD)
    accounts.logout(first.cookie)
    assert accounts.session(first.cookie) is None
    assert accounts.session(second.cookie) is not None
    assert accounts.add("manager", "a-new-password-1") is False
    assert accounts.session(second.cookie) is None
    assert accounts.login("manager", PASSWORD).ok is False


def test_failed_logins_lock_the_name_for_longer_each_time(
    accounts: AdminAccounts, clock: FakeClock
) -> None:
    for _ in range(FREE_FAILURES):
        assert accounts.login("manager", "wrong-password").locked_seconds == 0
    first = accounts.login("manager", "wrong-password").locked_seconds
    assert first > 0
    refused = accounts.login("manager", PASSWORD)  # the right one, but locked
    assert not refused.ok
    assert 0 < refused.locked_seconds <= first
    clock.advance(first)
    assert accounts.login("manager", "wrong-password").locked_seconds == 2 * first
    clock.advance(2 * first)
    assert accounts.login("manager", PASSWORD).ok  # and the count starts again
    assert accounts.login("manager", "wrong-password").locked_seconds == 0
    assert lock_seconds(60) == MAX_LOCK_SECONDS


def test_an_unknown_name_fails_like_a_wrong_password_and_is_locked_too(
    accounts: AdminAccounts,
) -> None:
    results = [accounts.login("nobody", PASSWORD) for _ in range(FREE_FAILURES + 1)]
    assert not any(result.ok for result in results)
    assert results[-1].locked_seconds > 0
    assert accounts.login("manager", PASSWORD).ok  # another name is not locked


def test_admins_are_listed_and_removed_with_their_sessions(accounts: AdminAccounts) -> None:
    opened = accounts.login("manager", PASSWORD)
    assert [name for name, *_ in accounts.names()] == ["manager"]
    assert accounts.remove("manager") is True
    assert accounts.session(opened.cookie) is None
    assert accounts.remove("manager") is False
    with pytest.raises(AccountError, match="name"):
        accounts.add("no spaces allowed", PASSWORD)
