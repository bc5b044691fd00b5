"""Small statistics and the results file shared by every benchmark."""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Figure:
    name: str
    unit: str
    median: float
    p95: float | None = None
    target: float | None = None
    samples: int = 0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Measured against the target: below 1.0 meets it."""
        measured = self.p95 if self.p95 is not None else self.median
        return None if self.target is None else measured / self.target


def figure(
    name: str,
    unit: str,
    values: list[float],
    *,
    target: float | None = None,
    with_p95: bool = True,
    note: str = "",
    **extra: Any,
) -> Figure:
    return Figure(
        name,
        unit,
        statistics.median(values),
        percentile(values, 0.95) if with_p95 else None,
        target,
        len(values),
        note,
        extra,
    )


def write_results(figures: list[Figure], path: Path = RESULTS) -> None:
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "figures": [{**asdict(item), "ratio_to_target": item.ratio} for item in figures],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def table(figures: list[Figure]) -> str:
    header = f"{'benchmark':<44} {'median':>10} {'p95':>10} {'target':>10} {'ratio':>6}  n"
    lines = [header, "-" * len(header)]
    for item in figures:
        p95 = f"{item.p95:.2f}" if item.p95 is not None else "-"
        target = f"{item.target:g}" if item.target is not None else "-"
        ratio = f"{item.ratio:.2f}" if item.ratio is not None else "-"
        lines.append(
            f"{item.name + ' (' + item.unit + ')':<44} {item.median:>10.2f} "
            f"{p95:>10} {target:>10} {ratio:>6}  {item.samples}"
        )
        if item.note:
            lines.append(f"    {item.note}")
    return "\n".join(lines)
