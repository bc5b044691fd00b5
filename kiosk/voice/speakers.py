"""Who speaks: espeak-ng (no internet, a Mandarin voice) or the hall's recorded clips."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from kiosk.voice.reading import DIGITS, CallReading
from kiosk.voice.sound import Pcm, VoiceError, chime, join

ESPEAK = "espeak-ng"
ESPEAK_SECONDS = 20.0
CHIME_CLIP = "chime.wav"
# The words every call needs besides its letter: the clip names of a folder.
WORDS = ("请", "号", "到", "号窗口", "十", "百", *DIGITS)


class Speaker(Protocol):
    def chime(self) -> Pcm: ...

    def chinese(self, reading: CallReading) -> Pcm: ...

    def english(self, reading: CallReading) -> Pcm: ...


class EspeakSpeaker:
    """espeak-ng's `cmn` (Mandarin) and `en` voices, run once per sentence."""

    def __init__(self, rate: int = 150) -> None:
        self._rate = rate

    def say(self, text: str, voice: str) -> Pcm:
        program = shutil.which(ESPEAK)
        if program is None:
            raise VoiceError("espeak-ng is not installed (tools/system-deps.sh installs it)")
        with tempfile.TemporaryDirectory(prefix="hall-voice-") as folder:
            out = Path(folder) / "speech.wav"
            try:
                subprocess.run(
                    [program, "-v", voice, "-s", str(self._rate), "-w", str(out), "--", text],
                    check=True,
                    capture_output=True,
                    timeout=ESPEAK_SECONDS,
                )
            except subprocess.CalledProcessError as error:
                message = error.stderr.decode(errors="replace").strip()
                raise VoiceError(f"espeak-ng failed: {message or error.returncode}") from None
            except subprocess.TimeoutExpired:
                raise VoiceError(f"espeak-ng took over {ESPEAK_SECONDS:.0f} s") from None
            return Pcm.from_file(out)

    def chime(self) -> Pcm:
        return chime()

    def chinese(self, reading: CallReading) -> Pcm:
        return self.say(reading.chinese, "cmn")

    def english(self, reading: CallReading) -> Pcm:
        return self.say(reading.english, "en")


def missing_clips(folder: Path, letters: Iterable[str]) -> list[str]:
    """The clip files a folder lacks for calls of queues with these letters."""
    needed = [*WORDS, *sorted(set(letters))]
    return [f"{word}.wav" for word in needed if not (folder / f"{word}.wav").is_file()]


class ClipSpeaker:
    """The hall's own recordings, one WAV per word (请.wav, A.wav, 零.wav ... 号窗口.wav),
    joined; English (if wanted) from espeak-ng. A chime.wav replaces the built-in chime."""

    def __init__(self, folder: Path, english: EspeakSpeaker) -> None:
        self._folder = folder
        self._english = english
        self._clips: dict[str, Pcm] = {}

    def _clip(self, word: str) -> Pcm:
        if word not in self._clips:
            path = self._folder / f"{word}.wav"
            if not path.is_file():
                raise VoiceError(f"screens.voice_clips: {path} is missing")
            self._clips[word] = Pcm.from_file(path)
        return self._clips[word]

    def chime(self) -> Pcm:
        if (self._folder / CHIME_CLIP).is_file():
            return self._clip(CHIME_CLIP.removesuffix(".wav"))
        return chime()

    def chinese(self, reading: CallReading) -> Pcm:
        return join(self._clip(word) for word in reading.chinese_tokens())

    def english(self, reading: CallReading) -> Pcm:
        return self._english.english(reading)
