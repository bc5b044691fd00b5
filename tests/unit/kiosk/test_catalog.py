from __future__ import annotations

from typing import Any

import pytest

from kiosk.catalog import parse_catalog
from kiosk.settings import ConfigError, load_settings, read_toml


def raw_catalog() -> dict[str, Any]:
    return read_toml(load_settings().catalog_path)


def test_every_category_has_matters_and_every_reference_resolves() -> None:
    catalog = parse_catalog(raw_catalog(), "catalog.toml")
    assert len(catalog.categories) == 9
    for category in catalog.categories:
        assert catalog.matters_in(category.code), category.code
    for matter in catalog.matters:
        assert catalog.guide_url(matter).startswith("https://")
        for required in matter.documents:
            assert catalog.document(required.document).name.zh


def test_a_duplicate_code_and_a_dangling_reference_are_named() -> None:
    raw = raw_catalog()
    raw["matters"].append(dict(raw["matters"][0]))
    raw["matters"].append(
        {
            **raw["matters"][1],
            "code": "M9999",
            "category": "nowhere",
            "documents": [{"document": "unicorn"}],
        }
    )
    with pytest.raises(ConfigError) as error:
        parse_catalog(raw, "catalog.toml")
    text = str(error.value)
    assert "'M0101' is used twice" in text
    assert "matter M9999: unknown category 'nowhere'" in text
    assert "matter M9999: document 'unicorn' is not defined" in text


def test_a_misspelt_field_is_named() -> None:
    raw = raw_catalog()
    raw["matters"][0] = {**raw["matters"][0], "simpel": True}
    with pytest.raises(ConfigError, match=r"matters\.0\.simpel: unknown key"):
        parse_catalog(raw, "catalog.toml")
