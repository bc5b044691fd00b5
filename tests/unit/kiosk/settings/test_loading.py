from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.catalog import load_catalog
from kiosk.settings import ConfigError, load_settings, merge, settings_json_schema


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problems(error: pytest.ExceptionInfo[ConfigError]) -> dict[str, str]:
    return {problem.key: problem.reason for problem in error.value.problems}


def test_defaults_load_with_the_catalog_they_name() -> None:
    settings = load_settings()
    assert settings.kiosk.language == "zh"
    assert settings.ui.inactivity_seconds == 60
    assert settings.queue("green").prefix == "G"
    assert len(load_catalog(settings.catalog_path).matters) >= 20


def test_a_machine_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    machine = write(tmp_path / "k.toml", '[kiosk]\nid = "K07"\n[ui]\ninactivity_seconds = 90\n')
    settings = load_settings(machine)
    assert settings.kiosk.id == "K07"
    assert settings.ui.inactivity_seconds == 90
    assert settings.ui.countdown_seconds == 20
    assert settings.kiosk.timezone == "Asia/Shanghai"


def test_relative_paths_resolve_against_the_file_that_names_them(tmp_path: Path) -> None:
    machine = write(tmp_path / "k.toml", '[kiosk]\ndata_dir = "state"\n')
    assert load_settings(machine).data_path == tmp_path / "state"


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('[printer]\nbaudrate = "fast"\n', "printer.baudrate", "valid integer"),
        ("[ui]\ninactivty_seconds = 5\n", "ui.inactivty_seconds", "unknown key"),
        ("[ui]\ninactivity_seconds = 1\n", "ui.inactivity_seconds", "greater than or equal"),
        ('[kiosk]\ntimezone = "Mars/Olympus"\n', "kiosk.timezone", "unknown time zone"),
        ('[routing]\ngreen_queue = "nowhere"\n', "", "no queue has the code 'nowhere'"),
        ('[printer]\non_failure = "shrug"\n', "printer.on_failure", "'e_ticket' or 'void'"),
    ],
)
def test_each_bad_value_is_named_with_its_key_and_reason(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    machine = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as error:
        load_settings(machine)
    assert all(problem.file == str(machine) for problem in error.value.problems)
    found = problems(error)
    assert key in found
    assert reason in found[key]


def test_broken_toml_and_missing_file_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path / "broken.toml", "x = [\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "absent.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'[hall]\nname_zh = "\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(latin1)


def test_duplicate_queue_prefixes_are_refused(tmp_path: Path) -> None:
    text = "".join(
        f'[[queues]]\ncode = "{code}"\nprefix = "G"\nname_zh = "x"\nname_en = "x"\nwindows = [1]\n'
        for code in ("green", "comprehensive")
    )
    with pytest.raises(ConfigError, match="two queues have the prefix 'G'"):
        load_settings(write(tmp_path / "q.toml", text))


def test_merge_replaces_arrays_and_merges_tables() -> None:
    assert merge({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"c": 3}, "l": [2]}) == {
        "a": {"b": 1, "c": 3},
        "l": [2],
    }


def test_the_schema_describes_every_section() -> None:
    schema = settings_json_schema()
    assert {"kiosk", "hall", "queues", "printer", "ui"} <= set(schema["properties"])
    assert "config_dir" not in schema["properties"]
