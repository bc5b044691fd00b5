"""Printer profiles: python-escpos's capabilities database plus the kiosk's own settings."""

from __future__ import annotations

import pytest

from drivers.printer.profiles import PROFILES, get_profile
from drivers.printer.python_escpos import capabilities


@pytest.mark.parametrize(
    ("name", "model", "dots", "columns", "cutter", "baud"),
    [
        ("generic80", "TM-T20II", 576, 48, True, 115200),
        ("generic58", "Sunmi-V2", 384, 32, False, 9600),
        ("tm-t88", "TM-T88V", 512, 42, True, 38400),
    ],
)
def test_known_profiles(
    name: str, model: str, dots: int, columns: int, cutter: bool, baud: int
) -> None:
    profile = get_profile(name)
    assert profile.name == name
    assert profile.model == model
    assert (profile.dots, profile.columns, profile.cutter, profile.default_baud) == (
        dots,
        columns,
        cutter,
        baud,
    )
    assert profile.native_qr
    assert profile.chinese_mode
    assert profile.font_a_dots == 12


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profiles_take_the_database_values(name: str) -> None:
    profile = PROFILES[name]
    found = capabilities(profile.model)
    assert (found.dots, found.font_columns, found.native_qr, found.cutter) == (
        profile.dots,
        profile.font_columns,
        profile.native_qr,
        profile.cutter,
    )
    assert profile.code_pages == found.code_pages
    assert profile.code_pages  # the database lists the model's code pages


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_font_a_columns_fill_the_paper(name: str) -> None:
    """The database's column count is what 12-dot font A cells give across the paper."""
    profile = PROFILES[name]
    assert profile.columns == profile.dots // profile.font_a_dots


def test_no_database_model_has_a_gb_code_page() -> None:
    """Why Chinese text is our own layer (FS &): python-escpos cannot select GB18030."""
    for name in PROFILES:
        pages = PROFILES[name].code_pages.values()
        assert not any("GB" in page.upper() for page in pages)


def test_unknown_database_model_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        capabilities("no-such-printer")


def test_unknown_profile_lists_the_known_names() -> None:
    with pytest.raises(KeyError, match="generic58, generic80, tm-t88"):
        get_profile("tm-t20")


def test_profiles_are_keyed_by_their_name() -> None:
    assert all(key == profile.name for key, profile in PROFILES.items())
