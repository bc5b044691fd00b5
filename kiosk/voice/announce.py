"""The announcement of one call: the chime, then the call in Chinese (and English),
repeated as the hall's settings say, as one WAV."""

from __future__ import annotations

from pathlib import Path

from kiosk.settings import ConfigProblem, ScreensSection, Settings
from kiosk.voice.reading import CallReading
from kiosk.voice.sound import Pcm, join, silence
from kiosk.voice.speakers import ClipSpeaker, EspeakSpeaker, Speaker, missing_clips

PAUSE_AFTER_CHIME = 0.3
PAUSE_BETWEEN_LANGUAGES = 0.5
PAUSE_BETWEEN_REPEATS = 0.9


def speaker_for(section: ScreensSection, config_dir: Path) -> Speaker:
    """The hall's recorded clips when screens.voice_clips names a folder, else espeak-ng."""
    espeak = EspeakSpeaker(section.voice_rate)
    folder = section.voice_clips
    if folder is None:
        return espeak
    return ClipSpeaker(folder if folder.is_absolute() else config_dir / folder, espeak)


def announcement(reading: CallReading, section: ScreensSection, speaker: Speaker) -> Pcm:
    once = [speaker.chinese(reading)]
    if section.voice_english:
        once += [silence(PAUSE_BETWEEN_LANGUAGES), speaker.english(reading)]
    parts = [speaker.chime(), silence(PAUSE_AFTER_CHIME)]
    for time in range(section.voice_repeat):
        if time:
            parts.append(silence(PAUSE_BETWEEN_REPEATS))
        parts += once
    return join(parts)


def announcement_wav(reading: CallReading, section: ScreensSection, speaker: Speaker) -> bytes:
    """VoiceError when the voice cannot be made (no espeak-ng, a clip missing)."""
    return announcement(reading, section, speaker).wav()


def voice_problems(settings: Settings) -> list[ConfigProblem]:
    """`kiosk config check`: the recorded clips a hall's calls need, each missing one named."""
    folder = settings.screens.voice_clips
    if folder is None or not settings.screens.voice:
        return []
    path = folder if folder.is_absolute() else settings.config_dir / folder
    if not path.is_dir():
        return [ConfigProblem("", "screens.voice_clips", f"{path} is not a folder")]
    missing = missing_clips(path, [queue.prefix for queue in settings.queues])
    return [
        ConfigProblem("", "screens.voice_clips", f"{path / name} is missing") for name in missing
    ]
