"""Finding a font with Chinese glyphs for rendering emulated tickets."""

from __future__ import annotations

import subprocess
from pathlib import Path

FONT_ROOT = Path("/usr/share/fonts")
# Preferred fonts, best first; each a file name glob searched under FONT_ROOT.
PREFERRED_FONTS = (
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "NotoSansCJK*.ttc",
    "NotoSansCJK*.otf",
    "NotoSansSC*.otf",
    "NotoSansSC*.ttf",
)


def find_cjk_font(root: Path = FONT_ROOT) -> Path | None:
    """A TTF/TTC/OTF file that has Chinese glyphs, or None if the system has none."""
    if root.is_dir():
        for pattern in PREFERRED_FONTS:
            matches = sorted(root.rglob(pattern))
            if matches:
                return matches[0]
    return _fc_match()


def _fc_match() -> Path | None:
    try:
        completed = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{lang}", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    file_name, _, languages = completed.stdout.partition("\n")
    # fc-match always names some font: make sure this one really covers Chinese.
    if not file_name or "zh-cn" not in languages.strip().split("|"):
        return None
    path = Path(file_name)
    return path if path.is_file() else None
