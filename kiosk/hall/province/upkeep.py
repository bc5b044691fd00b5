"""What a hall server does for 好差评 on its own: deliver the province outbox (when a
province is configured) and purge follow-ups' contact phones with the retention
(`technician.retention_days`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.background import BackgroundThread
from kiosk.hall.province.config import ProvinceConfig
from kiosk.hall.server.store import HallStore

if TYPE_CHECKING:
    from kiosk.hall.province.delivery import ProvinceDelivery

PURGE_SECONDS = 3600.0


class EvaluationUpkeep:
    def __init__(self, store: HallStore, province: ProvinceConfig | None) -> None:
        settings = store.settings
        self.delivery: ProvinceDelivery | None = None
        if province is not None:
            # Imported only with a province: its HTTP client costs a server without one
            # a tenth of its start.
            from kiosk.hall.province.delivery import ProvinceDelivery

            self.delivery = ProvinceDelivery(store, province, settings.kiosk.timezone)
        days = settings.technician.retention_days
        self._purge = BackgroundThread.every(
            "contact-phone-purge", PURGE_SECONDS, lambda: store.purge_contact_phones(days)
        )

    def start(self) -> None:
        self._purge.start()
        if self.delivery is not None:
            self.delivery.start()

    def stop(self) -> None:
        self._purge.stop()
        if self.delivery is not None:
            self.delivery.stop()
