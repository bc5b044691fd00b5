"""The Hall link page: backend, server, link state, outbox; a connection test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from kiosk.hall.link import LinkStatus
from kiosk.text import Text
from ui.technician import texts
from ui.technician.pages.base import MenuContext, Page, clock_text

if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.hall.http import HttpHall


SET_ASIDE_SHOWN = 5


def masked_token(token: str) -> Text | str:
    """A token's last four characters only."""
    if not token:
        return texts.NO_TOKEN
    return "••••" + token[-4:] if len(token) > 8 else "••••"


class HallLinkPage(Page):
    key = "hall"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.test_button = self.add_button(texts.TEST_CONNECTION, self.test_connection)
        self.add_button(texts.REFRESH, self.refresh)
        self.last_test: Text | None = None

    def refresh(self) -> None:
        self.clear_body()
        kiosk = self.kiosk
        hall_settings = kiosk.settings.hall
        backend = hall_settings.backend
        named = texts.CHOICE_NAMES.get(f"hall.backend.{backend}", backend)  # never a raw key
        self.add_line(texts.fill(texts.BACKEND, backend=named), "subtitle")
        hall = server_hall(kiosk)
        self.test_button.setEnabled(hall is not None)
        if hall is None:
            self.add_line(texts.EMBEDDED_HALL)
        else:
            self.add_line(texts.fill(texts.HALL_URL, url=hall_settings.url or "—"))
            self.add_line(texts.fill(texts.HALL_TOKEN, token=masked_token(hall_settings.token)))
            status: LinkStatus | None = None
            try:
                status = kiosk.hall_link_status()
            except Exception as error:
                self.add_line(texts.fill(texts.LAST_ERROR, error=str(error)))
            if status is not None:
                if status.online:
                    self.add_line(texts.fill(texts.LINK_ONLINE, at=clock_text(status.last_contact)))
                else:
                    self.add_line(
                        texts.fill(
                            texts.LINK_OFFLINE,
                            since=clock_text(status.offline_since),
                            reason=status.last_error or "—",
                        )
                    )
            synced = None if kiosk.outbox_delivery is None else kiosk.outbox_delivery.last_synced_at
            self.add_line(
                texts.fill(
                    texts.LAST_SYNC,
                    at=texts.NEVER_SYNCED if synced is None else clock_text(synced),
                )
            )
            offset = hall.clock.offset_seconds
            self.add_line(texts.fill(texts.CLOCK_OFFSET, seconds=f"{offset:+.1f}"))
        self.add_line(texts.fill(texts.OUTBOX, count=kiosk.journal.pending_outbox()))
        refused = kiosk.journal.refused_outbox()
        self.add_line(texts.fill(texts.REFUSED_RECORDS, count=len(refused)))
        # Kept, no longer holding back the records behind them: the newest few, why.
        for event_id, reason in refused[-SET_ASIDE_SHOWN:]:
            self.add_line(texts.fill(texts.SET_ASIDE_RECORD, event=event_id, reason=reason[:160]))
        if self.last_test is not None:
            self.add_line(self.last_test, "subtitle")
        self.body.addStretch(1)
        self.follow_language()

    def test_connection(self) -> None:
        hall = server_hall(self.kiosk)
        if hall is None:
            return
        self.test_button.setEnabled(False)
        self.say(texts.TESTING_CONNECTION)
        self.context.audit.record("hall_test")
        self.context.jobs.run(hall.test_connection, self._tested)

    def _tested(self, result: Any, error: BaseException | None) -> None:
        from kiosk.hall.http import ConnectionTest  # loaded: a test of the server just ran

        self.test_button.setEnabled(True)
        if error is not None or not isinstance(result, ConnectionTest):
            shown = texts.fill(texts.CONNECTION_FAILED, reason=str(error))
        elif result.ok:
            server_time = result.server_time
            shown = texts.fill(
                texts.CONNECTION_OK,
                ms=f"{result.round_trip_ms:.0f}",
                time="—" if server_time is None else server_time.isoformat(timespec="seconds"),
                client=result.client_id or "—",
            )
        else:
            shown = texts.fill(texts.CONNECTION_FAILED, reason=result.reason or "—")
        test = result if isinstance(result, ConnectionTest) else None
        self.context.audit.record(
            "hall_test_result",
            ok=test is not None and test.ok,
            ms=None if test is None else test.round_trip_ms,
        )
        self.last_test = shown
        self.say(shown)
        self.refresh()


def server_hall(kiosk: Kiosk) -> HttpHall | None:
    """The kiosk's hall server client; None with the embedded hall (whose kiosk never
    loads the client's HTTP library)."""
    if kiosk.link is None:
        return None
    from kiosk.hall.http import HttpHall

    return kiosk.hall if isinstance(kiosk.hall, HttpHall) else None
