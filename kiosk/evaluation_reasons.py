"""差评 content (GB/T 39734-2020): the reasons a taxpayer may pick after 不满意 or
非常不满意 (config/evaluation_reasons.toml), the channels an evaluation comes by, and
the checks on what a taxpayer sends."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.settings import ConfigError, ConfigProblem, Settings, problems_from, read_toml
from kiosk.text import Text

# Where an evaluation was made (the province interfaces' 评价渠道): the window's
# evaluator keypad alone, the kiosk's screen (自助终端), the phone page opened from the
# ticket's QR code, or the web.
Channel = Literal["keypad", "terminal", "qr", "web"]
CHANNELS: tuple[Channel, ...] = ("keypad", "terminal", "qr", "web")

MAX_NOTE = 500
# A taxpayer may type an ID number or a phone into a note: neither is kept.
ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
PHONE_NUMBER = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def without_personal_numbers(text: str) -> str:
    """`text` with ID numbers and mobile numbers blotted out (evaluation data holds
    no ID number; a phone is kept only as a follow-up's consented contact)."""
    return PHONE_NUMBER.sub("[电话已隐去]", ID_NUMBER.sub("[证件号已隐去]", text))


MAX_REASONS = 10


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    category: Literal[
        "attitude", "efficiency", "process", "policy", "environment", "integrity", "other"
    ]
    name: Text


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reasons: tuple[Reason, ...] = Field(min_length=1)


@dataclass(frozen=True)
class ReasonList:
    reasons: tuple[Reason, ...]

    def reason(self, code: str) -> Reason:
        for reason in self.reasons:
            if reason.code == code:
                return reason
        raise KeyError(code)

    def checked(self, codes: Sequence[str], note: str) -> tuple[list[str], str]:
        """The codes (each once, in order) and the note, as a taxpayer sent them;
        ValueError naming what is wrong."""
        known = {reason.code for reason in self.reasons}
        chosen = list(dict.fromkeys(codes))
        unknown = [code for code in chosen if code not in known]
        if unknown:
            raise ValueError(f"reasons: unknown reason {unknown[0][:40]!r}")
        if not chosen:
            raise ValueError("reasons: pick at least one reason")
        if len(chosen) > MAX_REASONS:
            raise ValueError(f"reasons: at most {MAX_REASONS}")
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise ValueError(f"note: at most {MAX_NOTE} characters")
        return chosen, without_personal_numbers(note)


def parse_reasons(raw: dict[str, Any], file: str) -> ReasonList:
    try:
        parsed = _File(**raw)
    except ValidationError as error:
        raise ConfigError(problems_from(error, file)) from None
    codes = [reason.code for reason in parsed.reasons]
    twice = [code for index, code in enumerate(codes) if code in codes[:index]]
    if twice:
        raise ConfigError(
            [ConfigProblem(file, f"reasons.{twice[0]}", f"the code {twice[0]!r} is used twice")]
        )
    return ReasonList(parsed.reasons)


def reasons_path(settings: Settings) -> Path:
    path = settings.evaluation.reasons
    return path if path.is_absolute() else settings.config_dir / path


def load_reasons(settings: Settings) -> ReasonList:
    path = reasons_path(settings)
    return parse_reasons(read_toml(path), str(path))
