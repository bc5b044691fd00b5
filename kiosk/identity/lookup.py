"""Asking the hall what it knows of an identified taxpayer (its profile lookup)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from kiosk.hall.base import HallBackend, HallError
from kiosk.identity import texts
from kiosk.settings import Settings
from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, TaxpayerProfile, is_new_taxpayer
from kiosk.text import Text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProfileLookup:
    profile: TaxpayerProfile
    problem: Text | None = None  # set when the hall could not be asked


class IdentificationService:
    """Asks the hall what it knows of an identified taxpayer; never raises to the UI."""

    def __init__(
        self,
        hall: HallBackend,
        settings: Settings,
        today: Callable[[], date],
    ) -> None:
        self._hall = hall
        self._settings = settings
        self._today = today

    def lookup(self, identity: Identity) -> ProfileLookup:
        try:
            profile = self._hall.taxpayer_profile(identity)
        except HallError as error:
            log.warning("taxpayer profile lookup failed: %s", error)
            return ProfileLookup(UNKNOWN_PROFILE, texts.HALL_UNREACHABLE)
        except Exception as error:  # a backend bug must not take the screen down
            log.error("taxpayer profile lookup failed: %s", type(error).__name__)
            return ProfileLookup(UNKNOWN_PROFILE, texts.HALL_UNREACHABLE)
        if not profile.new_taxpayer and is_new_taxpayer(
            profile.registered_on,
            self._today(),
            self._settings.identification.new_taxpayer_days,
        ):
            # A hall server may send only the registration date: new-ness is our rule.
            profile = replace(profile, new_taxpayer=True)
        return ProfileLookup(profile)

    def identify(self, identity: Identity) -> TaxpayerProfile:
        """The taxpayer's profile; the unknown profile when the hall cannot say."""
        return self.lookup(identity).profile
