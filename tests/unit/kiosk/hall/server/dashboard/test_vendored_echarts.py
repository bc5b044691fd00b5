"""The vendored ECharts is the pinned release from the npm registry, with its licence
(tools/vendor-echarts.sh fetches it and pins its sha256), and no page loads a CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from kiosk.hall.server.dashboard import routes

ROOT = Path(__file__).resolve().parents[6]
SCRIPT = ROOT / "tools" / "vendor-echarts.sh"


def test_the_committed_echarts_matches_the_pinned_sha256_and_has_its_licence() -> None:
    pinned = re.search(r"^MIN_JS_SHA256=([0-9a-f]{64})$", SCRIPT.read_text(), re.MULTILINE)
    assert pinned is not None
    minified = (routes.STATIC / "echarts.min.js").read_bytes()
    assert hashlib.sha256(minified).hexdigest() == pinned[1]
    assert "Apache License" in (routes.STATIC / "echarts.LICENSE").read_text()
    version = re.search(r"^VERSION=(\S+)$", SCRIPT.read_text(), re.MULTILINE)
    assert version is not None
    assert f't.version="{version[1]}"'.encode() in minified


def test_the_pages_load_scripts_only_from_the_server() -> None:
    for name in ("dashboard.js", "dashboard.css"):
        text = (routes.STATIC / name).read_text()
        assert "http://" not in text
        assert "https://" not in text
