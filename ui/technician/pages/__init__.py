"""The pages of the technician menu: each a small class over one service of the kiosk.

A page reads the kiosk's typed services (`kiosk.app.Kiosk`; a device not built is
None and shows "未配置 / not configured") and does slow work through Jobs.
"""

from __future__ import annotations

from ui.technician.pages.audit import AuditPage
from ui.technician.pages.base import MenuContext, Page
from ui.technician.pages.catalog import CatalogPage
from ui.technician.pages.devices import DevicesPage
from ui.technician.pages.hall_link import HallLinkPage
from ui.technician.pages.logs import LogsPage
from ui.technician.pages.settings import SettingsPage
from ui.technician.pages.system import SystemPage
from ui.technician.pages.tickets import TicketsPage
from ui.technician.pages.today import TodayPage

PAGE_CLASSES: tuple[type[Page], ...] = (
    SettingsPage,
    DevicesPage,
    HallLinkPage,
    CatalogPage,
    TodayPage,
    TicketsPage,
    LogsPage,
    AuditPage,
    SystemPage,
)

__all__ = [
    "PAGE_CLASSES",
    "AuditPage",
    "CatalogPage",
    "DevicesPage",
    "HallLinkPage",
    "LogsPage",
    "MenuContext",
    "Page",
    "SettingsPage",
    "SystemPage",
    "TicketsPage",
    "TodayPage",
]
