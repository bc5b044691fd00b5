"""Finding the line of an entry in a TOML text, for config problems with a line."""

from __future__ import annotations

from kiosk.toml_lines import TomlLines, where

TEXT = """version = "1"

[[matters]]
code = "M0101"

[[matters]]
code = 'M0102'
  [[ matters ]]
code = "M0101"
"""


def test_headers_are_counted_from_zero_and_may_be_spaced() -> None:
    lines = TomlLines(TEXT)
    assert [lines.header("matters", index) for index in range(4)] == [3, 6, 8, None]
    assert lines.header("rules", 0) is None


def test_a_keyed_line_in_either_quotes_and_its_later_occurrences() -> None:
    lines = TomlLines(TEXT)
    assert lines.keyed("code", "M0102") == 7
    assert lines.keyed("code", "M0101", 1) == 9
    assert lines.keyed("code", "M01") is None
    assert lines.keyed("name", "M0101") is None


def test_where_leaves_out_an_unknown_line() -> None:
    assert where("rules.toml", 4) == "rules.toml:4"
    assert where("rules.toml", None) == "rules.toml"
