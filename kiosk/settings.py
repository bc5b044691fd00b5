"""The one typed settings schema, loaded from TOML layered over `config/` defaults.

A machine file only lists what differs from the defaults. Every error names its
file, its dotted key and the reason, so a technician can fix it without a
traceback.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from kiosk.text import Language, Text

SCHEMA_VERSION = 1
CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULTS_FILE = CONFIG_DIR / "kiosk.toml"
MACHINE_FILE_ENV = "KIOSK_CONFIG"
SYSTEM_MACHINE_FILE = Path("/etc/hall-kiosk/kiosk.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KioskSection(_Section):
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


class HallSection(_Section):
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
        "id ending in n (K01: 900-919, K02: 920-939, ... K05: 980-999).",
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
        digits = kiosk_id[len(kiosk_id.rstrip("0123456789")) :]
        if not digits or int(digits) < 1:
            return None
        first = 900 + 20 * (int(digits) - 1)
        return (first, first + 19) if first + 19 <= 999 else None


class QueueSection(_Section):
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


class PrinterSection(_Section):
    port: str = Field(
        "/dev/ttyUSB0",
        title="Printer port",
        description="A serial device (/dev/ttyUSB0), a USB printer-class device "
        "(/dev/usb/lp0 or usblp:///dev/usb/lp0), a network printer (socket://host:9100), "
        "or a USB printer without a kernel driver (usb://VID:PID).",
    )
    baudrate: int = Field(115200, ge=1200, le=921600)
    profile: str = Field("generic80", title="Printer profile")
    on_failure: Literal["e_ticket", "void"] = Field(
        "e_ticket",
        title="When a ticket cannot be printed",
        description="e_ticket: show the number and a QR code on screen; void: cancel it.",
    )
    write_timeout_seconds: float = Field(10.0, gt=0, le=120)
    status_timeout_seconds: float = Field(0.3, gt=0, le=5)
    status_interval_seconds: float = Field(
        10.0,
        ge=1,
        le=600,
        title="Status check while idle",
        description="How often the printer is asked for paper and cover while idle.",
    )


class UiSection(_Section):
    inactivity_seconds: float = Field(60.0, ge=5, le=3600, title="Idle time before the countdown")
    countdown_seconds: float = Field(20.0, ge=3, le=120, title="Countdown before going home")
    done_seconds: float = Field(15.0, ge=3, le=120, title="Confirmation screen shown for")
    fullscreen: bool = True
    hide_cursor: bool = Field(
        True,
        title="Hide the mouse cursor",
        description="In kiosk mode (full screen); a touchscreen needs no cursor.",
    )
    width: int = Field(1080, ge=640, le=3840)
    height: int = Field(1920, ge=480, le=3840)


class RoutingSection(_Section):
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


# The ticket as printed unless `ticket.layout` says otherwise.
DEFAULT_TICKET_LAYOUT = (
    "logo",
    "hall_name",
    "number_caption",
    "number",
    "queue",
    "rule",
    "people_ahead",
    "wait",
    "matters",
    "documents",
    "rule",
    "issued_at",
    "qr",
    "qr_caption",
    "footer",
    "kiosk_id",
)
# Every block a layout may name: those of the default, and blank lines.
TICKET_BLOCKS = tuple(dict.fromkeys((*DEFAULT_TICKET_LAYOUT, "feed")))
# The printed labels a hall may reword (both languages at once).
TICKET_TEXTS = (
    "number",
    "ahead",
    "wait",
    "no_wait",
    "matters",
    "documents",
    "no_documents",
    "issued",
    "qr",
    "guide_title",
    "guide_where",
    "guide_qr",
)


def _refuse_unknown(kind: str, given: Iterable[str], known: Sequence[str]) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(
            f"unknown {kind}(s) {', '.join(map(repr, unknown))}; known: {', '.join(known)}"
        )


class TicketSection(_Section):
    layout: tuple[str, ...] = Field(
        DEFAULT_TICKET_LAYOUT,
        title="Ticket layout",
        description=f"Blocks in print order, from: {', '.join(TICKET_BLOCKS)}.",
    )
    texts: dict[str, Text] = Field(
        default_factory=dict,
        title="Reworded labels",
        description=f"Labels to reword, with zh and en: {', '.join(TICKET_TEXTS)}.",
    )
    logo: Path | None = Field(
        None,
        title="Hall logo",
        description="An image printed at the top (PNG); empty: none. A missing file is "
        "skipped with a warning, never a lost ticket.",
    )
    footer_zh: str = "请留意叫号，过号请重新取号。"
    footer_en: str = "Please watch for your number; if you miss it, take a new one."
    show_wait_estimate: bool = True

    @field_validator("layout")
    @classmethod
    def _known_blocks(cls, layout: tuple[str, ...]) -> tuple[str, ...]:
        _refuse_unknown("block", layout, TICKET_BLOCKS)
        if "number" not in layout:
            raise ValueError("a ticket must print its number: add 'number'")
        return layout

    @field_validator("texts")
    @classmethod
    def _known_texts(cls, texts: dict[str, Text]) -> dict[str, Text]:
        _refuse_unknown("label", texts, TICKET_TEXTS)
        return texts


class EvaluationSection(_Section):
    prompt_seconds: float = Field(
        60.0,
        ge=10,
        le=600,
        title="Time to evaluate",
        description="A keypad prompt unanswered this long counts as not evaluated.",
    )
    follow_up_working_days: int = Field(
        5,
        ge=1,
        le=30,
        title="Follow-up deadline",
        description="Working days to follow up a 不满意 or 非常不满意 vote.",
    )


class TechnicianSection(_Section):
    pin_hash: str = Field(
        "",
        title="Technician PIN (hash)",
        description="Set with `kiosk config set-pin`; a salted scrypt hash, never the PIN. "
        "Empty: the technician menu cannot be opened.",
        json_schema_extra={"secret": True},
    )
    idle_minutes: float = Field(
        3.0, ge=1, le=60, title="Menu closes after", description="Idle minutes in the menu."
    )
    max_attempts: int = Field(
        5, ge=3, le=10, title="Wrong PINs before lock-out", description="In a row."
    )
    lockout_minutes: float = Field(
        5.0, ge=1, le=120, title="Lock-out", description="Minutes the menu stays locked."
    )
    retention_days: int = Field(
        90,
        ge=7,
        le=3650,
        title="Keep journal records for",
        description="Days; older records already delivered to the hall are purged daily.",
    )


class IdentificationSection(_Section):
    reader_port: str = Field(
        "",
        title="ID card reader port",
        description="A serial device (/dev/ttyUSB1, or a udev link); empty: no reader.",
    )
    reader_baudrate: int = Field(115200, ge=1200, le=921600)
    card_poll_seconds: float = Field(
        0.3,
        ge=0.1,
        le=2,
        title="Card poll interval",
        description="How often the reader is asked for a card while a screen waits for one.",
    )
    scanner_port: str = Field(
        "",
        title="QR scanner port",
        description="A serial (USB-CDC) scanner; empty: no scanner.",
    )
    scanner_baudrate: int = Field(9600, ge=1200, le=921600)
    scanner_suffix: Literal["CR", "CRLF"] = Field(
        "CR", title="Scanner line end", description="What the scanner sends after each code."
    )
    early_minutes: int = Field(
        15, ge=0, le=240, title="Check-in opens", description="Minutes before an appointment."
    )
    late_minutes: int = Field(
        15, ge=0, le=240, title="Check-in closes", description="Minutes after an appointment."
    )
    anonymous_tickets: bool = Field(
        True,
        title="Tickets without identification",
        description="Off: every ticket needs an ID card, credit code or appointment code.",
    )
    new_taxpayer_days: int = Field(
        90,
        ge=1,
        le=3650,
        title="New taxpayer for",
        description="Days after registration a taxpayer counts as new (新办纳税人).",
    )
    taxpayers: Path = Field(
        Path("taxpayers.toml"),
        title="Taxpayer profiles file",
        description="The embedded hall's taxpayers: credit level, reminders, appointments.",
    )


class KeypadsSection(_Section):
    port: str = Field(
        "",
        title="Keypad bus port",
        description="The RS-485 adapter of the evaluation keypads and caller keys "
        "(/dev/ttyUSB1 or a pyserial URL); empty: no keypads.",
    )
    baudrate: int = Field(9600, ge=1200, le=115200)
    addresses: tuple[int, ...] = Field(
        (),
        title="Keypad addresses",
        description="Bus addresses 1..32; keypad N is at window N unless `windows` says "
        "otherwise. Empty: one keypad for each window of the queues.",
    )
    windows: dict[int, int] = Field(
        default_factory=dict,
        title="Address to window",
        description='Exceptions to "keypad N is at window N", e.g. { 1 = 9 }.',
    )
    reply_timeout_seconds: float = Field(
        0.1, gt=0, le=2, title="Reply timeout", description="How long a keypad may take."
    )
    poll_interval_seconds: float = Field(
        0.2, ge=0.01, le=5, title="Poll interval", description="Pause between polls of the bus."
    )
    speech: bool = Field(
        True,
        title="Speak the calls",
        description="Read each call aloud when espeak-ng or spd-say is installed.",
    )

    @field_validator("addresses")
    @classmethod
    def _bus_addresses(cls, addresses: tuple[int, ...]) -> tuple[int, ...]:
        wrong = [address for address in addresses if not 1 <= address <= 32]
        if wrong:
            raise ValueError(f"keypad addresses are 1..32, not {wrong}")
        return addresses

    def address_windows(self, all_windows: Iterable[int]) -> dict[int, int]:
        """Bus address -> window, for the configured addresses (default: every window)."""
        addresses = self.addresses or tuple(w for w in sorted(set(all_windows)) if 1 <= w <= 32)
        return {address: self.windows.get(address, address) for address in addresses}


class Settings(_Section):
    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    kiosk: KioskSection = KioskSection()
    hall: HallSection
    queues: tuple[QueueSection, ...] = Field(min_length=1)
    printer: PrinterSection = PrinterSection()
    ui: UiSection = UiSection()
    ticket: TicketSection = TicketSection()
    routing: RoutingSection = RoutingSection()
    evaluation: EvaluationSection = EvaluationSection()
    keypads: KeypadsSection = KeypadsSection()
    technician: TechnicianSection = TechnicianSection()
    identification: IdentificationSection = IdentificationSection()
    # Directory that relative paths (catalog) resolve against.
    config_dir: SkipJsonSchema[Path] = Field(CONFIG_DIR, exclude=True)

    @model_validator(mode="after")
    def _queues_unique(self) -> Settings:
        for attribute in ("code", "prefix"):
            seen: set[str] = set()
            for queue in self.queues:
                value = getattr(queue, attribute)
                if value in seen:
                    raise ValueError(f"queues: two queues have the {attribute} {value!r}")
                seen.add(value)
        codes = {queue.code for queue in self.queues}
        for key in ("green_queue", "default_queue", "overflow_queue"):
            if getattr(self.routing, key) not in codes:
                raise ValueError(
                    f"routing.{key}: no queue has the code {getattr(self.routing, key)!r}"
                )
        for code in self.routing.quotas:
            if code not in codes:
                raise ValueError(f"routing.quotas: no queue has the code {code!r}")
        return self

    def queue(self, code: str) -> QueueSection:
        for queue in self.queues:
            if queue.code == code:
                return queue
        raise KeyError(code)

    @property
    def rules_path(self) -> Path:
        rules = self.routing.rules
        return rules if rules.is_absolute() else self.config_dir / rules

    @property
    def catalog_path(self) -> Path:
        return (
            self.hall.catalog
            if self.hall.catalog.is_absolute()
            else (self.config_dir / self.hall.catalog)
        )

    @property
    def data_path(self) -> Path:
        if self.kiosk.data_dir is not None:
            return self.kiosk.data_dir
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "hall-kiosk"


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.key}: {self.reason}" if self.key else f"{where}{self.reason}"


class ConfigError(Exception):
    """Settings that cannot be used; `problems` lists each key and reason."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(path), "", "file not found")]) from None
    except PermissionError:
        raise ConfigError([ConfigProblem(str(path), "", "permission denied")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([ConfigProblem(str(path), "", f"not valid TOML: {error}")]) from None
    except UnicodeDecodeError:
        raise ConfigError([ConfigProblem(str(path), "", "not UTF-8 text")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem(str(path), "", "is a directory, not a file")]) from None


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge tables; arrays and values in `override` replace those in `base`."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve_relative_paths(raw: dict[str, Any], directory: Path) -> dict[str, Any]:
    """Paths written in a file are relative to that file, as a technician expects."""
    result = dict(raw)
    for section, key in (
        ("kiosk", "data_dir"),
        ("hall", "catalog"),
        ("routing", "rules"),
        ("hall", "ca_file"),
        ("ticket", "logo"),
        ("identification", "taxpayers"),
    ):
        table = result.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            path = Path(table[key]).expanduser()
            result[section] = {**table, key: str(path if path.is_absolute() else directory / path)}
    return result


def default_machine_file() -> Path | None:
    env = os.environ.get(MACHINE_FILE_ENV)
    if env:
        return Path(env)
    return SYSTEM_MACHINE_FILE if SYSTEM_MACHINE_FILE.exists() else None


def problems_from(error: ValidationError, file: str) -> list[ConfigProblem]:
    items = error.errors()
    locations = [item["loc"] for item in items]
    problems = []
    for item in items:
        inner = any(
            len(other) > len(item["loc"]) and other[: len(item["loc"])] == item["loc"]
            for other in locations
        )
        if item["type"] == "too_short" and inner:
            continue  # the real problem is an invalid entry inside, reported on its own
        key = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (misspelt?)"
        problems.append(ConfigProblem(file, key, message))
    return problems


def load_settings(
    machine_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    defaults_file: Path = DEFAULTS_FILE,
) -> Settings:
    """Defaults, then the machine file, then overrides (from the command line)."""
    raw = _resolve_relative_paths(read_toml(defaults_file), defaults_file.parent)
    blamed = str(defaults_file)
    if machine_file is not None:
        machine = read_toml(machine_file)
        raw = merge(raw, _resolve_relative_paths(machine, machine_file.parent))
        blamed = str(machine_file)
    if overrides:
        raw = merge(raw, overrides)
    raw.pop("config_dir", None)
    try:
        return Settings(**raw, config_dir=defaults_file.parent)
    except ValidationError as error:
        raise ConfigError(problems_from(error, blamed)) from None


def settings_json_schema() -> dict[str, Any]:
    return Settings.model_json_schema()
