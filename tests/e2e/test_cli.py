"""The `kiosk` command as a technician runs it: a real process, real files, real ptys."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app import build_kiosk
from kiosk.catalog import load_catalog
from kiosk.settings import load_settings
from kiosk.systemd import EXIT_CONFIG
from kiosk.triage import route_visit

pytestmark = pytest.mark.e2e


def kiosk(*args: str, timeout: float = 60, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "KIOSK_CONFIG": ""},
    )


def start_sim(*args: str) -> tuple[subprocess.Popen[str], str]:
    """`kiosk sim ...` in its own process, as on a bench; returns it and its device path."""
    emulator = subprocess.Popen(
        [sys.executable, "-m", "cli", "sim", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KIOSK_CONFIG": ""},
    )
    assert emulator.stdout is not None
    return emulator, emulator.stdout.readline().strip()


def stop_emulator(emulator: subprocess.Popen[str]) -> int:
    emulator.send_signal(signal.SIGTERM)
    return emulator.wait(timeout=10)


def test_config_check_passes_the_defaults() -> None:
    result = kiosk("config", "check", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["matters"] >= 20


def test_config_check_names_every_bad_key_and_exits_non_zero(tmp_path: Path) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text(
        '[printer]\nbaudrate = "fast"\n[ui]\ninactivty_seconds = 5\n', encoding="utf-8"
    )
    result = kiosk("config", "check", str(machine))
    assert result.returncode == 1
    assert "printer.baudrate" in result.stdout
    assert "ui.inactivty_seconds: unknown key" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_broken_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_bytes(b"[kiosk\n\xff")
    for command in (
        ("config", "check", str(machine)),
        ("config", "show", "--config", str(machine)),
    ):
        result = kiosk(*command)
        assert result.returncode == 1
        assert str(machine) in result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def test_set_pin_refuses_an_easy_pin_writes_a_good_one_and_check_is_quiet(
    tmp_path: Path,
) -> None:
    machine = tmp_path / "kiosk.toml"
    refused = kiosk("config", "set-pin", "--pin-stdin", "--config", str(machine), stdin="1234\n")
    assert refused.returncode == 1
    assert "PIN not set: a PIN has 6 to 12 digits" in refused.stdout
    assert not machine.exists()
    refused = kiosk("config", "set-pin", "--pin-stdin", "--config", str(machine), stdin="654321\n")
    assert refused.returncode == 1
    assert "counting up or down" in refused.stdout
    assert not machine.exists()
    accepted = kiosk("config", "set-pin", "--pin-stdin", "--config", str(machine), stdin="730519\n")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "730519" not in machine.read_text(encoding="utf-8")
    checked = kiosk("config", "check", str(machine))
    assert checked.returncode == 0, checked.stdout
    assert "warning" not in checked.stdout


def test_config_schema_is_json_schema() -> None:
    result = kiosk("config", "schema")
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert "printer" in schema["properties"]


def test_diag_prints_a_test_ticket_on_the_emulator_in_another_process(tmp_path: Path) -> None:
    emulator, device = start_sim("printer", "--out", str(tmp_path))
    try:
        assert emulator.stdout is not None
        assert device.startswith("/dev/pts/"), emulator.stderr
        status = json.loads(kiosk("diag", "printer", "--port", device, "--json").stdout)
        assert status["condition"] == "ready"
        result = kiosk("diag", "printer", "--port", device, "--test-ticket", "--json")
        report = json.loads(result.stdout)
        assert report["printed"] is True, report
        announced = emulator.stdout.readline()
        assert "ticket 1" in announced
        assert list(tmp_path.glob("*.png"))
        assert list(tmp_path.glob("*.escpos"))
    finally:
        returncode = stop_emulator(emulator)
    assert returncode == 0


def test_diag_on_a_missing_port_says_so(tmp_path: Path) -> None:
    result = kiosk("diag", "printer", "--port", str(tmp_path / "ttyNONE"), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert "ttyNONE" in report["error"]


def test_kiosk_run_with_a_broken_config_says_what_to_fix(tmp_path: Path) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text("[ui]\ninactivity_seconds = -3\n", encoding="utf-8")
    result = kiosk("run", "--config", str(machine))
    assert result.returncode == EXIT_CONFIG  # the unit does not restart on it
    assert "ui.inactivity_seconds" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_kiosk_run_with_an_unusable_data_directory_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be", encoding="utf-8")
    machine = tmp_path / "kiosk.toml"
    machine.write_text(f'[kiosk]\ndata_dir = "{blocker}/data"\n', encoding="utf-8")
    result = kiosk("run", "--config", str(machine))
    assert result.returncode == 2
    assert "kiosk.data_dir" in result.stderr
    assert "cannot create the data directory" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_log_json_writes_one_json_object_per_line(tmp_path: Path) -> None:
    result = kiosk("--log-json", "demo", "--headless", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    for line in lines:
        entry = json.loads(line)
        assert {"ts", "level", "logger", "msg"} <= set(entry)


def test_the_emulator_runs_out_of_paper_when_told_to(tmp_path: Path) -> None:
    emulator, device = start_sim("printer", "--out", str(tmp_path), "--paper-out-after", "1")
    try:
        first = json.loads(
            kiosk("diag", "printer", "--port", device, "--test-ticket", "--json").stdout
        )
        second = json.loads(
            kiosk("diag", "printer", "--port", device, "--test-ticket", "--json").stdout
        )
    finally:
        stop_emulator(emulator)
    assert first["printed"] is False  # the roll ended with this slip: reported, not hidden
    assert "paper" in first["error"]
    assert second["condition"] == "paper_end"
    assert second["ok"] is False


def test_reprint_prints_todays_ticket_again_on_the_printer(tmp_path: Path) -> None:
    emulator, device = start_sim("printer", "--out", str(tmp_path / "slips"))
    try:
        machine = tmp_path / "kiosk.toml"
        machine.write_text(
            f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[printer]\nport = "{device}"\n',
            encoding="utf-8",
        )
        settings = load_settings(machine)
        catalog = load_catalog(settings.catalog_path)
        issuing = build_kiosk(settings, catalog)
        issuing.tickets.issue(route_visit([catalog.matter("M0202")], settings), "zh")
        issuing.close()  # the kiosk stops; the technician reprints from the shell
        result = kiosk("ticket", "reprint", "g001", "--config", str(machine), "--json")
        missing = kiosk("ticket", "reprint", "G999", "--config", str(machine))
    finally:
        stop_emulator(emulator)
    assert json.loads(result.stdout)["ok"] is True, result.stdout
    assert missing.returncode == 1
    assert "no ticket G999 was issued today" in missing.stdout
    slips = sorted((tmp_path / "slips").glob("*.escpos"))
    assert len(slips) == 2
    assert "补打".encode("gb18030") in slips[1].read_bytes()
    assert "补打".encode("gb18030") not in slips[0].read_bytes()


def test_diag_idcard_reads_a_card_from_the_emulated_reader_masked(tmp_path: Path) -> None:
    reader, device = start_sim("idcard", "--insert", "resident")
    try:
        result = kiosk("diag", "idcard", "--port", device, "--json")
        text = kiosk("diag", "idcard", "--port", device)
    finally:
        stop_emulator(reader)
    report = json.loads(result.stdout)
    assert report["ok"] is True, report
    card = report["card"]
    assert card["card_type"] == "RESIDENT"
    assert card["check_digit_valid"] is True
    assert card["id_number"].count("*") == 11  # first 3 and last 4 shown, nothing else
    assert "name" not in card
    assert "address" not in card
    assert "SAM: success" in text.stdout


def test_diag_idcard_with_nothing_on_the_reader_says_so(tmp_path: Path) -> None:
    reader, device = start_sim("idcard")
    try:
        result = kiosk("diag", "idcard", "--port", device)
    finally:
        stop_emulator(reader)
    assert result.returncode == 1
    assert "card: none on the reader" in result.stdout


def test_diag_keypads_scans_the_bus_and_hears_a_vote() -> None:
    bus, device = start_sim("keypads", "1", "2", "3")
    try:
        assert bus.stdin is not None
        assert bus.stdout is not None
        scan = json.loads(
            kiosk(
                "diag", "keypads", "--port", device, "--addresses", "1-5", "--scan", "--json"
            ).stdout
        )
        bus.stdin.write("press 2 1\n")  # 非常满意 on the keypad at window 2
        bus.stdin.flush()
        assert "ok" in bus.stdout.readline()
        heard = kiosk(
            "diag", "keypads", "--port", device, "--addresses", "1-3", "--listen", "1", "--json"
        )
    finally:
        stop_emulator(bus)
    assert [keypad["address"] for keypad in scan["keypads"]] == [1, 2, 3]
    events = [json.loads(line) for line in heard.stdout.splitlines()]
    assert events, heard.stderr
    assert [(e["address"], e["label"]) for e in events] == [(2, "非常满意")]


def test_diag_keypads_refuses_a_bad_address_list() -> None:
    result = kiosk("diag", "keypads", "--port", "/dev/null", "--addresses", "0-40")
    assert result.returncode == 2
    assert "addresses are 1..32" in result.stderr


def test_diag_scanner_prints_scans_classified_and_masked() -> None:
    scanner, device = start_sim("scanner")
    id_like = "110105" + "19491231" + "002X"
    options = ["--port", device, "--count", "3", "--timeout", "30", "--json"]
    diag = subprocess.Popen(
        [sys.executable, "-m", "cli", "diag", "scanner", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KIOSK_CONFIG": ""},
    )
    try:
        assert diag.stderr is not None
        assert scanner.stdin is not None
        # Scan only once the port is open: opening it discards what came before.
        while "waiting" not in (line := diag.stderr.readline()):
            assert line, "kiosk diag scanner ended before listening"
        slip = "code http://192.0.2.1:8080/t/abc123\n"  # a ticket's slip (its evaluation)
        scanner.stdin.write("code YY20261123\njunk\nsplit " + id_like + "\n" + slip)
        scanner.stdin.flush()
        out, err = diag.communicate(timeout=30)
    finally:
        diag.kill()
        assert stop_emulator(scanner) == 0
    assert diag.returncode == 0, err
    scans = [json.loads(line) for line in out.splitlines()]
    assert [scan["ok"] for scan in scans] == [True, False, True, True]
    assert scans[0]["kind"] == "appointment_code"
    assert scans[3]["kind"] == "ticket_slip"
    assert "not UTF-8" in scans[1]["error"]
    assert scans[2]["code"] == "110***********002X"
    assert id_like not in out + err


def test_sim_scanner_plays_a_codes_file_over_and_over(tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("# two appointments\nYY00000001\nYY00000002\n", encoding="utf-8")
    script = ["--file", str(codes), "--delay", "0", "--interval", "0.1", "--repeat"]
    scanner, device = start_sim("scanner", *script, "--suffix", "CRLF")
    try:
        result = kiosk(
            "diag", "scanner", "--port", device, "--suffix", "CRLF", "--count", "3", "--json"
        )
    finally:
        assert stop_emulator(scanner) == 0
    assert result.returncode == 0, result.stderr
    scans = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(scans) == 3
    assert {scan["code"] for scan in scans} == {"YY00000001", "YY00000002"}
    assert all(scan["kind"] == "appointment_code" for scan in scans)


def test_diag_scanner_on_a_missing_port_says_so() -> None:
    result = kiosk("diag", "scanner", "--port", "/dev/no-such-scanner", "--json")
    assert result.returncode == 1
    assert "/dev/no-such-scanner" in json.loads(result.stdout)["error"]
    assert "Traceback" not in result.stderr
