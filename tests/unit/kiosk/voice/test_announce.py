"""The announcement of a call as one WAV: espeak-ng's Mandarin voice (installed by
tools/system-deps.sh), or the hall's recorded clips."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from kiosk.settings import ScreensSection, load_settings
from kiosk.voice import (
    CallReading,
    ClipSpeaker,
    EspeakSpeaker,
    Pcm,
    VoiceError,
    announcement_wav,
    missing_clips,
    speaker_for,
    voice_problems,
)
from kiosk.voice.sound import chime, silence
from kiosk.voice.speakers import WORDS

READING = CallReading("A012", 3)


def seconds_of(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        return audio.getnframes() / audio.getframerate()


def write_clips(folder: Path, letters: str, seconds: float, rate: int) -> None:
    folder.mkdir(exist_ok=True)
    for word in (*WORDS, *letters):
        (folder / f"{word}.wav").write_bytes(silence(seconds, rate).wav())


def test_espeak_speaks_chinese_and_english_each_time_the_settings_ask() -> None:
    once = announcement_wav(
        READING, ScreensSection(voice_repeat=1, voice_english=False), EspeakSpeaker()
    )
    twice = announcement_wav(
        READING, ScreensSection(voice_repeat=2, voice_english=True), EspeakSpeaker()
    )
    speech = seconds_of(once) - chime().seconds
    assert speech > 1.0  # the Mandarin sentence is really spoken
    assert seconds_of(twice) > chime().seconds + 2 * 2 * 1.0


def test_recorded_clips_are_joined_word_by_word_at_any_rate(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    write_clips(folder, "A", 0.1, 44100)  # resampled to espeak-ng's rate
    section = ScreensSection(voice_clips=folder, voice_repeat=1, voice_english=False)
    speaker = speaker_for(section, tmp_path)
    assert isinstance(speaker, ClipSpeaker)
    audio = seconds_of(announcement_wav(READING, section, speaker))
    words = len(READING.chinese_tokens())
    assert audio == pytest.approx(chime().seconds + 0.3 + words * 0.1, abs=0.01)


def test_a_hall_chime_replaces_the_built_in_one(tmp_path: Path) -> None:
    write_clips(tmp_path, "A", 0.05, 22050)
    (tmp_path / "chime.wav").write_bytes(silence(0.2).wav())
    section = ScreensSection(voice_clips=tmp_path, voice_repeat=1, voice_english=False)
    audio = seconds_of(announcement_wav(READING, section, speaker_for(section, tmp_path)))
    assert audio == pytest.approx(0.2 + 0.3 + 9 * 0.05, abs=0.01)


def test_a_missing_clip_is_named(tmp_path: Path) -> None:
    write_clips(tmp_path, "G", 0.05, 22050)
    assert missing_clips(tmp_path, ["A", "G"]) == ["A.wav"]
    section = ScreensSection(voice_clips=tmp_path, voice_english=False)
    with pytest.raises(VoiceError, match=r"A\.wav is missing"):
        announcement_wav(READING, section, speaker_for(section, tmp_path))


def test_a_clip_that_is_not_16_bit_pcm_is_refused(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="not a WAV file"):
        Pcm.from_wav(b"RIFF junk", "请.wav")
    eight_bit = io.BytesIO()
    with wave.open(eight_bit, "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(1)
        sink.setframerate(8000)
        sink.writeframes(bytes(100))
    with pytest.raises(VoiceError, match="16-bit PCM"):
        Pcm.from_wav(eight_bit.getvalue(), "请.wav")


def test_a_stereo_clip_keeps_its_left_channel(tmp_path: Path) -> None:
    stereo = io.BytesIO()
    with wave.open(stereo, "wb") as sink:
        sink.setnchannels(2)
        sink.setsampwidth(2)
        sink.setframerate(22050)
        sink.writeframes(b"\x01\x00\x02\x00" * 10)
    pcm = Pcm.from_wav(stereo.getvalue())
    assert pcm.frames == b"\x01\x00" * 10


def test_without_espeak_the_message_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(VoiceError, match="system-deps"):
        EspeakSpeaker().chinese(READING)


def test_config_check_names_each_missing_clip(tmp_path: Path) -> None:
    write_clips(tmp_path / "clips", "AG", 0.05, 22050)
    (tmp_path / "clips" / "号窗口.wav").unlink()
    settings = load_settings(overrides={"screens": {"voice_clips": str(tmp_path / "clips")}})
    problems = voice_problems(settings)
    assert {problem.key for problem in problems} == {"screens.voice_clips"}
    reasons = [problem.reason for problem in problems]
    assert any(reason.endswith("号窗口.wav is missing") for reason in reasons)
    assert any(reason.endswith("V.wav is missing") for reason in reasons)  # priority's letter
    assert voice_problems(load_settings()) == []  # espeak-ng: nothing to check
    nowhere = load_settings(overrides={"screens": {"voice_clips": str(tmp_path / "none")}})
    assert "is not a folder" in voice_problems(nowhere)[0].reason
