"""The technician's PIN: the policy a new PIN must meet, and its salted scrypt hash,
compared in constant time.

The policy (PIN_POLICY, version 1): 6 to 12 ASCII digits (the menu has a digit pad),
and none of the PINs a guesser tries first: one digit repeated, digits counting up or
down, a short group repeated, or one of the most common PINs. Each refusal says why in
words a technician understands.

A hash records the policy it was made under as a last field, `policyN`; a hash made
before the policy (six fields, perhaps a 4-digit PIN) still opens the menu, so that an
upgrade locks no hall out, but `kiosk config check` warns about it (pin_hash_warning).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from itertools import pairwise

PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
PIN_POLICY = 1  # raise it when the rules below get stricter: older hashes then warn

# scrypt cost: 2**15 x 8 x 1 needs 32 MiB and about a tenth of a second per try,
# which makes guessing a 6-digit PIN from a stolen hash take days, not seconds.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_MAXMEM = 128 * 1024 * 1024
_SCHEME = "scrypt"
_POLICY_FIELD = "policy"

# The most common PINs of 6 digits or more that the rules below do not already refuse:
# the leaked-PIN studies' top lists (Wang et al. 2017, for Chinese users too), shapes
# on a digit pad, mirrored halves, and the number words 520 / 1314 (我爱你 / 一生一世).
COMMON_PINS = frozenset(
    {
        "112233", "332211", "111222", "222111", "111000", "000111", "123321", "321123",
        "112211", "159951", "147258", "258369", "147258369", "369258", "741852", "852963",
        "963852", "147852", "159357", "159753", "753951", "951753", "789456", "456123",
        "123654", "654123", "321654", "123789", "789123", "147369", "102030", "100200",
        "123000", "100000", "666888", "888666", "998877", "5201314", "1314520", "131420",
        "201314", "521314", "520131",
    }
)  # fmt: skip


class PinError(ValueError):
    """A PIN that cannot be set; the message says why."""


def check_new_pin(pin: str) -> str:
    """The PIN when it meets the policy; PinError saying why when it does not."""
    if not (pin.isascii() and pin.isdigit()):
        raise PinError("a PIN is digits 0-9 only (the menu has a digit pad)")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise PinError(f"a PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    reason = _guessable(pin)
    if reason:
        raise PinError(f"{reason}: it is among the first PINs anyone tries; choose another")
    return pin


def _guessable(pin: str) -> str:
    """Why `pin` is easy to guess, or ""."""
    if len(set(pin)) == 1:
        return "one digit repeated (like 111111)"
    steps = {(int(later) - int(earlier)) % 10 for earlier, later in pairwise(pin)}
    if len(steps) == 1 and steps <= {1, 2, 8, 9}:
        return "digits counting up or down (like 123456, 987654 or 246802)"
    if any(
        all(digit == pin[index % size] for index, digit in enumerate(pin))
        for size in range(2, len(pin) // 2 + 1)
    ):
        return "a short group repeated (like 121212 or 123123)"
    if pin in COMMON_PINS:
        return "one of the most common PINs (like 112233 or 147258)"
    return ""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """`scrypt$n$r$p$salt$hash$policyN`: one string, for the setting `technician.pin_hash`."""
    check_new_pin(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
    return f"{_SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}${_POLICY_FIELD}{PIN_POLICY}"


def _fields(stored: str) -> list[str] | None:
    """The six hash fields of `stored` (the policy field dropped), or None if malformed."""
    parts = stored.split("$")
    if len(parts) == 7 and pin_hash_policy(stored) > 0:
        parts = parts[:6]
    return parts if len(parts) == 6 and parts[0] == _SCHEME else None


def pin_hash_policy(stored: str) -> int:
    """The PIN policy a hash was made under; 0 for one made before the policy."""
    parts = stored.split("$")
    number = parts[-1].removeprefix(_POLICY_FIELD)
    if len(parts) != 7 or number == parts[-1] or not (number.isascii() and number.isdigit()):
        return 0
    return int(number)


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash; a malformed hash matches nothing.

    A hash made before the policy (a 4-digit PIN, say) still matches its PIN."""
    parts = _fields(stored)
    if parts is None:
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
    return _fields(value) is not None


def pin_hash_warning(stored: str) -> str:
    """What `kiosk config check` says about a PIN hash below today's policy, or "".

    Only the hash is known, not the PIN: a hash without the current policy field was
    set under older rules (before the policy: 4 digits were allowed)."""
    if not is_pin_hash(stored) or pin_hash_policy(stored) >= PIN_POLICY:
        return ""
    return (
        "technician.pin_hash was set under an older PIN policy (the PIN may be as short as "
        f"4 digits); it still opens the menu, but set a PIN of {PIN_MIN_DIGITS} or more "
        "digits with `kiosk config set-pin`"
    )
