"""One running hall server: its halls (each with its settings, catalog and store on
the one database), event broker, token cache and taxpayer profiles.

The server's own settings are hall `main` (DEFAULT_HALL); `ServerOptions.halls` adds
more, each with its own settings (`kiosk hall serve --halls DIR`: one file per hall,
named after it, over the server's settings). No web framework here: the command line
builds `ServerOptions` without loading it.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kiosk.clock import Clock, SystemClock
from kiosk.hall import api
from kiosk.hall.province.config import ProvinceConfig
from kiosk.hall.province.upkeep import EvaluationUpkeep
from kiosk.hall.server.catalog import CatalogSource, CatalogWatcher
from kiosk.hall.server.event_bus import SharedEvents, is_postgres
from kiosk.hall.server.events import MAX_STREAMS_PER_ADDRESS, PING_SECONDS, EventBroker
from kiosk.hall.server.principal import Forbidden, Principal, refuse
from kiosk.hall.server.profile_lookup import (
    DirectoryProfiles,
    LookupLimit,
    NoProfiles,
    ProfileSource,
    load_profile_secret,
    profile_secret_path,
)
from kiosk.hall.server.screens.source import ScreenSource
from kiosk.hall.server.store import HallStore, Location
from kiosk.hall.server.store.evaluation_core import staff_of_windows
from kiosk.hall.server.token_cache import CHECK_SECONDS, TokenCache
from kiosk.queue import DEFAULT_HALL, Transaction
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
    # The other halls of this server and their settings (the server's own: "main").
    halls: dict[str, Settings] = field(default_factory=dict)
    token_check_seconds: float = CHECK_SECONDS
    # The province 好差评 platform (`--province FILE`); None: nothing is reported upward.
    province: ProvinceConfig | None = None
    # Events go through the database, for streams held by other worker processes
    # (kiosk hall serve --workers N sets it; always so on PostgreSQL).
    shared_events: bool = False
    max_streams_per_address: int = MAX_STREAMS_PER_ADDRESS
    # How often an open /v1/events stream checks that its token is still valid.
    stream_token_check_seconds: float = PING_SECONDS


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


@dataclass
class HallSite:
    """One hall of the server: its settings, catalog and queue."""

    name: str
    settings: Settings
    catalog: CatalogSource
    store: HallStore


class HallServer:
    """Everything one running server holds: halls, events, tokens, profiles.

    `settings`, `catalog` and `store` are hall main's (the whole server when it runs
    one hall)."""

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
        every = {DEFAULT_HALL: settings, **self.options.halls}
        catalogs = {
            name: CatalogSource(each.catalog_path, each.rules_path) for name, each in every.items()
        }
        self.catalog = catalogs[DEFAULT_HALL]
        self.profiles = self.options.profiles or self._profiles_file(location)
        self.lookup_limit = LookupLimit()  # profile lookups per token
        self.listen_url = ""  # the address it is bound to: set by the runner
        self.store = HallStore(
            location, every[DEFAULT_HALL], clock or SystemClock(), self.options.offline_floor
        )
        self.halls = {
            name: HallSite(
                name,
                each,
                catalogs[name],
                self.store if name == DEFAULT_HALL else self.store.for_hall(name, each),
            )
            for name, each in every.items()
        }
        self.clock = HallClock(self.store)
        self.broker = EventBroker(self.options.max_streams_per_address)
        if self.options.shared_events or is_postgres(location):
            self.broker.use(SharedEvents(location, self.store.db, self.broker))
        self.tokens = TokenCache(self.store, self.options.token_check_seconds)
        self.tokens.start()
        self._watchers = [
            CatalogWatcher(
                site.catalog,
                functools.partial(self._catalog_of_hall_updated, name),
                self.options.catalog_poll_seconds,
            )
            for name, site in self.halls.items()
        ]
        for watcher in self._watchers:
            watcher.start()
        # The calling display, window screens and phone page of every hall.
        self.screens = self._screen_source(self.halls[DEFAULT_HALL])
        for name, site in self.halls.items():
            if name != DEFAULT_HALL:
                self.screens.add_hall(self._screen_source(site))
        self.evaluation_upkeep = EvaluationUpkeep(self.store, self.options.province)
        self.evaluation_upkeep.start()

    def site(self, principal: Principal) -> HallSite:
        """The principal's hall; Forbidden when this server does not serve it."""
        found = self.halls.get(principal.hall)
        if found is None:
            raise refuse(principal, f"use hall {principal.hall}: not served here")
        return found

    def site_of_ticket(self, ticket_id: str) -> HallSite:
        """The hall of a ticket, whichever it is (the phone page has only the ticket's
        id); hall main's when no hall served here has it (its store then says 404)."""
        with self.store.db.read() as tx:
            row = tx.one("SELECT hall FROM tickets WHERE ticket_id = ?", (ticket_id,))
        found = None if row is None else self.halls.get(str(row[0]))
        return found or self.halls[DEFAULT_HALL]

    def _screen_source(self, site: HallSite) -> ScreenSource:
        hall = site.store.hall

        def staff(tx: Transaction) -> dict[int, str]:
            return staff_of_windows(tx, hall)

        return ScreenSource(
            site.settings, site.store.engine, site.store.db, self.broker, staff=staff
        )

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

    def _catalog_of_hall_updated(self, hall: str, version: str) -> None:
        self.catalog_updated(version, hall)

    def catalog_updated(self, version: str, hall: str = DEFAULT_HALL) -> None:
        log.info("catalog version %s of hall %s", version, hall)
        self.publish("catalog_updated", catalog_version=version, hall=hall)

    def publish(self, kind: str, **data: Any) -> dict[str, Any]:
        """An event to the watchers of its hall (`hall`; main when not named)."""
        event = {"kind": kind, "at": self.clock.now().isoformat(), "hall": DEFAULT_HALL, **data}
        return self.broker.publish(event)

    def close(self) -> None:
        self.evaluation_upkeep.stop()
        for watcher in self._watchers:
            watcher.stop()
        self.tokens.stop()
        self.broker.close()
        self.store.close()


__all__ = ["Forbidden", "HallClock", "HallServer", "HallSite", "ServerOptions"]
