"""The province outbox delivered to a receiver on loopback: signed, idempotent,
retried with growing waits after a refusal or an outage, and the daily CSV."""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.hall.province import export_day, load_province
from kiosk.hall.province.config import ProvinceConfig
from kiosk.hall.province.delivery import ProvinceDelivery
from kiosk.hall.server.store import HallStore
from kiosk.settings import CONFIG_DIR, ConfigError
from tests.helpers.fakes import make_settings
from tests.helpers.province import APP_ID, SECRET, Receiver

WEDNESDAY = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def province_file(folder: Path, url: str, mode: int = 0o600) -> Path:
    credentials = folder / "credentials.json"
    credentials.write_text(json.dumps({"app_id": APP_ID, "app_secret": SECRET}))
    os.chmod(credentials, mode)
    path = folder / "province.toml"
    path.write_text(
        f'url = "{url}"\ncredentials = "credentials.json"\n'
        f'mapping = "{CONFIG_DIR / "province" / "national-mapping.json"}"\n'
        'department_code = "D1"\nexport_dir = "exports"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HallStore]:
    made = HallStore(tmp_path / "hall.sqlite3", make_settings(tmp_path), FakeClock(WEDNESDAY))
    yield made
    made.close()


@pytest.fixture
def province(tmp_path: Path, receiver: Receiver) -> ProvinceConfig:
    return load_province(province_file(tmp_path, receiver.url))


def vote(store: HallStore, level: int) -> str:
    evaluation_id = uuid.uuid4().hex
    results, _ = store.add_records(
        "K01",
        [
            {
                "idempotency_key": uuid.uuid4().hex,
                "kind": "evaluation.recorded",
                "at": store.now().isoformat(),
                "payload": {"evaluation_id": evaluation_id, "window": 2, "level": level},
            }
        ],
    )
    assert [status for _, status, _ in results] == ["accepted"]
    return evaluation_id


def test_a_refused_record_is_retried_later_with_the_same_key_and_delivered_once(
    store: HallStore, province: ProvinceConfig, receiver: Receiver
) -> None:
    delivery = ProvinceDelivery(store, province, "Asia/Shanghai")
    evaluation_id = vote(store, 2)
    receiver.answers = [(200, {"code": "500", "msg": "busy"}), (503, {"code": "503"})]
    assert delivery.run_once() == 0  # answered 200 but refused by its code
    [pending] = store.province_pending()
    assert (pending["attempts"], pending["last_error"][:8]) == (1, "refused:")
    assert delivery.run_once() == 0  # not due again yet (30 s)
    store.clock.advance(30)  # type: ignore[attr-defined]
    assert delivery.run_once() == 0  # HTTP 503
    store.clock.advance(30)  # type: ignore[attr-defined]
    assert delivery.run_once() == 0  # the wait doubled: 60 s
    store.clock.advance(30)  # type: ignore[attr-defined]
    assert delivery.run_once() == 1
    assert delivery.run_once() == 0
    keys = {headers["Idempotency-Key"] for headers, _ in receiver.records}
    assert keys == {f"evaluation:{evaluation_id}"}
    assert len(receiver.records) == 3
    assert receiver.refusals == []
    assert store.province_pending() == []
    delivery.stop()


def test_an_unreachable_platform_is_retried_and_nothing_is_lost(
    store: HallStore, tmp_path: Path
) -> None:
    province = load_province(province_file(tmp_path, "http://127.0.0.1:9/nothing-here"))
    delivery = ProvinceDelivery(store, province, "Asia/Shanghai")
    vote(store, 1)
    assert delivery.run_once() == 0
    [pending] = store.province_pending()
    assert pending["attempts"] == 1
    assert "ConnectError" in pending["last_error"]
    delivery.stop()


def test_the_daily_csv_holds_the_days_records_in_their_field_names(
    store: HallStore, province: ProvinceConfig, tmp_path: Path
) -> None:
    vote(store, 1)
    vote(store, 3)
    store.clock.advance(86400)  # type: ignore[attr-defined]
    delivery = ProvinceDelivery(store, province, "Asia/Shanghai")
    delivery.run_once()  # delivers, then writes yesterday's file
    path = tmp_path / "exports" / "evaluations-2026-09-30.csv"
    assert path.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [(row["alternate"], row["deptCode"], bool(row["delivered_at"])) for row in rows] == [
        ("5", "D1", True),
        ("3", "D1", True),
    ]
    again = export_day(store, province, "Asia/Shanghai", date(2026, 10, 1), tmp_path)
    assert again.read_text(encoding="utf-8-sig").count("\n") == 1  # the header alone
    delivery.stop()


def test_credentials_readable_by_others_or_a_bad_mapping_are_refused(
    tmp_path: Path, receiver: Receiver
) -> None:
    with pytest.raises(ConfigError, match="must be 0600"):
        load_province(province_file(tmp_path, receiver.url, mode=0o644))
    path = province_file(tmp_path, receiver.url)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"evaluation": {"a": "id_number"}, "follow_up": {"b": "note"}}))
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            str(CONFIG_DIR / "province" / "national-mapping.json"), "mapping.json"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        load_province(path)
    reasons = [str(problem) for problem in refused.value.problems]
    assert reasons == [
        f"{mapping}: evaluation.a: 'id_number' is not one of our fields",
        f"{mapping}: follow_up.b: 'note' is not one of our fields",
    ]


def test_each_hall_reports_with_its_own_codes_and_a_hall_without_codes_waits(
    store: HallStore, tmp_path: Path, receiver: Receiver
) -> None:
    path = province_file(tmp_path, receiver.url)
    with path.open("a", encoding="utf-8") as file:
        file.write('hall_code = "M1"\n\n[halls.east]\nhall_code = "E9"\nhall_name = "东区"\n')
    province = load_province(path)
    halls = {
        name: HallStore(tmp_path / "hall.sqlite3", make_settings(tmp_path), store.clock, hall=name)
        for name in ("east", "west")
    }
    main_vote, east_vote, west_vote = vote(store, 1), vote(halls["east"], 2), vote(halls["west"], 3)
    delivery = ProvinceDelivery(store, province, "Asia/Shanghai")
    assert delivery.run_once() == 2
    codes = {body["hallCode"]: (body["hallName"], body["deptCode"]) for _, body in receiver.records}
    assert codes == {"M1": ("", "D1"), "E9": ("东区", "D1")}  # never main's code for east
    [waiting] = store.province_pending()  # west: no codes of its own, so not sent
    assert waiting["item_key"] == f"evaluation:{west_vote}"
    assert "[halls.west]" in waiting["last_error"]
    store.clock.advance(86400)  # type: ignore[attr-defined]
    delivery.run_once()  # yesterday's files: one a hall that has codes, none mixed
    exports = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert exports == [  # the first run wrote the day before's (empty) files too
        f"evaluations-{hall}-2026-09-{day}.csv" for hall in ("east", "main") for day in (29, 30)
    ]
    east = (tmp_path / "exports" / "evaluations-east-2026-09-30.csv").read_text("utf-8-sig")
    [row] = csv.DictReader(east.splitlines())
    assert (row["hallCode"], row["hallName"]) == ("E9", "东区")
    assert {body["hallCode"] for _, body in receiver.records} == {"M1", "E9"}
    keys = {headers["Idempotency-Key"] for headers, _ in receiver.records}
    assert keys == {f"evaluation:{main_vote}", f"evaluation:{east_vote}"}
    delivery.stop()
    for made in halls.values():
        made.close()
