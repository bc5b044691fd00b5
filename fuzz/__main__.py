"""`python -m fuzz NAME [libFuzzer flags]`: fuzz one wire parser with atheris.

NAME is one of: escpos, sam, kp1, scanner, hall (`python -m fuzz --list`).
Example: `python -m fuzz kp1 -max_total_time=60`. Needs `pip install -e '.[fuzz]'`.
"""

from __future__ import annotations

import sys

TARGETS = ("escpos", "sam", "kp1", "scanner", "hall")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    if argv[0] == "--list":
        print("\n".join(TARGETS))
        return 0
    name, flags = argv[0], argv[1:]
    if name not in TARGETS:
        print(f"unknown fuzz target {name!r}; one of: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    from fuzz._harness import fuzz_target

    fuzz_target(name, flags)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
