from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.config_store import (
    ConfigRefused,
    ConfigStore,
    check_configuration,
    coerce,
    field_spec,
    settings_sections,
)


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text('# the hall\n[kiosk]\nid = "K07"\n', encoding="utf-8")
    return path


def test_a_change_is_validated_written_and_the_last_good_file_kept(machine: Path) -> None:
    store = ConfigStore(machine)
    before = machine.read_text(encoding="utf-8")
    changes = store.save({"ui.inactivity_seconds": 90.0, "printer.port": "socket://10.0.0.9:9100"})
    assert [(c.key, c.old, c.new) for c in changes] == [
        ("ui.inactivity_seconds", 60.0, 90.0),
        ("printer.port", "/dev/ttyUSB0", "socket://10.0.0.9:9100"),
    ]
    data = tomllib.loads(machine.read_text(encoding="utf-8"))
    assert data == {
        "kiosk": {"id": "K07"},
        "ui": {"inactivity_seconds": 90.0},
        "printer": {"port": "socket://10.0.0.9:9100"},
    }
    assert store.last_good_file.read_text(encoding="utf-8") == before
    assert store.settings().ui.inactivity_seconds == 90
    assert sorted(p.name for p in machine.parent.iterdir()) == [
        "kiosk.toml",
        "kiosk.toml.last-good",
    ]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"ui.inactivity_seconds": 1.0},
            "ui.inactivity_seconds: Input should be greater than or equal to 5",
        ),
        ({"kiosk.id": "no spaces!"}, "kiosk.id: String should match pattern"),
        (
            {"routing.green_queue": "nowhere"},
            "routing.green_queue: no queue has the code 'nowhere'",
        ),
        ({"ui.colour": "blue"}, "ui.colour: unknown key (misspelt?)"),
    ],
)
def test_a_bad_value_is_refused_with_the_schemas_reason_and_nothing_changes(
    machine: Path, changes: dict[str, object], reason: str
) -> None:
    before = machine.read_bytes()
    with pytest.raises(ConfigRefused) as refused:
        ConfigStore(machine).save(changes)
    assert reason in str(refused.value)
    assert machine.read_bytes() == before
    assert sorted(p.name for p in machine.parent.iterdir()) == ["kiosk.toml"]


def test_a_first_change_creates_the_machine_file(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "kiosk.toml"
    ConfigStore(path).save({"technician.idle_minutes": 5.0})
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"technician": {"idle_minutes": 5.0}}


def test_fields_come_from_the_schema_with_titles_limits_and_choices() -> None:
    names = [section.name for section in settings_sections()]
    assert {"kiosk", "printer", "ui", "technician"} <= set(names)
    idle = field_spec("ui.inactivity_seconds")
    assert (idle.kind, idle.minimum, idle.maximum) == ("number", 5, 3600)
    assert idle.title == "Idle time before the countdown"
    assert idle.limits_text() == "≥ 5, ≤ 3600"
    assert field_spec("printer.on_failure").choices == ("e_ticket", "void")
    assert field_spec("technician.pin_hash").secret
    assert field_spec("kiosk.data_dir").nullable
    assert field_spec("ui.hide_cursor").kind == "boolean"


def test_coerce_turns_widget_values_into_schema_values() -> None:
    assert coerce(field_spec("ui.width"), "1080") == 1080
    assert coerce(field_spec("ui.fullscreen"), "off") is False
    with pytest.raises(ValueError, match="expected a number"):
        coerce(field_spec("ui.inactivity_seconds"), "nan")
    with pytest.raises(ValueError, match="whole number"):
        coerce(field_spec("ui.width"), "10.5")


def test_check_configuration_reports_problems(tmp_path: Path) -> None:
    assert check_configuration(None).ok
    broken = tmp_path / "kiosk.toml"
    broken.write_text("[ui\n", encoding="utf-8")
    result = check_configuration(broken)
    assert not result.ok
    assert "not valid TOML" in result.problems[0]
