"""The hall's organisation: this kiosk, the hall and its server, the queues, routing."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from kiosk.settings.base import Section
from kiosk.settings.offline_range import derived_offline_range
from kiosk.text import Language


class KioskSection(Section):
    id: str = Field(
        "K01",
        title="Kiosk id",
        description="Unique in the hall; printed on tickets.",
        pattern=r"^[A-Za-z0-9_-]{1,16}$",
    )
    data_dir: Path | None = Field(
        None,
        title="Data directory",
        description="Journal and embedded hall database. Empty: ~/.local/share/hall-kiosk.",
    )
    language: Language = Field("zh", title="Default language")
    timezone: str = Field(
        "Asia/Shanghai",
        title="Hall time zone",
        description="Day boundaries (numbering resets at local midnight).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class HallSection(Section):
    name_zh: str = Field(min_length=1, title="Hall name (Chinese)")
    name_en: str = Field(min_length=1, title="Hall name (English)")
    backend: Literal["embedded", "http"] = Field(
        "embedded",
        title="Hall backend",
        description="embedded: this kiosk is the queue system of the hall; "
        "http: a hall server (hall.url) is, and the kiosk syncs with it.",
    )
    ticket_status_url: str = Field(
        "",
        title="Ticket status URL",
        description="Template with {ticket_id} and {number}; empty: the matter's guide URL.",
    )
    catalog: Path = Field(Path("catalog.toml"), title="Matter catalog file")
    # ---- the hall server (backend = "http") ----
    url: str = Field(
        "",
        title="Hall server URL",
        description="e.g. https://hall.example:8470 (backend = http).",
        pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$",
    )
    token: str = Field(
        "",
        title="Hall server token",
        description="This kiosk's bearer token (kiosk hall token create); never shown.",
        repr=False,
        json_schema_extra={"secret": True},
    )
    offline_range: str = Field(
        "",
        title="Offline number range",
        description="Numbers (per queue, per day) this kiosk uses offline before it ever "
        "had a lease, e.g. 900-919; distinct for every kiosk of the hall and at or above "
        "the server's offline floor (900). Empty: 900 + 20 x (n - 1) .. +19 for a kiosk "
        "id ending in n (K01: 900-919, K02: 920-939, ... K05: 980-999). Used until the "
        "hall server has assigned the kiosk a range of its own.",
        pattern=r"^(\d{1,3}-\d{1,3})?$",
    )
    tls_verify: bool = Field(True, title="Check the server's TLS certificate")
    ca_file: Path | None = Field(
        None, title="CA certificate file", description="PEM; empty: the system's CAs."
    )
    connect_timeout_seconds: float = Field(2.0, gt=0, le=60)
    request_timeout_seconds: float = Field(5.0, gt=0, le=120)
    sync_interval_seconds: float = Field(
        5.0, ge=0.05, le=600, title="Sync interval", description="Outbox delivery while online."
    )
    heartbeat_seconds: float = Field(60.0, ge=1, le=3600, title="Device health heartbeat")
    catalog_check_seconds: float = Field(
        300.0,
        ge=0.05,
        le=86400,
        title="Catalog check interval",
        description="How often the kiosk asks the hall server for a new catalog version, "
        "besides the server's catalog_updated events.",
    )
    lease_size: int = Field(
        20, ge=1, le=200, title="Offline numbers leased", description="Per queue per day."
    )
    reservation_ttl_seconds: float = Field(
        120.0,
        ge=5,
        le=3600,
        title="Reservation lifetime",
        description="A number reserved and neither printed nor voided within this time "
        "(its reply was lost) no longer counts in the queue.",
    )

    @field_validator("offline_range")
    @classmethod
    def _range_in_order(cls, value: str) -> str:
        if value:
            first, last = (int(part) for part in value.split("-"))
            if not 1 <= first <= last <= 999:
                raise ValueError(f"{value!r}: numbers from 1 to 999, the first not above the last")
        return value

    @model_validator(mode="after")
    def _server_needs_url(self) -> HallSection:
        if self.backend == "http" and not self.url:
            raise ValueError("backend 'http' needs hall.url")
        return self

    def offline_numbers(self, kiosk_id: str) -> tuple[int, int] | None:
        """This kiosk's own offline range (first, last), or None when it has none."""
        if self.offline_range:
            first, last = (int(part) for part in self.offline_range.split("-"))
            return first, last
        return derived_offline_range(kiosk_id)


class QueueSection(Section):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    prefix: str = Field(pattern=r"^[A-Z]$", description="Letter before the three-digit number.")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    windows: tuple[int, ...] = Field(min_length=1, description="Window numbers serving it.")
    service_minutes: float = Field(
        10.0, gt=0, le=240, description="Assumed service time before any is measured today."
    )
    area_zh: str = ""
    area_en: str = ""
    categories: tuple[str, ...] = Field(
        (), description="Matter categories it serves (e.g. 注销专窗: deregistration); empty: all."
    )
    simple_only: bool = Field(False, description="Serves only simple matters (绿色通道).")


class RoutingSection(Section):
    green_queue: str = Field("green", description="Queue for simple matters (绿色通道).")
    default_queue: str = Field("comprehensive", description="Queue for everything else (一窗通办).")
    rules: Path = Field(Path("rules.toml"), title="Routing rules file")
    open_days: tuple[int, ...] = Field(
        (1, 2, 3, 4, 5), title="Opening days", description="ISO weekdays: 1 Monday .. 7 Sunday."
    )
    closed_dates: tuple[date, ...] = Field((), description="Holidays on opening days.")
    open_dates: tuple[date, ...] = Field((), description="Extra working days (调休).")
    opens: time = Field(time(9, 0), title="First number at")
    cutoff: time = Field(time(16, 30), title="Daily cut-off", description="Last regular number.")
    extended_until: time = Field(
        time(17, 30),
        title="Extended service until",
        description="延时服务 after the cut-off, for the rules that allow it; "
        "equal to the cut-off: none.",
    )
    quotas: dict[str, int] = Field(
        default_factory=dict, description="Numbers a queue may issue per day (queue code: count)."
    )
    overflow_queue: str = Field("green", description="Queue watched for overflow.")
    overflow_waiting: int = Field(
        15, ge=1, description="More than this many waiting: simple matters go elsewhere."
    )
    priority_credit_levels: tuple[str, ...] = Field(
        ("A",), description="Credit levels (纳税信用级别) served with priority."
    )
    elderly_age: int = Field(70, ge=50, le=120, description="Age for priority service.")

    @model_validator(mode="after")
    def _hours_in_order(self) -> RoutingSection:
        if not self.opens < self.cutoff <= self.extended_until:
            raise ValueError("hours must be in order: opens < cutoff <= extended_until")
        if any(day < 1 or day > 7 for day in self.open_days):
            raise ValueError("open_days are ISO weekdays, 1 (Monday) to 7 (Sunday)")
        return self
