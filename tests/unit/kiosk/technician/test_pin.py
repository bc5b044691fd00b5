from __future__ import annotations

import base64
import hashlib
import secrets

import pytest

from kiosk.technician import (
    COMMON_PINS,
    PIN_POLICY,
    PinError,
    check_new_pin,
    hash_pin,
    is_pin_hash,
    pin_hash_policy,
    pin_hash_warning,
    verify_pin,
)

CHEAP = {"n": 2**10}


def hash_before_the_policy(pin: str) -> str:
    """A hash as the kiosk wrote it before the PIN policy: six fields, any 4+ digits."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**10, r=8, p=1, dklen=32)
    encoded = (base64.b64encode(part).decode() for part in (salt, digest))
    return "scrypt$1024$8$1$" + "$".join(encoded)


def test_a_pin_is_kept_as_a_salted_scrypt_hash_naming_its_policy() -> None:
    first = hash_pin("482915", **CHEAP)
    second = hash_pin("482915", **CHEAP)
    assert first.startswith("scrypt$1024$8$1$")
    assert first.endswith(f"$policy{PIN_POLICY}")
    assert pin_hash_policy(first) == PIN_POLICY
    assert "482915" not in first
    assert first != second  # a fresh salt each time
    assert verify_pin("482915", first)
    assert verify_pin("482915", second)
    assert not verify_pin("482916", first)


def test_the_default_cost_is_high() -> None:
    assert hash_pin("730519").split("$")[1] == str(2**15)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "scrypt$1024$8$1$!!$??",
        "scrypt$1000$8$1$AA==$AA==",
        "md5$x$y$z$a$b",
        "scrypt$1024$8$1$AA==$AA==$policy",
        "scrypt$1024$8$1$AA==$AA==$other1",
    ],
)
def test_a_malformed_hash_matches_nothing(stored: str) -> None:
    assert not verify_pin("730519", stored)


@pytest.mark.parametrize("last", ["policy", "policy0", "other1", "policy1x", "policy１"])
def test_a_seventh_field_is_a_policy_or_the_hash_is_malformed(last: str) -> None:
    stored = hash_pin("730519", **CHEAP).rsplit("$", 1)[0] + "$" + last
    assert not is_pin_hash(stored)
    assert not verify_pin("730519", stored)


def test_a_hash_from_before_the_policy_still_opens_but_warns() -> None:
    """An upgrade must not lock a hall out: the old 4-digit PIN keeps working."""
    stored = hash_before_the_policy("2468")
    assert is_pin_hash(stored)
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert pin_hash_policy(stored) == 0
    warning = pin_hash_warning(stored)
    assert "older PIN policy" in warning
    assert "kiosk config set-pin" in warning


def test_a_hash_under_the_policy_or_no_hash_has_no_warning() -> None:
    assert pin_hash_warning(hash_pin("730519", **CHEAP)) == ""
    assert pin_hash_warning("") == ""  # no PIN: nothing to say about its strength


def test_the_policy_field_is_not_enough_to_pass_an_old_hash_as_new() -> None:
    stored = hash_before_the_policy("2468") + "$policy1"
    assert pin_hash_warning(stored) == ""  # the field is what the check reads ...
    assert verify_pin("2468", stored)  # ... and it changes nothing about the match


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("12a456", "digits 0-9 only"),
        ("１２３４５６", "digits 0-9 only"),  # full-width digits are digits, not ASCII
        ("", "digits 0-9 only"),
        ("2468", "6 to 12 digits"),
        ("73051", "6 to 12 digits"),
        ("7" * 13, "6 to 12 digits"),
        ("000000", "one digit repeated"),
        ("111111", "one digit repeated"),
        ("99999999", "one digit repeated"),
        ("123456", "counting up or down"),
        ("654321", "counting up or down"),
        ("012345", "counting up or down"),
        ("987654", "counting up or down"),
        ("1234567890", "counting up or down"),
        ("123456789012", "counting up or down"),
        ("3210987", "counting up or down"),
        ("246802", "counting up or down"),
        ("975319", "counting up or down"),
        ("121212", "a short group repeated"),
        ("123123", "a short group repeated"),
        ("520520", "a short group repeated"),
        ("1212121", "a short group repeated"),
        ("73057305", "a short group repeated"),
        ("112233", "most common PINs"),
        ("147258", "most common PINs"),
        ("5201314", "most common PINs"),
    ],
)
def test_pins_that_cannot_be_set_say_why(pin: str, reason: str) -> None:
    with pytest.raises(PinError, match=reason):
        check_new_pin(pin)
    with pytest.raises(PinError):
        hash_pin(pin, **CHEAP)


@pytest.mark.parametrize("pin", sorted(COMMON_PINS))
def test_every_common_pin_is_refused_as_common(pin: str) -> None:
    """Each list entry earns its place: no rule refuses it already."""
    with pytest.raises(PinError, match="most common PINs"):
        check_new_pin(pin)


@pytest.mark.parametrize("pin", ["730519", "482915", "13572468", "907153", "864209", "122334"])
def test_pins_without_a_pattern_are_accepted(pin: str) -> None:
    assert check_new_pin(pin) == pin
