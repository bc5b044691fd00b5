"""PCM audio, mono 16-bit: read and write WAV, silence, the chime, joining, resampling."""

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RATE = 22050  # espeak-ng's rate: its speech needs no resampling


class VoiceError(Exception):
    """The voice cannot be made; the message says what to fix."""


def _samples(frames: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    return samples


def _frames(samples: array[int]) -> bytes:
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


@dataclass(frozen=True)
class Pcm:
    """Mono 16-bit little-endian samples at `rate`."""

    frames: bytes
    rate: int = RATE

    @property
    def seconds(self) -> float:
        return len(self.frames) / 2 / self.rate

    @classmethod
    def from_wav(cls, data: bytes, name: str = "audio") -> Pcm:
        """A WAV file's audio; VoiceError unless it is 16-bit PCM, mono or stereo."""
        try:
            with wave.open(io.BytesIO(data)) as source:
                width, channels, rate = (
                    source.getsampwidth(),
                    source.getnchannels(),
                    source.getframerate(),
                )
                frames = source.readframes(source.getnframes())
        except (wave.Error, EOFError) as error:
            raise VoiceError(f"{name}: not a WAV file ({error})") from None
        if width != 2 or channels not in (1, 2):
            raise VoiceError(f"{name}: 16-bit PCM, mono or stereo, is needed")
        if channels == 2:  # the left channel
            frames = _frames(_samples(frames)[0::2])
        return cls(frames, rate).resampled(RATE)

    @classmethod
    def from_file(cls, path: Path) -> Pcm:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise VoiceError(f"{path}: {error.strerror or error}") from None
        return cls.from_wav(data, str(path))

    def wav(self) -> bytes:
        out = io.BytesIO()
        with wave.open(out, "wb") as sink:
            sink.setnchannels(1)
            sink.setsampwidth(2)
            sink.setframerate(self.rate)
            sink.writeframes(self.frames)
        return out.getvalue()

    def resampled(self, rate: int) -> Pcm:
        """Linear interpolation: clips recorded at 44.1 or 48 kHz join espeak-ng's speech.
        (audioop would do it, but it is deprecated and gone from Python 3.13.)"""
        if rate == self.rate or not self.frames:
            return Pcm(self.frames, rate)
        source = _samples(self.frames)
        count = max(1, round(len(source) * rate / self.rate))
        step = (len(source) - 1) / max(1, count - 1)
        out = array("h", bytes(2 * count))
        for index in range(count):
            place = index * step
            low = int(place)
            high = min(low + 1, len(source) - 1)
            out[index] = round(source[low] + (source[high] - source[low]) * (place - low))
        return Pcm(_frames(out), rate)


def silence(seconds: float, rate: int = RATE) -> Pcm:
    return Pcm(bytes(2 * round(seconds * rate)), rate)


def join(parts: Iterable[Pcm]) -> Pcm:
    return Pcm(b"".join(part.resampled(RATE).frames for part in parts), RATE)


def chime(rate: int = RATE) -> Pcm:
    """The two-tone "ding-dong" before a call: E5 then C5, each fading out."""
    samples = array("h")
    for frequency, seconds in ((659.25, 0.45), (523.25, 0.7)):
        count = round(seconds * rate)
        for index in range(count):
            moment = index / rate
            fade = math.exp(-4.0 * moment / seconds)
            tone = math.sin(2 * math.pi * frequency * moment)
            overtone = 0.3 * math.sin(4 * math.pi * frequency * moment)
            samples.append(round(9000 * fade * (tone + overtone)))
    return Pcm(_frames(samples), rate)
