"""`make bench`: every benchmark, a table, and bench/results.json.

`python -m bench --only NAME ...` runs some of them (a table, no results file)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bench import (
    dashboard,
    devices,
    hall,
    kiosk_ui,
    screens,
    screens_idle,
    soak,
    sync,
    ticket_bytes,
)
from bench.stats import RESULTS, Figure, table, write_results

BENCHMARKS: dict[str, Callable[[], list[Figure]]] = {
    "kiosk_ui": lambda: [*kiosk_ui.confirm_to_last_byte(), kiosk_ui.cold_start()],
    "ticket_bytes": ticket_bytes.run,
    "devices": devices.run,
    "hall": hall.run,
    "sync": sync.run,
    "soak": soak.run,
    "screens": screens.run,
    "screens_idle": screens_idle.run,
    "dashboard": dashboard.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these benchmarks"
    )
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    for name in args.only or BENCHMARKS:
        figures += BENCHMARKS[name]()
    print(table(figures))
    if args.only is None:
        write_results(figures)
        print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
