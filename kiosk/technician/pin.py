"""The technician's PIN: digits only, kept as a salted scrypt hash, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12

# scrypt cost: 2**15 x 8 x 1 needs 32 MiB and about a tenth of a second per try,
# which makes guessing a 6-digit PIN from a stolen hash take days, not seconds.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_MAXMEM = 128 * 1024 * 1024
_SCHEME = "scrypt"


class PinError(ValueError):
    """A PIN that cannot be set; the message says why."""


def check_new_pin(pin: str) -> str:
    """A PIN is typed on an on-screen digit pad: digits only, 4 to 12 of them."""
    if not pin.isdigit() or not pin.isascii():
        raise PinError("a PIN is digits only (the menu has a digit pad)")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise PinError(f"a PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    if len(set(pin)) == 1:
        raise PinError("a PIN of one repeated digit is too easy to guess")
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """`scrypt$n$r$p$salt$hash`: one string, for the setting `technician.pin_hash`."""
    check_new_pin(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
    return f"{_SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash; a malformed hash matches nothing."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return False
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
        if n < 2 or n & (n - 1) or n > 2**20 or not 1 <= r <= 32 or not 1 <= p <= 16:
            return False
        actual = hashlib.scrypt(
            pin.encode("utf-8"),
            salt=salt,
            n=n,
            r=r,
            p=p,
            maxmem=_SCRYPT_MAXMEM,
            dklen=len(expected) or 32,
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def is_pin_hash(value: str) -> bool:
    return value.startswith(_SCHEME + "$") and len(value.split("$")) == 6
