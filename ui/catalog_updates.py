"""New catalog versions reach the screens between visits, never during one.

The Kiosk offers a new version (kiosk/hall/catalog_updates.py, from the sync thread; or the
technician's reload from files, on the GUI thread). CatalogUpdates hears it through a
queued signal and keeps it until the window is at rest: the home screen shown, no
visit, no print and no look-up under way. Then the kiosk applies it (tickets,
routing) and the window rebuilds what shows the catalog (category tiles, search).
A taxpayer in the middle of a visit finishes it with the catalog it started with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.hall.catalog_updates import CatalogRelease

if TYPE_CHECKING:
    from kiosk.app import Kiosk

log = logging.getLogger(__name__)


class CatalogUpdates(QObject):
    # A CatalogRelease, emitted from whichever thread offered it; queued to the GUI.
    offered = Signal(object)
    # The version now in use (the hall server's, or the catalog's own for files).
    applied = Signal(str)

    def __init__(
        self,
        kiosk: Kiosk,
        at_rest: Callable[[], bool],
        rebuild: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._kiosk = kiosk
        self._at_rest = at_rest
        self._rebuild = rebuild
        self._pending: CatalogRelease | None = None
        self.offered.connect(self._on_offered, Qt.ConnectionType.QueuedConnection)
        self._listener = self.offered.emit
        kiosk.subscribe_catalog(self._listener)
        self._subscribed = True

    def pending(self) -> CatalogRelease | None:
        """A version waiting for the visit under way to end."""
        return self._pending

    def _on_offered(self, release: object) -> None:
        if not isinstance(release, CatalogRelease):
            return
        self._pending = release  # a later version replaces one still waiting
        if not self.apply_if_due():
            log.info("catalog version %s waits for the visit to end", release.version)

    def apply_if_due(self) -> bool:
        """Apply the waiting version if the window is at rest; True when applied."""
        release = self._pending
        if release is None or not self._at_rest():
            return False
        self._pending = None
        try:
            self._kiosk.apply_catalog(release.catalog, release.rules, release.version)
        except Exception:  # the journal cannot be written: the kiosk keeps its catalog
            log.exception("catalog version %s not applied", release.version)
            return False
        self._rebuild()
        self.applied.emit(release.version)
        return True

    def shutdown(self) -> None:
        if self._subscribed:
            self._kiosk.unsubscribe_catalog(self._listener)
            self._subscribed = False
