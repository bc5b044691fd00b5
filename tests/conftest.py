"""Shared fixtures. Qt runs offscreen; nothing here touches the network.

Property tests: under CI (`CI` set, as `.ci/run` is run) hypothesis draws the same
examples on every run, so a fresh clone is green or red by its code, never by luck.
Wide random exploration belongs to `make fuzz`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
