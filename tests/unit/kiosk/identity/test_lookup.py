"""Asking the hall what it knows of a taxpayer; never failing the screen."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import cast

import pytest

from kiosk.hall.base import HallBackend, HallError
from kiosk.identity import IdentificationService, mask_credit_code
from kiosk.identity.texts import HALL_UNREACHABLE
from kiosk.settings import Settings, load_settings
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, IdentityKind, TaxpayerProfile

# The worked example of GB 32100, and codes made up for the sample hall.
GB_EXAMPLE = "91350100M000100Y43"
TODAY = date(2026, 11, 22)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(overrides={"kiosk": {"data_dir": str(tmp_path)}})


class _StubHall:
    def __init__(self, answer: TaxpayerProfile | Exception) -> None:
        self.answer = answer

    def taxpayer_profile(self, identity: Identity) -> TaxpayerProfile:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _service(answer: TaxpayerProfile | Exception, settings: Settings) -> IdentificationService:
    return IdentificationService(cast(HallBackend, _StubHall(answer)), settings, lambda: TODAY)


IDENTITY = Identity(IdentityKind.CREDIT_CODE, GB_EXAMPLE, mask_credit_code(GB_EXAMPLE))


@pytest.mark.parametrize("error", [HallError("hall database failed"), RuntimeError("bug")])
def test_a_failing_hall_gives_the_unknown_profile_and_a_message(
    settings: Settings, error: Exception
) -> None:
    service = _service(error, settings)
    assert service.identify(IDENTITY) == UNKNOWN_PROFILE
    lookup = service.lookup(IDENTITY)
    assert lookup.profile == UNKNOWN_PROFILE
    assert lookup.problem == HALL_UNREACHABLE


@pytest.mark.parametrize(("days", "new"), [(0, True), (89, True), (90, False), (400, False)])
def test_new_taxpayer_from_the_registration_date(settings: Settings, days: int, new: bool) -> None:
    profile = TaxpayerProfile(registered_on=TODAY - timedelta(days=days))
    found = _service(profile, settings).identify(IDENTITY)
    assert found.new_taxpayer is new
    assert found.registered_on == profile.registered_on
    assert _service(profile, settings).lookup(IDENTITY).problem is None


def test_the_hall_saying_new_is_kept(settings: Settings) -> None:
    profile = TaxpayerProfile(new_taxpayer=True)
    assert _service(profile, settings).identify(IDENTITY).new_taxpayer
