"""Finding a Chinese font for emulated slips."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import ImageFont

import drivers.sim.fonts as fonts


def test_finds_a_font_that_draws_chinese() -> None:
    path = fonts.find_cjk_font()
    assert path is not None
    font = ImageFont.truetype(str(path), 24)
    assert font.getbbox("税")[2] >= 20  # a real glyph, not a narrow fallback box


def test_prefers_known_fonts_under_the_root(tmp_path: Path) -> None:
    (tmp_path / "truetype" / "noto").mkdir(parents=True)
    (tmp_path / "truetype" / "wqy").mkdir(parents=True)
    noto = tmp_path / "truetype" / "noto" / "NotoSansCJK-Regular.ttc"
    wqy = tmp_path / "truetype" / "wqy" / "wqy-microhei.ttc"
    noto.touch()
    assert fonts.find_cjk_font(tmp_path) == noto
    wqy.touch()
    assert fonts.find_cjk_font(tmp_path) == wqy


def test_falls_back_to_fontconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = tmp_path / "some.ttf"
    found.touch()
    monkeypatch.setattr(fonts, "_fc_match", lambda: found)
    assert fonts.find_cjk_font(tmp_path / "empty") == found


def test_fontconfig_answer_must_cover_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    class Completed:
        returncode = 0
        stdout = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\nen|fr|de"

    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: Completed())
    assert fonts._fc_match() is None


def test_missing_fontconfig_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("fc-match")

    monkeypatch.setattr(subprocess, "run", missing)
    assert fonts._fc_match() is None
