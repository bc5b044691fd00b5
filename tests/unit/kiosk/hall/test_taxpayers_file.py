"""The embedded hall's taxpayer profiles: the data file, its checks, the hall's lookup."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.idcard.card import id_check_digit
from drivers.sim.idcard import load_cards
from kiosk.catalog import load_catalog
from kiosk.clock import FakeClock
from kiosk.hall.local import LocalHall
from kiosk.hall.taxpayers_file import ProfileDirectory, load_taxpayers
from kiosk.identity import classify_code, identity_from_card
from kiosk.settings import CONFIG_DIR, ConfigError, Settings, load_settings
from kiosk.startup import StartupError, open_profiles
from kiosk.taxpayer import UNKNOWN_PROFILE, CreditLevel, Identity, IdentityKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA_FILE = CONFIG_DIR / "taxpayers.toml"
# 02:00 UTC is 10:00 in Shanghai, on 2026-11-23.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(overrides={"kiosk": {"data_dir": str(tmp_path / "data")}})


@pytest.fixture
def directory(settings: Settings) -> ProfileDirectory:
    catalog = load_catalog(settings.catalog_path)
    return load_taxpayers(DATA_FILE, known_matters={matter.code for matter in catalog.matters})


def _person(parts: str) -> Identity:
    return Identity(IdentityKind.ID_CARD, parts + id_check_digit(parts), "masked")


def _code(text: str) -> Identity:
    found = classify_code(text)
    assert isinstance(found, Identity)
    return found


def test_the_sample_file_loads_against_the_catalog(directory: ProfileDirectory) -> None:
    assert len(directory) == 7
    assert directory.version


def test_the_sample_file_holds_no_whole_id_number() -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert not re.search(r"\d{17}[\dXx]", text)
    assert '["110105", "19900307", "123"]' in text


def test_the_emulators_card_finds_its_profile(directory: ProfileDirectory) -> None:
    identity = identity_from_card(load_cards()["resident"], TODAY)
    profile = directory.profile(identity, NOW)
    assert profile.known
    assert profile.frequent_matters == ("M0202", "M0302")
    assert [item.starts_at for item in profile.appointments] == [
        datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI),
        datetime(2026, 11, 23, 14, 30, tzinfo=SHANGHAI),
    ]
    assert not profile.new_taxpayer


def test_a_company_by_credit_code_and_by_taxpayer_qr(directory: ProfileDirectory) -> None:
    by_code = directory.profile(_code("91110105MA00000012"), NOW)
    by_qr = directory.profile(_code("HALLTP:91110105MA00000012"), NOW)
    assert by_code == by_qr
    assert by_code.credit_level is CreditLevel.A
    assert by_code.registered_on == date(2015, 6, 18)
    (reminder,) = by_code.reminders
    assert reminder.matter_code == "M0301"
    assert reminder.due == TODAY + timedelta(days=10)
    assert reminder.text.zh
    assert reminder.text.en


def test_an_appointment_code_finds_its_taxpayer(directory: ProfileDirectory) -> None:
    profile = directory.profile(_code("yy10000003"), NOW)
    assert profile.credit_level is CreditLevel.M
    assert [item.code for item in profile.appointments] == ["YY10000002", "YY10000003"]
    assert profile.appointments[1].matter_codes == ("M0203",)


def test_new_taxpayer_relative_to_today(directory: ProfileDirectory) -> None:
    profile = directory.profile(_code("91310104MA00000024"), NOW)
    assert profile.registered_on == TODAY - timedelta(days=20)
    assert profile.new_taxpayer
    permit = directory.profile(_person("810000" + "19920815" + "062"), NOW)
    assert permit.new_taxpayer


def test_new_taxpayer_days_is_a_setting() -> None:
    short = load_taxpayers(DATA_FILE, new_taxpayer_days=10)
    assert not short.profile(_code("91310104MA00000024"), NOW).new_taxpayer


def test_strangers_get_the_unknown_profile(directory: ProfileDirectory) -> None:
    assert directory.profile(_person("110105" + "19491231" + "002"), NOW) == UNKNOWN_PROFILE
    assert directory.profile(_code("91350100M000100Y43"), NOW) == UNKNOWN_PROFILE
    assert directory.profile(_code("YY99999999"), NOW) == UNKNOWN_PROFILE


def test_the_local_hall_asks_the_directory(
    settings: Settings, directory: ProfileDirectory, tmp_path: Path
) -> None:
    clock = FakeClock(NOW)
    hall = LocalHall(tmp_path / "hall.sqlite3", settings, clock, profiles=directory)
    bare = LocalHall(tmp_path / "bare.sqlite3", settings, clock)
    try:
        identity = _code("HALLTP:93510104MA0000004H")
        assert hall.taxpayer_profile(identity).credit_level is CreditLevel.D
        assert bare.taxpayer_profile(identity) == UNKNOWN_PROFILE
    finally:
        hall.close()
        bare.close()


def test_the_app_loads_the_configured_file(settings: Settings) -> None:
    catalog = load_catalog(settings.catalog_path)
    assert len(open_profiles(settings, catalog)) == 7


# ---- broken files ----------------------------------------------------------------------

GOOD_COMPANY = """
[companies.91110105MA00000012]
credit_level = "A"
registered_on = 2015-06-18
"""


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (
            '[companies.91110105MA00000012]\ncredit_level = "E"\n',
            "companies.91110105MA00000012.credit_level",
            "'A', 'B', 'M', 'C' or 'D'",
        ),
        (
            "[companies.91110105MA00000013]\n",
            "companies.91110105MA00000013",
            "check character would be 2",
        ),
        ("[companies.12345]\n", "companies.12345", "18 characters"),
        (
            '[people.x]\nid_number = ["110105", "1990030", "123"]\n',
            "people.x.id_number",
            "17 digits",
        ),
        (
            '[people.x]\nid_number = ["110105", "19900307", "123"]\nfrequent_matters = ["M9999"]\n',
            "people.x.frequent_matters",
            "no matter 'M9999'",
        ),
        (
            GOOD_COMPANY + 'appointments = [{ code = "YY1", at = "09:30", matters = ["M0201"] }]\n',
            "companies.91110105MA00000012.appointments.0.code",
            "should match pattern",
        ),
        (
            GOOD_COMPANY
            + 'appointments = [{ code = "YY10000001", at = "9h", matters = ["M0201"] }]\n',
            "companies.91110105MA00000012.appointments.0.at",
            "time",
        ),
        (
            GOOD_COMPANY
            + 'appointments = [{ code = "YY10000001", at = "09:30", matters = ["M0201"] },'
            ' { code = "YY10000001", at = "10:30", matters = ["M0201"] }]\n',
            "companies.91110105MA00000012.appointments.1.code",
            "YY10000001 is used twice",
        ),
        (
            GOOD_COMPANY + 'reminders = [{ matter = "M0301", text = { zh = "申报" } }]\n',
            "companies.91110105MA00000012.reminders.0.text.en",
            "Field required",
        ),
        (
            GOOD_COMPANY + "registered_days_ago = 3\n",
            "companies.91110105MA00000012",
            "not both",
        ),
        (GOOD_COMPANY + "credit = 1\n", "companies.91110105MA00000012.credit", "unknown key"),
        ("[company]\n", "company", "unknown key"),
    ],
)
def test_a_broken_file_names_file_and_key(tmp_path: Path, text: str, key: str, reason: str) -> None:
    path = tmp_path / "taxpayers.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_taxpayers(path, known_matters={"M0201", "M0301"})
    problems = [problem for problem in error.value.problems if problem.key == key]
    assert problems, str(error.value)
    assert problems[0].file == str(path)
    assert reason in problems[0].reason


def test_not_toml_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "taxpayers.toml"
    path.write_text("[companies\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as error:
        load_taxpayers(path)
    assert str(path) in str(error.value)
    with pytest.raises(ConfigError, match="file not found"):
        load_taxpayers(tmp_path / "nowhere.toml")


def test_the_app_refuses_to_start_on_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "taxpayers.toml"
    path.write_text('[companies.91110105MA00000012]\ncredit_level = "E"\n', encoding="utf-8")
    settings = load_settings(
        overrides={
            "kiosk": {"data_dir": str(tmp_path / "data")},
            "identification": {"taxpayers": str(path)},
        }
    )
    with pytest.raises(StartupError, match=r"companies\.91110105MA00000012\.credit_level"):
        open_profiles(settings, load_catalog(settings.catalog_path))
