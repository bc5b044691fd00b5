"""What every atheris entry point shares: instrumentation, seeds on disk, libFuzzer flags."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_CORPUS_ROOT = Path(".fuzz-corpus")
# Only the project's code is instrumented: instrumenting every loaded module (pydantic,
# PIL, ...) takes minutes and slows each run tenfold.
INSTRUMENTED = ["drivers", "kiosk"]


def chunks(data: bytes, size: int) -> list[bytes]:
    """`data` cut into pieces of `size` bytes (at least 1), as a serial port delivers it."""
    size = max(1, size)
    return [data[start : start + size] for start in range(0, len(data), size)] or [b""]


def fuzz_target(name: str, argv: Sequence[str]) -> None:
    """Fuzz `fuzz.fuzz_<name>` with atheris until libFuzzer stops (-max_total_time=S,
    -runs=N, or a crash, which it saves as crash-<hash> and reports with the traceback).

    The module's SEEDS are written to FUZZ_CORPUS/<name> (default
    .fuzz-corpus/<name>), which libFuzzer grows with the inputs it finds interesting.
    Files named in `argv` (a saved crash) are run once each instead.
    """
    # Only long runs need atheris: the test suite does not.
    import atheris  # type: ignore[import-untyped,import-not-found,unused-ignore]

    with atheris.instrument_imports(include=INSTRUMENTED):
        module = importlib.import_module(f"fuzz.fuzz_{name}")
    corpus = Path(os.environ.get("FUZZ_CORPUS", DEFAULT_CORPUS_ROOT)) / name
    corpus.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(module.SEEDS):
        (corpus / f"seed-{index:02d}").write_bytes(seed)
    # Parsers log what they drop; millions of inputs would bury libFuzzer's own output.
    logging.disable(logging.CRITICAL)
    # Inputs named on the command line (a crash file to replay) replace the corpus.
    inputs = [] if any(not arg.startswith("-") for arg in argv) else [str(corpus)]
    atheris.Setup([sys.argv[0], *argv, *inputs], module.fuzz_one_input)
    atheris.Fuzz()


def main_for(name: str) -> None:
    """`python -m fuzz.fuzz_<name> [flags]`: start again as `python -m fuzz <name>`, so the
    parsers are imported (and instrumented) after atheris is loaded."""
    os.execv(sys.executable, [sys.executable, "-m", "fuzz", name, *sys.argv[1:]])
