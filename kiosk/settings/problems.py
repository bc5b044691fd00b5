"""A problem of a configuration file (the file, the dotted key, the reason), and reading one."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.key}: {self.reason}" if self.key else f"{where}{self.reason}"


class ConfigError(Exception):
    """Settings that cannot be used; `problems` lists each key and reason."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


def problems_from(error: ValidationError, file: str) -> list[ConfigProblem]:
    items = error.errors()
    locations = [item["loc"] for item in items]
    problems = []
    for item in items:
        inner = any(
            len(other) > len(item["loc"]) and other[: len(item["loc"])] == item["loc"]
            for other in locations
        )
        if item["type"] == "too_short" and inner:
            continue  # the real problem is an invalid entry inside, reported on its own
        key = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (misspelt?)"
        problems.append(ConfigProblem(file, key, message))
    return problems


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(path), "", "file not found")]) from None
    except PermissionError:
        raise ConfigError([ConfigProblem(str(path), "", "permission denied")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([ConfigProblem(str(path), "", f"not valid TOML: {error}")]) from None
    except UnicodeDecodeError:
        raise ConfigError([ConfigProblem(str(path), "", "not UTF-8 text")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem(str(path), "", "is a directory, not a file")]) from None
