"""New catalog and routing rules versions from the hall server, without a restart.

With a hall server (hall.backend = "http") the server is where the hall's matter
catalog and routing rules live (kiosk/hall/server/catalog.py serves them with a
version). A CatalogUpdater thread asks for the version at start, on every
``catalog_updated`` event of the server's stream, when the link comes back online,
and every ``hall.catalog_check_seconds`` as a safety net. A new version is
downloaded and checked as the kiosk checks its own files (kiosk.catalog.parse_catalog,
kiosk.triage.parse_rules and check_rules against this kiosk's queues):

- a version that fails is refused: the kiosk keeps the one it has, logs the reason
  and journals ``catalog.refused`` (the technician sees it in the journal, the hall
  server through the outbox, and in ``CatalogUpdater.status()``); it is not fetched
  again until the server serves another version;
- a good one is saved atomically in the data directory (a kiosk restarted offline
  starts with the last version it had, not the possibly older files of config/)
  and offered to the listeners: the Kiosk (kiosk/app.py), whose window applies it
  between visits (ui/catalog_updates.py).

No Qt here; listeners run on the sync thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from drivers.background import BackgroundThread
from kiosk.atomic_file import write_atomically
from kiosk.catalog import Catalog, parse_catalog
from kiosk.clock import Clock
from kiosk.hall import api
from kiosk.hall.base import HallBackend, HallEvent, HallEventKind
from kiosk.hall.link import HallLink, LinkStatus
from kiosk.journal import Journal
from kiosk.settings import ConfigError, Settings
from kiosk.triage import RuleSet, check_rules, parse_rules, rules_for

log = logging.getLogger(__name__)

CACHE_FILE = "catalog-release.json"
CACHE_FORMAT = 1
MAX_REASON = 600  # characters of a refusal's reason kept in the journal


@dataclass(frozen=True)
class CatalogRelease:
    """One checked version of the catalog and rules, ready to be applied."""

    version: str
    catalog: Catalog
    # None: the kiosk's own rules file (routing.rules), read as without a hall server.
    rules: RuleSet | None
    origin: str  # "hall server", "saved" (the data directory), "files" (config/)


class CatalogRefused(Exception):
    """A version that cannot be used; `problems` says why, one line each."""

    def __init__(self, version: str, problems: list[str]) -> None:
        self.version = version
        self.problems = problems or ["no reason given"]
        super().__init__(f"catalog version {version} refused: {self.reason}")

    @property
    def reason(self) -> str:
        shown = "; ".join(self.problems[:5])
        more = len(self.problems) - 5
        text = shown + (f" (and {more} more)" if more > 0 else "")
        return text[:MAX_REASON]


def validate_release(
    settings: Settings,
    version: str,
    raw_catalog: object,
    raw_rules: object,
    origin: str,
) -> CatalogRelease:
    """The release, or CatalogRefused naming every problem (never another exception)."""
    source = f"catalog {version}"
    if not isinstance(raw_catalog, dict):
        raise CatalogRefused(version, ["the catalog is not a table"])
    if raw_rules is not None and not isinstance(raw_rules, dict):
        raise CatalogRefused(version, ["the routing rules are not a table"])
    try:
        catalog = parse_catalog(raw_catalog, source)
        rules = None if raw_rules is None else parse_rules(raw_rules, f"{source} rules")
        # Without rules from the server the kiosk routes by its own file: it must fit too.
        checked = rules if rules is not None else rules_for(settings)
        problems = check_rules(checked, settings, catalog, f"{source} rules")
    except ConfigError as error:
        raise CatalogRefused(version, [str(problem) for problem in error.problems]) from None
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        raise CatalogRefused(version, [f"unreadable: {type(error).__name__}"]) from None
    if problems:
        raise CatalogRefused(version, [str(problem) for problem in problems])
    return CatalogRelease(version, catalog, rules, origin)


class CatalogCache:
    """The last good version from the hall server, as the server sent it (JSON)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, version: str, raw_catalog: Mapping[str, Any], raw_rules: object) -> None:
        """Atomically: a crash leaves the old file or the new one, never half of one.
        Raises OSError."""
        text = json.dumps(
            {
                "format": CACHE_FORMAT,
                "version": version,
                "catalog": raw_catalog,
                "rules": raw_rules,
            },
            ensure_ascii=False,
        )
        write_atomically(self.path, text.encode("utf-8"))

    def load(self, settings: Settings) -> CatalogRelease | None:
        """The saved release, checked again (the kiosk's queues may have changed);
        None when there is none or it cannot be used (logged)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            log.warning("the saved catalog %s cannot be read: %s", self.path, error)
            return None
        try:
            saved = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            log.warning("the saved catalog %s is damaged; using the files of config/", self.path)
            return None
        if not isinstance(saved, dict) or not isinstance(saved.get("version"), str):
            log.warning("the saved catalog %s is damaged; using the files of config/", self.path)
            return None
        try:
            return validate_release(
                settings, saved["version"], saved.get("catalog"), saved.get("rules"), "saved"
            )
        except CatalogRefused as refusal:
            log.warning("the saved catalog is not used: %s", refusal)
            return None


class CatalogServer(Protocol):
    """What the sync needs of the hall server (kiosk.hall.http.HttpHall)."""

    def catalog_version(self) -> str | None: ...

    def fetch_catalog(self) -> api.CatalogOut | None: ...


class SyncOutcome(Enum):
    UNREACHABLE = "unreachable"  # the server did not answer: try again later
    UNCHANGED = "unchanged"  # the kiosk has the server's version
    RECEIVED = "received"  # a new version, saved and offered to the listeners
    REFUSED = "refused"  # the server's version does not validate: the kiosk keeps its own


@dataclass(frozen=True)
class CatalogUpdateStatus:
    """For the technician: the version in use and the last refusal, if any."""

    version: str | None  # the hall server's version the kiosk has; None: config/ files
    checked_at: datetime | None  # the last time the server answered
    refused_version: str | None = None
    refused_reason: str | None = None


ReleaseListener = Callable[[CatalogRelease], None]


class CatalogUpdater:
    def __init__(
        self,
        server: CatalogServer,
        settings: Settings,
        journal: Journal,
        cache: CatalogCache,
        clock: Clock,
        *,
        version: str | None = None,
        interval_seconds: float | None = None,
        events: HallBackend | None = None,
        link: HallLink | None = None,
    ) -> None:
        self._server = server
        self._settings = settings
        self._journal = journal
        self._cache = cache
        self._clock = clock
        self._interval = (
            interval_seconds
            if interval_seconds is not None
            else settings.hall.catalog_check_seconds
        )
        self._events = events
        self._link = link
        self._lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._version = version
        self._checked_at: datetime | None = None
        self._refused: tuple[str, str] | None = None
        self._listeners: list[ReleaseListener] = []
        self._wake = threading.Event()
        self._thread = BackgroundThread("catalog-sync", self._run, join_seconds=10.0)
        self.checks = 0  # completed checks (tests, technicians)

    # ---- listeners -------------------------------------------------------------------

    def subscribe(self, listener: ReleaseListener) -> None:
        """`listener(release)` runs on the sync thread for each new good version."""
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: ReleaseListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    # ---- status ----------------------------------------------------------------------

    @property
    def version(self) -> str | None:
        with self._lock:
            return self._version

    def status(self) -> CatalogUpdateStatus:
        with self._lock:
            refused = self._refused
            return CatalogUpdateStatus(
                self._version,
                self._checked_at,
                None if refused is None else refused[0],
                None if refused is None else refused[1],
            )

    # ---- one check ---------------------------------------------------------------------

    def check(self) -> SyncOutcome:
        """Ask the server once, on the calling thread (the sync thread, tests)."""
        with self._check_lock:
            try:
                return self._check()
            finally:
                with self._lock:
                    self.checks += 1

    def _check(self) -> SyncOutcome:
        served = self._server.catalog_version()
        if served is None:
            return SyncOutcome.UNREACHABLE
        with self._lock:
            self._checked_at = self._clock.now()
            current, refused = self._version, self._refused
        if served == current:
            return SyncOutcome.UNCHANGED
        if refused is not None and served == refused[0]:
            return SyncOutcome.REFUSED  # said once; the server must serve another version
        answer = self._server.fetch_catalog()
        if answer is None:
            return SyncOutcome.UNREACHABLE
        if answer.version == current:
            return SyncOutcome.UNCHANGED
        try:
            release = validate_release(
                self._settings, answer.version, answer.catalog, answer.rules, "hall server"
            )
        except CatalogRefused as refusal:
            self._refuse(refusal)
            return SyncOutcome.REFUSED
        try:
            self._cache.save(answer.version, answer.catalog, answer.rules)
        except OSError as error:  # still used now; a restart offline would use config/
            log.error("catalog version %s cannot be saved: %s", answer.version, error)
        with self._lock:
            self._version = answer.version
            self._refused = None
            listeners = list(self._listeners)
        log.info("catalog version %s received from the hall server", answer.version)
        self._journal.record(
            "catalog.received",
            {"version": answer.version, "matters": len(release.catalog.matters)},
        )
        for listener in listeners:
            try:
                listener(release)
            except Exception:
                log.exception("a catalog listener failed")
        return SyncOutcome.RECEIVED

    def _refuse(self, refusal: CatalogRefused) -> None:
        with self._lock:
            self._refused = (refusal.version, refusal.reason)
            kept = self._version
        log.error(
            "catalog version %s from the hall server refused, keeping %s: %s",
            refusal.version,
            kept or "the catalog of config/",
            refusal.reason,
        )
        self._journal.record(
            "catalog.refused",
            {"version": refusal.version, "kept": kept, "reason": refusal.reason},
        )

    # ---- the thread --------------------------------------------------------------------

    def request_check(self) -> None:
        """Check soon, on the sync thread (never blocks)."""
        self._wake.set()

    def _on_hall_event(self, event: HallEvent) -> None:
        if event.kind is HallEventKind.CATALOG_UPDATED:
            self.request_check()

    def _on_link(self, status: LinkStatus) -> None:
        if status.online:  # events may have been missed while offline
            self.request_check()

    def start(self) -> None:
        if self._thread.running:
            return
        if self._events is not None:
            self._events.subscribe(self._on_hall_event)
        if self._link is not None:
            self._link.subscribe(self._on_link)
        self._wake.set()  # the first check at once
        self._thread.start()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if stop.is_set():
                return
            try:
                self.check()
            except Exception:  # the journal full, a bug: the kiosk goes on with its version
                log.exception("the catalog check failed")

    def stop(self) -> None:
        if self._events is not None:
            self._events.unsubscribe(self._on_hall_event)
        if self._link is not None:
            self._link.unsubscribe(self._on_link)
        self._thread.stop_event.set()
        self._wake.set()
        self._thread.stop()
