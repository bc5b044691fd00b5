"""The daily CSV of what went (or should have gone) to the province: one line per
evaluation and per closed follow-up of the day, in the province's field names, with
when it was delivered. The fallback when the platform cannot be reached: the file is
uploaded by hand. It holds no personal data (no ID number, no phone).

Every line carries its hall's codes (hall_code, hall_name: the province file's own for
hall main, a [halls.HALL] table for another), and a file is of one hall: `hall` names
it on a server of several halls (the file is then evaluations-HALL-DAY.csv); None
exports every evaluation of the database, right for a server of one hall (`kiosk hall
province export` refuses it when there are more)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from kiosk.atomic_file import write_atomically
from kiosk.hall.province.config import ProvinceConfig
from kiosk.hall.server.store.province_outbox import ProvinceOutbox


def export_day(
    store: ProvinceOutbox,
    config: ProvinceConfig,
    timezone: str,
    day: date,
    folder: Path,
    hall: str | None = None,
) -> Path:
    """`folder/evaluations-DAY.csv` (UTF-8 with a BOM, for Excel), or
    evaluations-HALL-DAY.csv of one hall; returns its path. A record a mapping cannot
    map is written with our own values, never dropped."""
    mapping = config.mapping
    columns = ["record_type", *mapping.evaluation, *mapping.follow_up, "delivered_at"]
    columns = list(dict.fromkeys(columns))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", restval="")
    writer.writeheader()
    for record in store.upward_records_of_day(day, hall):
        full = config.with_codes(record)
        try:
            mapped: dict[str, str] = mapping.apply(full, timezone)
        except ValueError:
            mapped = {theirs: str(full.get(ours, "")) for theirs, ours in _fields(config, full)}
        writer.writerow(
            {**mapped, "record_type": record["record_type"], "delivered_at": record["delivered_at"]}
        )
    folder.mkdir(parents=True, exist_ok=True)
    path = export_path(folder, day, hall)
    write_atomically(path, ("\ufeff" + out.getvalue()).encode("utf-8"), 0o600)
    return path


def export_path(folder: Path, day: date, hall: str | None = None) -> Path:
    """Where `export_day` writes the day's file (of `hall`, when named)."""
    name = day.isoformat() if hall is None else f"{hall}-{day.isoformat()}"
    return folder / f"evaluations-{name}.csv"


def _fields(config: ProvinceConfig, record: dict[str, object]) -> list[tuple[str, str]]:
    mapping = config.mapping
    fields = mapping.evaluation if record["record_type"] == "evaluation" else mapping.follow_up
    return list(fields.items())
