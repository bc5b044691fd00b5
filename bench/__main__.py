"""`make bench`: every benchmark, a table, and bench/results.json."""

from __future__ import annotations

import sys

from bench import devices, hall, kiosk_ui, soak, sync, ticket_bytes
from bench.stats import RESULTS, Figure, table, write_results


def main() -> int:
    figures: list[Figure] = []
    figures += kiosk_ui.confirm_to_last_byte()
    figures.append(kiosk_ui.cold_start())
    figures += ticket_bytes.run()
    figures += devices.run()
    figures += hall.run()
    figures += sync.run()
    figures += soak.run()
    print(table(figures))
    write_results(figures)
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
