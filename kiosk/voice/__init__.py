"""The calling voice: a call read the Chinese way, a chime, and the audio of the whole
announcement as one WAV, from espeak-ng's Mandarin voice or the hall's recorded clips.

reading.py    what is said: "请 A 零 一 二 号 到 3 号窗口", in English too
sound.py      PCM audio: WAV in and out, silence, the chime, joining, resampling
speakers.py   espeak-ng and the recorded clips
announce.py   the announcement: chime, then the call, repeated, as the settings say
"""

from __future__ import annotations

from kiosk.voice.announce import announcement_wav, speaker_for, voice_problems
from kiosk.voice.reading import CallReading, chinese_cardinal
from kiosk.voice.sound import Pcm, VoiceError
from kiosk.voice.speakers import ClipSpeaker, EspeakSpeaker, Speaker, missing_clips

__all__ = [
    "CallReading",
    "ClipSpeaker",
    "EspeakSpeaker",
    "Pcm",
    "Speaker",
    "VoiceError",
    "announcement_wav",
    "chinese_cardinal",
    "missing_clips",
    "speaker_for",
    "voice_problems",
]
