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
    backend: Literal["embedded"] = Field(
        "embedded",
        title="Hall backend",
        description="embedded: this kiosk is the queue system of the hall.",
    )
    ticket_status_url: str = Field(
        "",
        title="Ticket status URL",
        description="Template with {ticket_id} and {number}; empty: the matter's guide URL.",
    )
    catalog: Path = Field(Path("catalog.toml"), title="Matter catalog file")


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
    width: int = Field(1080, ge=640, le=3840)
    height: int = Field(1920, ge=480, le=3840)


class RoutingSection(_Section):
    green_queue: str = Field("green", description="Queue for simple matters (绿色通道).")
    default_queue: str = Field("comprehensive", description="Queue for everything else (一窗通办).")


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
        for key in ("green_queue", "default_queue"):
            if getattr(self.routing, key) not in codes:
                raise ValueError(
                    f"routing.{key}: no queue has the code {getattr(self.routing, key)!r}"
                )
        return self

    def queue(self, code: str) -> QueueSection:
        for queue in self.queues:
            if queue.code == code:
                return queue
        raise KeyError(code)

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
    for section, key in (("kiosk", "data_dir"), ("hall", "catalog"), ("ticket", "logo")):
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
