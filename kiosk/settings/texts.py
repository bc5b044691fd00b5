"""The hall's wording: its texts file (`ui.texts_file`) layered over config/texts.toml."""

from __future__ import annotations

from kiosk.settings.problems import ConfigError, ConfigProblem, read_toml
from kiosk.settings.schema import Settings
from kiosk.text import TextCatalog, default_texts


def load_texts(settings: Settings) -> TextCatalog:
    """Every text as this hall words it; a ConfigError names each file, key and reason.

    `load_settings` calls it too, so `kiosk config check` and `kiosk run` refuse a
    misspelt key or a missing language as they refuse any other setting.
    """
    file = settings.ui.texts_file
    if file is None:
        return default_texts()
    catalog, problems = default_texts().reworded(read_toml(file))
    if problems:
        raise ConfigError([ConfigProblem(str(file), key, reason) for key, reason in problems])
    return catalog
