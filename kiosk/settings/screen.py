"""What the kiosk shows and prints: the screen, the ticket, evaluation, the technician menu."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from kiosk.settings.base import Section


class UiSection(Section):
    inactivity_seconds: float = Field(60.0, ge=5, le=3600, title="Idle time before the countdown")
    countdown_seconds: float = Field(20.0, ge=3, le=120, title="Countdown before going home")
    done_seconds: float = Field(15.0, ge=3, le=120, title="Confirmation screen shown for")
    senior_from_age: int = Field(
        70,
        ge=0,
        le=120,
        title="Senior mode from age",
        description="A visitor this old or older (from the ID card) gets senior mode at "
        "once; 0: only the senior mode button.",
    )
    senior_inactivity_seconds: float = Field(
        120.0, ge=5, le=3600, title="Idle time before the countdown in senior mode"
    )
    senior_read_aloud: bool = Field(
        True,
        title="Read each screen aloud in senior mode",
        description="In the hall's language, when espeak-ng or spd-say is installed.",
    )
    senior_matters: tuple[str, ...] = Field(
        ("M0702", "M0701", "M0504", "M0202", "M0801", "M0901"),
        max_length=8,
        title="Senior mode's matters",
        description="The hall's most common matters, first on the senior screen "
        "(matter codes, most common first; unknown codes are left out).",
    )
    fullscreen: bool = True
    hide_cursor: bool = Field(
        True,
        title="Hide the mouse cursor",
        description="In kiosk mode (full screen); a touchscreen needs no cursor.",
    )
    width: int = Field(1080, ge=640, le=3840)
    height: int = Field(1920, ge=480, le=3840)
    texts_file: Path | None = Field(
        None,
        title="Reworded texts file",
        description="A TOML file rewording texts of config/texts.toml (same keys, zh and "
        "en); empty: the texts as shipped.",
    )


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


def _refuse_unknown(kind: str, given: Iterable[str], known: Sequence[str]) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(
            f"unknown {kind}(s) {', '.join(map(repr, unknown))}; known: {', '.join(known)}"
        )


class TicketSection(Section):
    layout: tuple[str, ...] = Field(
        DEFAULT_TICKET_LAYOUT,
        title="Ticket layout",
        description=f"Blocks in print order, from: {', '.join(TICKET_BLOCKS)}.",
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

    @model_validator(mode="before")
    @classmethod
    def _no_reworded_labels(cls, raw: Any) -> Any:
        # `ticket.texts` was a second way to reword the labels; a file that still sets
        # it is refused with where the wording goes now, never silently ignored.
        if isinstance(raw, dict) and "texts" in raw:
            raise ValueError(
                "'texts' is no longer a ticket setting: reword the ticket's labels in the "
                "hall's texts file (ui.texts_file), in its [ticket] table, e.g. "
                'number = { zh = "您的号码", en = "Your number" } (keys: config/texts.toml)'
            )
        return raw


class EvaluationSection(Section):
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
        description="Working days to follow up a 不满意 or 非常不满意 vote, counted on "
        "the holiday calendar (5 or 15 are both in use).",
    )
    holidays: Path = Field(
        Path("holidays/cn.toml"),
        title="Holiday calendar",
        description="Days off and 调休 working weekends, as published each year.",
    )
    hall_holidays: Path | None = Field(
        None,
        title="Hall's holiday file",
        description="Years listed here replace the shipped calendar's (a newly published "
        "year, a local holiday). Same format as config/holidays/cn.toml.",
    )
    reasons: Path = Field(
        Path("evaluation_reasons.toml"),
        title="Reasons for a bad review (差评)",
        description="The reasons a taxpayer may pick after 不满意 or 非常不满意.",
    )
    staff_entry_seconds: float = Field(
        30.0,
        ge=5,
        le=300,
        title="Staff sign-in time",
        description="A staff number being keyed in on a window's keypad is dropped after "
        "this long without a key.",
    )


class TechnicianSection(Section):
    pin_hash: str = Field(
        "",
        title="Technician PIN (hash)",
        description="Set with `kiosk config set-pin` (6 to 12 digits, no easy pattern); "
        "a salted scrypt hash, never the PIN. "
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
        5.0,
        ge=1,
        le=120,
        title="Lock-out",
        description="Minutes the menu stays locked the first time; each further lock-out "
        "before the right PIN lasts twice as long, up to 24 hours.",
    )
    retention_days: int = Field(
        90,
        ge=7,
        le=3650,
        title="Keep journal records for",
        description="Days; older records already delivered to the hall are purged daily.",
    )
