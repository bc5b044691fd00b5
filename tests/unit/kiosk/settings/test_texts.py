from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.settings import ConfigError, load_settings, load_texts


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problems(error: pytest.ExceptionInfo[ConfigError]) -> dict[str, str]:
    return {problem.key: problem.reason for problem in error.value.problems}


def test_a_halls_wording_is_layered_over_the_texts_as_shipped(tmp_path: Path) -> None:
    write(tmp_path / "texts.toml", '[screen]\nwelcome = { zh = "欢迎", en = "Welcome" }\n')
    machine = write(tmp_path / "k.toml", '[ui]\ntexts_file = "texts.toml"\n')
    settings = load_settings(machine)
    assert settings.ui.texts_file == tmp_path / "texts.toml"
    texts = load_texts(settings)
    assert texts.text("screen.welcome").en == "Welcome"
    assert texts.text("screen.home") == load_texts(load_settings()).text("screen.home")


def test_a_wrong_wording_is_refused_with_its_file_and_key(tmp_path: Path) -> None:
    wording = write(
        tmp_path / "texts.toml",
        '[screen]\nwelcom = { zh = "欢迎", en = "Welcome" }\nhome = { zh = "首页" }\n',
    )
    machine = write(tmp_path / "k.toml", '[ui]\ntexts_file = "texts.toml"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(machine)
    assert {problem.file for problem in error.value.problems} == {str(wording)}
    assert problems(error) == {
        "screen.welcom": "unknown text (misspelt?)",
        "screen.home": "no en text",
    }


def test_a_missing_wording_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    machine = write(tmp_path / "k.toml", '[ui]\ntexts_file = "nowhere.toml"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(machine)
    assert error.value.problems[0].reason == "file not found"
