"""The 一次性告知 checklist over several matters."""

from __future__ import annotations

from kiosk.tickets import required_documents
from tests.helpers.tickets import Parts


def test_documents_of_several_matters_are_merged_once(parts: Parts) -> None:
    lines = required_documents(
        [parts.catalog.matter("M0801"), parts.catalog.matter("M0802")], parts.catalog
    )
    names = [line.name.zh for line in lines]
    assert names.count("经办人身份证件") == 1
    contract = next(line for line in lines if line.name.zh == "不动产买卖合同")
    assert contract.copies == 1
    marriage = next(line for line in lines if line.name.zh == "婚姻状况证明")
    assert marriage.deferrable
    assert marriage.describe("zh") == "原件，可容缺后补"
