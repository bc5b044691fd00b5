"""Reporting 好差评 upward to the province platform: per-province configuration
(target URL, credentials in a 0600 file, a field mapping in JSON), delivery from the
hall server's province outbox with retries and idempotency, and a daily CSV export
as the fallback."""

from kiosk.hall.province.config import ProvinceConfig, load_province
from kiosk.hall.province.export import export_day
from kiosk.hall.province.mapping import FieldMapping

__all__ = ["FieldMapping", "ProvinceConfig", "export_day", "load_province"]
