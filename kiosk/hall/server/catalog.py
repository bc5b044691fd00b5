"""The catalog and routing rules the server hands to kiosks, with a version.

The version is the catalog's own `version` field plus a short hash of every
served file, so any edit makes a new version. A file that no longer validates
is not served: the last good version stays, with a warning in the log.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.background import BackgroundThread
from kiosk.catalog import load_catalog
from kiosk.settings import ConfigError, read_toml
from kiosk.triage import load_rules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogVersion:
    version: str
    files: dict[str, str]  # name -> sha256
    catalog: dict[str, Any]
    rules: dict[str, Any] | None


class CatalogSource:
    def __init__(self, catalog_path: Path, rules_path: Path | None = None) -> None:
        self.catalog_path = catalog_path
        self.rules_path = rules_path
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int, int], ...] = ()
        self._current: CatalogVersion | None = None
        self.reload()

    def _paths(self) -> list[Path]:
        """The catalog, and the routing rules when the hall has the file."""
        rules = self.rules_path
        return [self.catalog_path, *([rules] if rules is not None and rules.is_file() else [])]

    def _stamps(self) -> tuple[tuple[str, int, int], ...]:
        stamps = []
        for path in self._paths():
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def _read(self) -> CatalogVersion:
        catalog = load_catalog(self.catalog_path)
        paths = self._paths()
        if len(paths) > 1:
            load_rules(paths[1])  # served only when valid
        files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
        combined = hashlib.sha256("".join(files[name] for name in sorted(files)).encode())
        rules_path = next((path for path in paths[1:]), None)
        return CatalogVersion(
            f"{catalog.version}+{combined.hexdigest()[:12]}",
            files,
            read_toml(self.catalog_path),
            read_toml(rules_path) if rules_path is not None else None,
        )

    def reload(self) -> bool:
        """Read the files again; True when the version changed."""
        with self._lock:
            stamps = self._stamps()
            try:
                fresh = self._read()
            except (ConfigError, OSError) as error:
                if self._current is None:
                    raise
                log.warning("catalog not reloaded, keeping %s: %s", self._current.version, error)
                self._stamp = stamps
                return False
            self._stamp = stamps
            changed = self._current is None or fresh.version != self._current.version
            self._current = fresh
            return changed

    def changed_on_disk(self) -> bool:
        return self._stamps() != self._stamp

    @property
    def current(self) -> CatalogVersion:
        with self._lock:
            assert self._current is not None
            return self._current


class CatalogWatcher:
    """Checks the files every `interval` seconds; calls `on_change` with the new version."""

    def __init__(
        self, source: CatalogSource, on_change: Callable[[str], None], interval: float = 1.0
    ) -> None:
        self._source = source
        self._on_change = on_change
        self._thread = BackgroundThread.every(
            "catalog-watcher", interval, self._check, first_wait=interval
        )

    def start(self) -> None:
        self._thread.start()

    def _check(self) -> None:
        if self._source.changed_on_disk() and self._source.reload():
            self._on_change(self._source.current.version)

    def stop(self) -> None:
        self._thread.stop()
