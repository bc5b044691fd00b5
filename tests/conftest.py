"""Shared fixtures. Qt runs offscreen; nothing here touches the network."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
