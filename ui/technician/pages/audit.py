"""The Audit trail page: who did what in the menu, newest first."""

from __future__ import annotations

import json
from typing import Any

from ui.technician import texts
from ui.technician.editors import show_value
from ui.technician.pages.base import Page


class AuditPage(Page):
    key = "audit"

    def refresh(self) -> None:
        self.context.jobs.run(lambda: self.context.audit.records(100), self._show)

    def _show(self, records: Any, error: BaseException | None) -> None:
        self.clear_body()
        if error is not None:
            self.add_line(str(error))
            return
        for record in reversed(records or []):
            what = (
                f" {record.key}: {show_value(record.old)} → {show_value(record.new)}"
                if record.key
                else ""
            )
            extra = f" {json.dumps(record.details, ensure_ascii=False)}" if record.details else ""
            self.add_line(f"{record.at[:19]} {record.who} {record.action}{what}{extra}", "muted")
        if not records:
            self.add_line(texts.NO_LINES)
        self.body.addStretch(1)
