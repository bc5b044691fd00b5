"""Trust no client (#15, findings 8 and 9): `kiosk config check` refuses what the kiosk
could not use and warns about plain http across the network; the status URL a ticket's
QR code prints comes from the configuration, never from a request's Host header."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from cli.main import main
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.tokens import create_token
from kiosk.settings import Settings, load_settings

TOKEN = "k01-token-0123456789abcdef"
CONFIG = Path(__file__).resolve().parents[3] / "config"


def check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    machine = tmp_path / "kiosk.toml"
    data = tmp_path / "data"
    machine.write_text(f'[kiosk]\ndata_dir = "{data}"\n{text}', encoding="utf-8")
    capsys.readouterr()
    code = main(["config", "check", "--json", str(machine)])
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    assert code == (0 if report["ok"] else 1)
    return report


def problems(report: dict[str, object]) -> dict[str, str]:
    found = report["problems"]
    assert isinstance(found, list)
    return {problem["key"]: problem["reason"] for problem in found}


def hall(url: str, token: str = TOKEN) -> str:
    return f'[hall]\nbackend = "http"\nurl = "{url}"\ntoken = {json.dumps(token)}\n'


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://10.0.0.5:8470", True),
        ("http://hall.example:8470", True),
        ("http://127.0.0.1:8470", False),
        ("http://localhost:8470", False),
        ("http://[::1]:8470", False),
        ("https://hall.example:8470", False),
    ],
)
def test_plain_http_to_another_machine_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, warned: bool
) -> None:
    report = check(tmp_path, hall(url), capsys)
    assert report["ok"] is True  # it works: a warning, not a problem
    warnings = report["warnings"]
    assert isinstance(warnings, list)
    assert any("plain http" in warning for warning in warnings) is warned


@pytest.mark.parametrize(
    ("token", "reason"),
    [("", "empty"), (TOKEN + "\n", "line break"), ("k01 token", "space")],
)
def test_an_http_hall_needs_a_token_the_server_can_take(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], token: str, reason: str
) -> None:
    report = check(tmp_path, hall("https://hall.example", token), capsys)
    assert report["ok"] is False
    assert reason in problems(report)["hall.token"]
    assert TOKEN not in json.dumps(report)  # a secret is never echoed


@pytest.mark.parametrize(
    ("port", "ok"),
    [
        ("gopher://x", False),
        ("usb://nonsense", False),
        ("/dev/ttyUSB0", True),
        ("socket://printer.hall:9100", True),
        ("usb://04b8:0e15", True),
        ("usblp:///dev/usb/lp0", True),
    ],
)
def test_a_port_url_no_driver_opens_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], port: str, ok: bool
) -> None:
    report = check(tmp_path, f'[printer]\nport = "{port}"\n', capsys)
    assert report["ok"] is ok
    if not ok:
        assert port in problems(report)["printer.port"]


def test_a_data_folder_that_cannot_be_made_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    machine = tmp_path / "kiosk.toml"
    machine.write_text(f'[kiosk]\ndata_dir = "{blocker / "data"}"\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["config", "check", "--json", str(machine)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "is not a folder" in problems(report)["kiosk.data_dir"]


def test_a_missing_ca_file_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = hall("https://hall.example:8470") + 'ca_file = "hall-ca.pem"\n'
    report = check(tmp_path, text, capsys)
    reason = problems(report)["hall.ca_file"]
    assert "CA certificate file" in reason
    assert str(tmp_path / "hall-ca.pem") in reason
    (tmp_path / "hall-ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    assert "hall.ca_file" not in problems(check(tmp_path, text, capsys))


# ---- the status URL printed in the QR code -----------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("catalog.toml", "rules.toml"):
        shutil.copy(CONFIG / name, config / name)
    return load_settings(
        overrides={
            "hall": {"catalog": str(config / "catalog.toml")},
            "routing": {"rules": str(config / "rules.toml")},
        }
    )


def reserve_as(tmp_path: Path, settings: Settings, public_url: str = "") -> tuple[str, str]:
    """A reservation's status URL, asked for under a forged Host header; and the address
    the server listened on."""
    db = tmp_path / "hall.sqlite3"
    token = create_token(db, "K01", settings)
    running: RunningHall = start_in_thread(
        db, settings, options=ServerOptions(public_url=public_url)
    )
    try:
        answer = httpx.post(
            f"{running.url}/v1/tickets/reserve",
            json={"queue_code": "green", "idempotency_key": "a" * 32},
            headers={"Authorization": f"Bearer {token}", "Host": "evil.example"},
            timeout=20,
        )
    finally:
        running.stop()
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status_url"]), running.url


@pytest.mark.parametrize(
    ("public_url", "hall_url", "base"),
    [
        ("https://queue.hall.example", "https://hall.example:8470", "https://queue.hall.example"),
        ("", "https://hall.example:8470", "https://hall.example:8470"),
        ("", "", None),  # the address the server listens on
    ],
)
def test_the_status_url_never_follows_the_host_header(
    tmp_path: Path, settings: Settings, public_url: str, hall_url: str, base: str | None
) -> None:
    configured = settings.model_copy(
        update={"hall": settings.hall.model_copy(update={"url": hall_url})}
    )
    status_url, listening = reserve_as(tmp_path, configured, public_url)
    assert "evil.example" not in status_url
    assert status_url.startswith(f"{base or listening}/t/")
