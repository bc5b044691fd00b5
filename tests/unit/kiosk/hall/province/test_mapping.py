from __future__ import annotations

import pytest

from kiosk.hall.province.mapping import FieldMapping, load_mapping
from kiosk.settings import CONFIG_DIR

RECORD = {
    "record_type": "evaluation",
    "idempotency_key": "evaluation:e1",
    "level": 4,
    "channel": "keypad",
    "reasons": ["efficiency_wait", "other"],
    "bad": True,
    "evaluated_at": "2026-09-30T15:59:59+00:00",
}


def national() -> FieldMapping:
    return load_mapping(CONFIG_DIR / "province" / "national-mapping.json")


def test_values_lists_booleans_and_times_in_the_halls_zone() -> None:
    mapped = national().apply(RECORD, "Asia/Shanghai")
    assert (mapped["alternate"], mapped["pf"], mapped["appraisald"]) == ("2", "4", "201,901")
    assert (mapped["isBad"], mapped["assessTime"]) == ("1", "2026-09-30 23:59:59")
    assert mapped["projectNo"] == ""  # absent: sent empty, never invented


def test_a_value_the_mapping_does_not_know_is_refused_not_sent_raw() -> None:
    with pytest.raises(ValueError, match="no value of theirs for channel = 'fax'"):
        national().apply({**RECORD, "channel": "fax"}, "Asia/Shanghai")


def test_success_is_what_the_mapping_says() -> None:
    mapping = national()
    assert mapping.accepted({"code": "200"})
    assert mapping.accepted({"code": 0})
    assert not mapping.accepted({"code": "500"})
    assert not mapping.accepted(None)
