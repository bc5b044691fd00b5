"""Printer profiles as data."""

from __future__ import annotations

import pytest

from drivers.printer.profiles import PROFILES, get_profile


@pytest.mark.parametrize(
    ("name", "dots", "columns", "cutter", "baud"),
    [
        ("generic80", 576, 48, True, 115200),
        ("generic58", 384, 32, False, 9600),
        ("tm-t88", 512, 42, True, 38400),
    ],
)
def test_known_profiles(name: str, dots: int, columns: int, cutter: bool, baud: int) -> None:
    profile = get_profile(name)
    assert profile.name == name
    assert (profile.dots, profile.columns, profile.cutter, profile.default_baud) == (
        dots,
        columns,
        cutter,
        baud,
    )
    assert profile.native_qr
    assert profile.chinese_mode
    assert profile.font_a_dots == 12


def test_unknown_profile_lists_the_known_names() -> None:
    with pytest.raises(KeyError, match="generic58, generic80, tm-t88"):
        get_profile("tm-t20")


def test_profiles_are_keyed_by_their_name() -> None:
    assert all(key == profile.name for key, profile in PROFILES.items())
