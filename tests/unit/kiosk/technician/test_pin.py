from __future__ import annotations

import pytest

from kiosk.technician import (
    PinError,
    check_new_pin,
    hash_pin,
    verify_pin,
)

CHEAP = {"n": 2**10}


def test_a_pin_is_kept_as_a_salted_scrypt_hash() -> None:
    first = hash_pin("482915", **CHEAP)
    second = hash_pin("482915", **CHEAP)
    assert first.startswith("scrypt$1024$8$1$")
    assert "482915" not in first
    assert first != second  # a fresh salt each time
    assert verify_pin("482915", first)
    assert verify_pin("482915", second)
    assert not verify_pin("482916", first)


def test_the_default_cost_is_high() -> None:
    assert hash_pin("1357").split("$")[1] == str(2**15)


@pytest.mark.parametrize(
    "stored", ["", "plain", "scrypt$1024$8$1$!!$??", "scrypt$1000$8$1$AA==$AA==", "md5$x$y$z$a$b"]
)
def test_a_malformed_hash_matches_nothing(stored: str) -> None:
    assert not verify_pin("1357", stored)


@pytest.mark.parametrize("pin", ["12a4", "123", "1" * 13, "1111", "１２３４"])
def test_pins_that_cannot_be_set(pin: str) -> None:
    with pytest.raises(PinError):
        check_new_pin(pin)
