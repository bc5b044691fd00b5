"""`kiosk hall report evaluations` and `kiosk hall province check|export`, through the
real command line parser, on a server database holding a few evaluations."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli.main import main
from kiosk.clock import FakeClock
from kiosk.hall.server.store import HallStore
from kiosk.settings import CONFIG_DIR, load_settings

MORNING = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)


def evaluations_in(db: Path, hall: str = "main") -> None:
    """Window 2, staff 1037: 满意, 非常不满意 (its follow-up long overdue), a repeat, and
    one not evaluated; window 3 without staff: 满意."""
    store = HallStore(db, load_settings(), FakeClock(MORNING), hall=hall)
    records = []
    for window, staff, level, repeat in (
        (2, "1037", 2, False),
        (2, "1037", 5, False),
        (2, "1037", 1, True),
        (2, "1037", None, False),
        (3, None, 2, False),
    ):
        records.append(
            {
                "idempotency_key": uuid.uuid4().hex,
                "kind": "evaluation.recorded",
                "at": MORNING.isoformat(),
                "payload": {
                    "evaluation_id": uuid.uuid4().hex,
                    "window": window,
                    "staff_id": staff,
                    "level": level,
                    "repeat": repeat,
                },
            }
        )
    results, _ = store.add_records("K01", records)
    assert {status for _, status, _ in results} == {"accepted"}
    store.close()


def test_the_report_counts_per_window_and_staff_with_bad_reviews_and_overdue_follow_ups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "hall.sqlite3"
    evaluations_in(db)
    period = ["--from", "2026-09-30", "--to", "2026-09-30", "--db", str(db)]
    assert main(["hall", "report", "evaluations", *period]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    found = {
        (row["dimension"], row["key"]): (
            row["evaluated"],
            row["satisfied"],
            row["very_dissatisfied"],
            row["not_evaluated"],
            row["repeats"],
            row["bad"],
            row["overdue_follow_ups"],
        )
        for row in rows
    }
    assert found == {
        ("window", "2"): ("2", "1", "1", "1", "1", "1", "1"),
        ("window", "3"): ("1", "1", "0", "0", "0", "0", "0"),
        ("staff", "1037"): ("2", "1", "1", "1", "1", "1", "1"),
        ("staff", "-"): ("1", "1", "0", "0", "0", "0", "0"),
        ("matter", "-"): ("3", "2", "1", "1", "1", "1", "1"),
    }
    output = tmp_path / "report.xlsx"
    assert (
        main(
            ["hall", "report", "evaluations", *period, "--format", "xlsx", "--output", str(output)]
        )
        == 0
    )
    sheet = load_workbook(output).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]][:3] == ["dimension", "key", "evaluated"]
    assert sheet.max_row == len(rows) + 1


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2026-10-02", "2026-10-01", "--to is before --from"),
        ("2026-13-01", "2026-10-01", "are dates"),
        ("2025-01-01", "2026-10-01", "at most 366 days"),
    ],
)
def test_a_bad_period_is_refused_with_a_reason(
    first: str, last: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hall", "report", "evaluations", "--from", first, "--to", last]) == 2
    assert message in capsys.readouterr().err


def test_province_check_names_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "province.toml"
    file.write_text('url = "ftp://x"\ncredentials = "c.json"\nmapping = "m.json"\n')
    assert main(["hall", "province", "check", str(file)]) == 1
    assert "url" in capsys.readouterr().err


def test_no_database_is_made_by_a_report_and_serve_refuses_a_bad_province(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.sqlite3"
    period = ["--from", "2026-09-30", "--to", "2026-09-30", "--db", str(missing)]
    assert main(["hall", "report", "evaluations", *period]) == 1
    assert "no hall server database" in capsys.readouterr().err
    assert not missing.exists()
    province = tmp_path / "province.toml"
    province.write_text(
        'url = "https://p.example/api"\ncredentials = "c.json"\nmapping = "m.json"\n'
    )
    assert main(["hall", "serve", "--db", str(missing), "--province", str(province)]) == 1
    assert "c.json: file not found" in capsys.readouterr().err
    assert not missing.exists()


def test_the_report_is_of_one_hall(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hall.sqlite3"
    evaluations_in(db, hall="east")
    period = ["--from", "2026-09-30", "--to", "2026-09-30", "--db", str(db)]
    assert main(["hall", "report", "evaluations", *period]) == 0
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out))) == []  # main has none
    assert main(["hall", "report", "evaluations", *period, "--hall", "east"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(row["dimension"], row["key"]) for row in rows} >= {("window", "2"), ("window", "3")}
    assert main(["hall", "report", "evaluations", *period, "--hall", "../x"]) == 2
    assert "is not a hall id" in capsys.readouterr().err


def province_file(folder: Path) -> Path:
    credentials = folder / "credentials.json"
    credentials.write_text(json.dumps({"app_id": "hall-1", "app_secret": "s3cret"}))
    os.chmod(credentials, 0o600)
    path = folder / "province.toml"
    path.write_text(
        'url = "https://p.example/api"\ncredentials = "credentials.json"\n'
        f'mapping = "{CONFIG_DIR / "province" / "national-mapping.json"}"\nhall_code = "H7"\n',
        encoding="utf-8",
    )
    return path


def exported_windows(path: Path) -> list[str]:
    rows = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    return sorted(row["windowNo"] for row in rows)


def hall_codes(path: Path) -> set[tuple[str, str]]:
    rows = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    return {(row["hallCode"], row["hallName"]) for row in rows}


def test_the_province_export_is_of_one_hall_named_by_hall_when_there_are_several(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = tmp_path / "hall.sqlite3", tmp_path / "out"
    evaluations_in(db)
    export = ["hall", "province", "export", str(province_file(tmp_path)), "--day", "2026-09-30"]
    export += ["--db", str(db), "--folder", str(out)]
    assert main(export) == 0  # one hall: --hall may be left out
    path = Path(capsys.readouterr().out.strip())
    assert path == out / "evaluations-2026-09-30.csv"
    assert exported_windows(path) == ["2", "2", "3"]  # the counted votes
    east = HallStore(db, load_settings(), FakeClock(MORNING), hall="east")
    vote = {"evaluation_id": "east-1", "window": 9, "level": 1}
    record = {"idempotency_key": "e1", "kind": "evaluation.recorded", "at": MORNING.isoformat()}
    assert east.add_records("E01", [{**record, "payload": vote}])[0][0][1] == "accepted"
    east.close()
    assert main(export) == 2  # two halls, one province file: which hall's codes?
    error = capsys.readouterr().err
    assert "2 halls (east, main)" in error
    assert "one hall (H7)" in error
    assert "--hall HALL" in error
    assert main([*export, "--hall", "east"]) == 2  # the file has no codes for east
    assert "no codes for hall east: add a [halls.east] table" in capsys.readouterr().err
    assert not (out / "evaluations-east-2026-09-30.csv").exists()
    with (tmp_path / "province.toml").open("a", encoding="utf-8") as file:
        file.write('[halls.east]\nhall_code = "E9"\nhall_name = "东区"\n')
    assert main([*export, "--hall", "east"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == out / "evaluations-east-2026-09-30.csv"
    assert exported_windows(path) == ["9"]
    assert hall_codes(path) == {("E9", "东区")}  # east's own, never main's H7
    assert main([*export, "--hall", "main"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert exported_windows(path) == ["2", "2", "3"]
    assert hall_codes(path) == {("H7", "")}
    assert main([*export, "--hall", "../x"]) == 2
    assert "is not a hall id" in capsys.readouterr().err


def test_serve_refuses_a_province_file_without_codes_for_each_of_its_halls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing, halls = tmp_path / "none.sqlite3", tmp_path / "halls"
    halls.mkdir()
    (halls / "east.toml").write_text("# hall east\n", encoding="utf-8")
    serve = ["hall", "serve", "--db", str(missing), "--halls", str(halls)]
    assert main([*serve, "--province", str(province_file(tmp_path))]) == 1
    assert "no [halls.HALL] codes for east" in capsys.readouterr().err
    assert not missing.exists()  # refused before anything is made
