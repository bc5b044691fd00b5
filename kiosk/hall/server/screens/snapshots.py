"""Screenshots of the hall's pages in headless Chromium (the demo): the calling display
on a 1920x1080 TV, the window screen, the phone page in Chinese and in English."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.settings import Settings
from kiosk.voice import CallReading, announcement_wav, speaker_for

SNAPSHOT_SECONDS = 60.0


class SnapshotError(Exception):
    """No screenshot; the message says why (no Chromium, a page that failed)."""


@dataclass(frozen=True)
class Shot:
    name: str
    path: str  # below the base URL
    width: int
    height: int
    scale: float = 1.0


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SnapshotError("chromium is not installed (tools/system-deps.sh installs it)")
    return found


def snapshot(url: str, out: Path, shot: Shot) -> Path:
    """One page as a PNG at `out`."""
    program = chromium()
    with tempfile.TemporaryDirectory(prefix="hall-snapshot-") as profile:
        command = [
            program,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={profile}",
            f"--window-size={shot.width},{shot.height}",
            f"--force-device-scale-factor={shot.scale}",
            f"--screenshot={out}",
            url,
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=SNAPSHOT_SECONDS, check=True)
        except subprocess.TimeoutExpired:
            raise SnapshotError(f"{url}: no screenshot in {SNAPSHOT_SECONDS:.0f} s") from None
        except subprocess.CalledProcessError as error:
            raise SnapshotError(f"{url}: chromium exited with {error.returncode}") from None
    if not out.is_file():
        raise SnapshotError(f"{url}: chromium wrote no screenshot")
    return out


def phone_shots(ticket_id: str) -> list[Shot]:
    phone = f"/t/{ticket_id}"
    return [
        Shot("phone.png", f"{phone}?lang=zh", 390, 844, 2.0),
        Shot("phone-en.png", f"{phone}?lang=en", 390, 844, 2.0),
    ]


def screen_shots(window: int) -> list[Shot]:
    """The display on a 1920x1080 TV and in portrait, and one window's screen."""
    return [
        Shot("display.png", "/display?muted=1", 1920, 1080),
        Shot("display-portrait.png", "/display?muted=1", 1080, 1920),
        Shot("window.png", f"/display/window/{window}?muted=1", 1920, 1080),
    ]


def snapshot_pages(base_url: str, out_dir: Path, shots: list[Shot]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [snapshot(base_url + shot.path, out_dir / shot.name, shot) for shot in shots]


def demo_pages(
    base_url: str,
    out_dir: Path,
    ticket_id: str,
    settings: Settings,
    call: Callable[[], CallReading],
) -> list[Path]:
    """The demo's pages/: the phone page of a waiting ticket, then `call()` makes a call
    and the display and that window's screen show it; call.wav is its announcement as
    the display plays it. SnapshotError, VoiceError."""
    written = snapshot_pages(base_url, out_dir, phone_shots(ticket_id))
    reading = call()
    written += snapshot_pages(base_url, out_dir, screen_shots(reading.window))
    speaker = speaker_for(settings.screens, settings.config_dir)
    audio = out_dir / "call.wav"
    audio.write_bytes(announcement_wav(reading, settings.screens, speaker))
    return [*written, audio]
