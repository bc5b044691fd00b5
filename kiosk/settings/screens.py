"""The hall's screens: the calling display, its voice, the window screens, the phone page,
and whether the kiosk serves them itself (embedded hall)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from kiosk.settings.base import Section


class Announcement(Section):
    """One line of the hall's notices that the display shows in a loop."""

    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)


class ScreensSection(Section):
    announcements: tuple[Announcement, ...] = Field(
        (), title="Hall announcements", description="Shown by the calling display in a loop."
    )
    announcement_seconds: float = Field(8.0, ge=2, le=120, title="Each announcement shown for")
    recent_calls: int = Field(6, ge=1, le=20, title="Recent calls on the display")
    voice: bool = Field(
        True, title="Calling voice", description="false: the display shows calls as text only."
    )
    voice_repeat: int = Field(2, ge=1, le=5, title="Each call spoken", description="times")
    voice_english: bool = Field(True, title="Speak the call in English too")
    voice_clips: Path | None = Field(
        None,
        title="Recorded clips folder",
        description="The hall's recordings (请.wav, 零.wav ... 九.wav, 十.wav, 百.wav, "
        "A.wav ..., 号.wav, 到.wav, 号窗口.wav, optional chime.wav), relative to the "
        "settings file; empty: espeak-ng's Mandarin voice.",
    )
    voice_rate: int = Field(150, ge=80, le=300, title="espeak-ng words per minute")
    text_call_seconds: float = Field(
        5.0,
        ge=0.1,
        le=60,
        title="A silent call shown for",
        description="How long a muted display holds each call before the next.",
    )
    near_ahead: int = Field(
        3, ge=1, le=50, title="Phone says 'near' at", description="people ahead"
    )
    serve: str = Field(
        "",
        title="Serve the screens on",
        description="Embedded hall only: HOST:PORT on the hall's LAN where this kiosk serves "
        "the display, window screens and phone pages (e.g. 192.168.1.20:8480); empty: off.",
        pattern=r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$|^$",
    )
    public_url: str = Field(
        "",
        title="Screens public URL",
        description="Base URL phones reach (the ticket's QR); empty: http://HOST:PORT of serve.",
        pattern=r"^(https?://[^\s/]+)?$",
    )

    @field_validator("serve")
    @classmethod
    def _port_in_range(cls, value: str) -> str:
        if value and int(value.rsplit(":", 1)[1]) > 65535:
            raise ValueError(f"{value!r}: a port is 0 to 65535")
        return value
