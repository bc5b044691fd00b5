"""Trust no client (#15, finding 8): taxpayer profiles are keyed under a server secret kept
outside the database, a token is no oracle (lookups per token are limited and answer only
what a kiosk acts on), and the kind a kiosk names is the kind looked up."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from drivers.idcard.card import id_check_digit
from kiosk.clock import FakeClock
from kiosk.hall.api import identity_key_hash
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.profile_lookup import (
    LOOKUPS_PER_MINUTE,
    DirectoryProfiles,
    load_profile_secret,
    profile_secret_path,
)
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import ConfigError, Settings, load_settings
from kiosk.taxpayer import IdentityKind

CONFIG = Path(__file__).resolve().parents[3] / "config"
COMPANY_A = "91110105MA00000012"  # config/taxpayers.toml: A credit, appointment YY10000001
COMPANY_B = "92440305MA00000030"  # B credit: no priority, so not a kiosk's business
FIRST17 = "11010519900307123"  # people.resident, appointments YY20000001 and YY20000002
RESIDENT = FIRST17 + id_check_digit(FIRST17)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("catalog.toml", "rules.toml", "taxpayers.toml"):
        shutil.copy(CONFIG / name, config / name)
    return load_settings(
        overrides={
            "hall": {"catalog": str(config / "catalog.toml")},
            "routing": {"rules": str(config / "rules.toml")},
            "identification": {"taxpayers": str(config / "taxpayers.toml")},
            "kiosk": {"data_dir": str(tmp_path / "data")},
        }
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 0, 30, tzinfo=UTC))  # 08:30 in the hall


class Server:
    def __init__(self, db: Path, settings: Settings, clock: FakeClock) -> None:
        self.running: RunningHall = start_in_thread(
            db, settings, clock=clock, options=ServerOptions(catalog_poll_seconds=0.05)
        )
        self.clients = {
            kiosk: httpx.Client(
                base_url=self.running.url,
                headers={"Authorization": f"Bearer {create_token(db, kiosk, settings)}"},
                timeout=20,
            )
            for kiosk in ("K01", "K02")
        }

    def lookup(self, kind: str, key: str, kiosk: str = "K01") -> httpx.Response:
        body = {"kind": kind, "key_hash": identity_key_hash(key)}
        return self.clients[kiosk].post("/v1/profiles/lookup", json=body)

    def found(self, kind: str, key: str) -> dict[str, Any]:
        answer = self.lookup(kind, key)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def stop(self) -> None:
        for client in self.clients.values():
            client.close()
        self.running.stop()


@pytest.fixture
def server(tmp_path: Path, settings: Settings, clock: FakeClock) -> Iterator[Server]:
    running = Server(tmp_path / "hall.sqlite3", settings, clock)
    yield running
    running.stop()


def test_the_secret_is_a_0600_file_beside_the_database_made_once(
    server: Server, tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "hall.sqlite3.profile-key"
    assert profile_secret_path(tmp_path / "hall.sqlite3", settings) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = load_profile_secret(path)
    assert len(secret) == 32
    assert load_profile_secret(path) == secret  # a restart keeps it
    assert path.read_text(encoding="ascii").strip() == secret.hex()
    database = (tmp_path / "hall.sqlite3").read_bytes()
    assert secret.hex().encode() not in database  # outside the database
    postgres = profile_secret_path("postgresql:///halls", settings)
    assert postgres == settings.data_path / "hall-profile.key"


def test_a_damaged_secret_stops_the_server_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "hall.sqlite3.profile-key"
    path.write_text("not hex\n", encoding="ascii")
    with pytest.raises(ConfigError, match="not a profile secret"):
        load_profile_secret(path)


def test_a_copied_index_holds_no_hash_an_id_number_can_be_found_from(
    settings: Settings,
) -> None:
    secret = bytes(range(32))
    profiles = DirectoryProfiles(
        settings.config_dir / settings.identification.taxpayers, secret=secret
    )
    held = set(profiles.keyed_hashes())
    plain = identity_key_hash(RESIDENT)
    # The attack of the finding: region and birth date known, the sequence tried.
    tried = {
        identity_key_hash(f"11010519900307{n:03d}" + id_check_digit(f"11010519900307{n:03d}"))
        for n in range(1000)
    }
    assert plain in tried
    assert not tried & held  # without the secret, no guess matches what is held
    other = DirectoryProfiles(
        settings.config_dir / settings.identification.taxpayers, secret=bytes(32)
    )
    assert not held & set(other.keyed_hashes())  # another secret, other hashes
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert profiles.lookup(IdentityKind.ID_CARD, plain, now).known


def test_the_kind_the_kiosk_names_is_the_kind_looked_up(server: Server) -> None:
    assert server.found("credit_code", COMPANY_A)["known"] is True
    assert server.found("taxpayer_qr", COMPANY_A)["known"] is True  # a QR carries the code
    assert server.found("id_card", COMPANY_A)["known"] is False
    assert server.found("appointment_code", COMPANY_A)["known"] is False
    assert server.found("id_card", RESIDENT)["known"] is True
    assert server.found("credit_code", RESIDENT)["known"] is False


def test_a_lookup_answers_only_what_a_kiosk_acts_on(server: Server) -> None:
    person = server.found("id_card", RESIDENT)
    assert person["registered_on"] is None  # the date is not the kiosk's business
    codes = [item["code"] for item in person["appointments"]]
    assert codes == ["YY****0001", "YY****0002"]  # the bookings, not their codes
    booked = server.found("appointment_code", "YY20000002")
    assert [item["code"] for item in booked["appointments"]] == ["YY20000002"]  # only that one
    assert server.found("credit_code", COMPANY_A)["credit_level"] == "A"  # earns priority
    b_credit = server.found("credit_code", COMPANY_B)
    assert b_credit["known"] is True
    assert b_credit["credit_level"] is None  # no priority: not said


def test_lookups_are_limited_per_token(server: Server, clock: FakeClock) -> None:
    for _ in range(LOOKUPS_PER_MINUTE):
        assert server.lookup("credit_code", COMPANY_A).status_code == 200
    refused = server.lookup("credit_code", COMPANY_A)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json() == {"detail": "too many profile lookups"}
    assert server.lookup("credit_code", COMPANY_A, kiosk="K02").status_code == 200  # per token
    clock.advance(timedelta(seconds=60 / LOOKUPS_PER_MINUTE).total_seconds())
    assert server.lookup("credit_code", COMPANY_A).status_code == 200  # refilled in time
    assert server.lookup("credit_code", COMPANY_A).status_code == 429
