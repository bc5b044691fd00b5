"""The offline range a kiosk derives from its id before the hall server assigned it
one, and the ids for which that derivation is unsafe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.settings.problems import ConfigProblem

if TYPE_CHECKING:
    from kiosk.settings.schema import Settings

FIRST_OFFLINE_NUMBER = 900
DERIVED_RANGE_SIZE = 20


def _trailing_number(kiosk_id: str) -> int | None:
    digits = kiosk_id[len(kiosk_id.rstrip("0123456789")) :]
    return int(digits) if digits else None


def derived_offline_range(kiosk_id: str) -> tuple[int, int] | None:
    """900 + 20 x (n - 1) .. +19 for an id ending in n (K01: 900-919); None when the
    id ends in no number, in 0, or in one past the last range (K06)."""
    n = _trailing_number(kiosk_id)
    if n is None or n < 1:
        return None
    first = FIRST_OFFLINE_NUMBER + DERIVED_RANGE_SIZE * (n - 1)
    last = first + DERIVED_RANGE_SIZE - 1
    return (first, last) if last <= 999 else None


def offline_range_problems(settings: Settings, file: str = "") -> list[ConfigProblem]:
    """A kiosk of a hall server with no hall.offline_range derives its range from the
    trailing digits of its id: K01, K1, EAST-1 and HALL2-K01 would all print 900-919
    until the server assigned each its own. Only the ids K01 .. K05 keep that
    derivation unambiguous."""
    if settings.hall.backend != "http" or settings.hall.offline_range:
        return []
    kiosk_id = settings.kiosk.id
    derived = derived_offline_range(kiosk_id)
    n = _trailing_number(kiosk_id)
    if derived is None or n is None or kiosk_id == f"K{n:02d}":
        return []
    reason = (
        f"{kiosk_id!r} derives the offline range {derived[0]}-{derived[1]} from its trailing"
        f" digits, the same as K{n:02d} and every other id ending in {n}: set"
        " hall.offline_range to a range no other kiosk of the hall uses, or name it"
        f" K{n:02d} if that id is free"
    )
    return [ConfigProblem(file, "kiosk.id", reason)]
