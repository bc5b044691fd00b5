"""Identification devices and look-ups, brought into the GUI thread.

The card reader and the scanner call their listener on their own device
thread; `DeviceBridge` turns each call into a queued Qt signal, as the window
does for printer health. Fetching a taxpayer's profile may one day touch the
network, so `ProfileBridge` does it on its own worker thread; each request
carries an id so a profile that arrives after its visit ended is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.taxpayer import UNKNOWN_PROFILE, Identity, TaxpayerProfile

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

Listener = Callable[[Any], None]


class CardWatching(Protocol):
    """What the window needs of kiosk.device_watchers.CardWatcher."""

    def start_watching(self) -> None: ...

    def stop_watching(self) -> None: ...

    def set_listener(self, listener: Listener | None) -> None: ...


class ScannerWatching(Protocol):
    """What the window needs of kiosk.device_watchers.ScannerWatcher."""

    def set_listener(self, listener: Listener | None) -> None: ...


class Identifying(Protocol):
    """What the window needs of kiosk.identity.IdentificationService."""

    def identify(self, identity: Identity) -> TaxpayerProfile: ...


class DeviceBridge(QObject):
    """Device callbacks in, queued signals out. Owns nothing: the kiosk owns the devices."""

    # Emitted on the device threads; delivered in the GUI thread.
    card_event = Signal(object)  # Identity | CardRefused
    scan_event = Signal(object)  # Identity | CodeProblem

    def __init__(
        self,
        card_watcher: CardWatching | None,
        scanner_watcher: ScannerWatching | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.card_watcher = card_watcher
        self.scanner_watcher = scanner_watcher
        self._watching = False
        self._attached = False
        self.attach()

    def attach(self) -> None:
        if self._attached:
            return
        self._attached = True
        if self.card_watcher is not None:
            self.card_watcher.set_listener(self.card_event.emit)
        if self.scanner_watcher is not None:
            self.scanner_watcher.set_listener(self.scan_event.emit)

    def detach(self) -> None:
        """Stop watching and let go of the listeners. Safe to call twice."""
        self.stop_watching()
        if not self._attached:
            return
        self._attached = False
        for watcher in (self.card_watcher, self.scanner_watcher):
            if watcher is None:
                continue
            try:
                watcher.set_listener(None)
            except Exception:  # a device going away must not stop the kiosk closing
                log.exception("cannot detach from a device watcher")

    def has_card_reader(self) -> bool:
        return self.card_watcher is not None

    def watch_for_cards(self, watch: bool) -> None:
        if watch:
            self.start_watching()
        else:
            self.stop_watching()

    def start_watching(self) -> None:
        """The card reader looks for a card (only while the identify screen is shown)."""
        if self._watching or self.card_watcher is None:
            return
        self._watching = True
        try:
            self.card_watcher.start_watching()
        except Exception:
            log.exception("the card reader cannot start watching")

    def stop_watching(self) -> None:
        if not self._watching or self.card_watcher is None:
            return
        self._watching = False
        try:
            self.card_watcher.stop_watching()
        except Exception:
            log.exception("the card reader cannot stop watching")


class _ProfileWorker(QObject):
    profile_read = Signal(int, object, object)  # request id, Identity, TaxpayerProfile

    def __init__(self, service: Identifying) -> None:
        super().__init__()
        self._service = service

    @Slot(int, object)
    def identify(self, request_id: int, identity: Identity) -> None:
        try:
            profile = self._service.identify(identity)
        except Exception as error:  # it promises never to raise; a kiosk does not trust that
            log.warning("the taxpayer profile could not be read: %s", type(error).__name__)
            profile = UNKNOWN_PROFILE
        self.profile_read.emit(request_id, identity, profile)


class ProfileBridge(QObject):
    """The GUI thread's side of the profile worker thread."""

    _requested = Signal(int, object)
    profile_read = Signal(int, object, object)  # request id, Identity, TaxpayerProfile

    def __init__(self, service: Identifying, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._next_id = 0
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("kiosk-profile-worker")
        self._worker = _ProfileWorker(service)
        self._worker.moveToThread(self.worker_thread)
        self.worker_thread.finished.connect(self._worker.deleteLater)
        self._requested.connect(self._worker.identify)
        self._worker.profile_read.connect(self.profile_read)
        self.worker_thread.start()

    def identify(self, identity: Identity) -> int:
        self._next_id += 1
        self._requested.emit(self._next_id, identity)
        return self._next_id

    def stop(self) -> None:
        """Let the current look-up finish, then end the thread. Safe to call twice."""
        if self.worker_thread.isRunning():
            self.worker_thread.quit()
            self.worker_thread.wait()
