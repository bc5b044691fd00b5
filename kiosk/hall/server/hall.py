"""One running hall server: its store, event broker, catalog and taxpayer profiles.

No web framework here: the command line builds `ServerOptions` without loading it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.clock import Clock, SystemClock
from kiosk.hall import api
from kiosk.hall.server.catalog import CatalogSource, CatalogWatcher
from kiosk.hall.server.events import EventBroker
from kiosk.hall.server.profile_lookup import (
    DirectoryProfiles,
    LookupLimit,
    NoProfiles,
    ProfileSource,
    load_profile_secret,
    profile_secret_path,
)
from kiosk.hall.server.store import HallStore, Location
from kiosk.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ServerOptions:
    offline_floor: int = api.DEFAULT_OFFLINE_FLOOR
    max_body_bytes: int = api.MAX_BODY_BYTES
    public_url: str = ""  # base of status_url; empty: hall.url, else where it listens
    catalog_poll_seconds: float = 1.0
    # None: the taxpayers file of the settings (identification.taxpayers), if present.
    profiles: ProfileSource | None = None


class HallClock:
    """The server's time as every answer carries it: kiosks set their clocks by it."""

    def __init__(self, store: HallStore) -> None:
        self._store = store

    def now(self) -> datetime:
        return self._store.now()

    def business_day(self, now: datetime | None = None) -> date:
        return self._store.business_day(now)

    def stamp(self) -> dict[str, Any]:
        """`server_time` and `business_day`, the fields every answer starts with."""
        now = self._store.now()
        return {"server_time": now, "business_day": self._store.business_day(now)}


class HallServer:
    """Everything one running server holds: store, events, catalog, profiles."""

    def __init__(
        self,
        location: Location,
        settings: Settings,
        clock: Clock | None = None,
        options: ServerOptions | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or ServerOptions()
        # The files first: a ConfigError leaves nothing open.
        self.catalog = CatalogSource(settings.catalog_path, settings.rules_path)
        self.profiles = self.options.profiles or self._profiles_file(location)
        self.lookup_limit = LookupLimit()  # profile lookups per token
        self.listen_url = ""  # the address it is bound to: set by the runner
        self.store = HallStore(
            location, settings, clock or SystemClock(), self.options.offline_floor
        )
        self.clock = HallClock(self.store)
        self.broker = EventBroker()
        self._watcher = CatalogWatcher(
            self.catalog, self.catalog_updated, self.options.catalog_poll_seconds
        )
        self._watcher.start()

    def _profiles_file(self, location: Location) -> ProfileSource:
        section = self.settings.identification
        path = section.taxpayers
        path = path if path.is_absolute() else self.settings.config_dir / path
        if not path.is_file():
            return NoProfiles()
        return DirectoryProfiles(
            path,
            secret=load_profile_secret(profile_secret_path(location, self.settings)),
            new_taxpayer_days=section.new_taxpayer_days,
            timezone=self.settings.kiosk.timezone,
            known_matters={m["code"] for m in self.catalog.current.catalog.get("matters", [])},
        )

    def catalog_updated(self, version: str) -> None:
        log.info("catalog version %s", version)
        self.publish("catalog_updated", catalog_version=version)

    def publish(self, kind: str, **data: Any) -> dict[str, Any]:
        return self.broker.publish({"kind": kind, "at": self.clock.now().isoformat(), **data})

    def close(self) -> None:
        self._watcher.stop()
        self.broker.close()
        self.store.close()
