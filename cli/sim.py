"""`kiosk sim`: the device emulators on ptys, and the soak (a morning rush with faults)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, add_command, emit


def cmd_sim_printer(args: argparse.Namespace) -> int:
    """The emulator's own command line, so both accept the same options."""
    from drivers.sim.printer import main as printer_emulator

    return printer_emulator(list(args.emulator_args))


def cmd_sim_idcard(args: argparse.Namespace) -> int:
    from drivers.sim.idcard import main as idcard_emulator

    return idcard_emulator(list(args.emulator_args))


def cmd_sim_keypads(args: argparse.Namespace) -> int:
    from drivers.sim.keypads import main as keypads_emulator

    return keypads_emulator(list(args.emulator_args))


def cmd_sim_scanner(args: argparse.Namespace) -> int:
    from drivers.sim.scanner import main as scanner_emulator

    return scanner_emulator(list(args.emulator_args))


def cmd_sim_soak(args: argparse.Namespace) -> int:
    """A morning rush against the whole system with faults, then an audit (kiosk.soak)."""
    from kiosk.soak import FaultSpecError, SoakError, SoakOptions, parse_faults, run_soak

    try:
        faults = parse_faults(args.faults)
    except FaultSpecError as error:
        print(f"kiosk sim soak: --faults: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.minutes <= 0 or args.rate <= 0:
        print("kiosk sim soak: --minutes and --rate must be above 0", file=sys.stderr)
        return EXIT_USAGE
    options = SoakOptions(
        minutes=args.minutes,
        rate=args.rate,
        kiosks=args.kiosks,
        faults=faults,
        seed=args.seed,
        keep=args.keep,
        progress=lambda line: print(f"soak: {line}", file=sys.stderr, flush=True),
    )
    try:
        result = run_soak(options)
    except SoakError as error:
        print(f"kiosk sim soak: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    emit(args, {"verdict": result.verdict().splitlines()[0], **result.as_json()}, result.verdict())
    return EXIT_OK if result.passed else EXIT_PROBLEMS


def add_sim_commands(commands: Any) -> None:
    sim = commands.add_parser("sim", help="run a device emulator on a pty")
    sim_commands = sim.add_subparsers(dest="sim_command", required=True)
    # The emulators parse their own options: `emulator_args` takes what is left over.
    for name, handler, help_text in (
        (
            "printer",
            cmd_sim_printer,
            "an ESC/POS printer on a pty or TCP port (--help for its options: "
            "--out, --baud, --tcp, --paper-out-after, --cover-open, --silent)",
        ),
        (
            "idcard",
            cmd_sim_idcard,
            "an ID card reader (SAM) with fictitious cards (--help for its options)",
        ),
        (
            "keypads",
            cmd_sim_keypads,
            "a bus of KP1 evaluation keypads: kiosk sim keypads 1 2 3 (--help for more)",
        ),
        (
            "scanner",
            cmd_sim_scanner,
            "a serial QR / barcode scanner: kiosk sim scanner [CODE...] (--help for more)",
        ),
    ):
        emulator = sim_commands.add_parser(name, add_help=False, help=help_text)
        emulator.set_defaults(handler=handler, emulator_args=[])

    soak = add_command(
        sim_commands,
        "soak",
        cmd_sim_soak,
        "a morning rush with faults against kiosks, emulated devices and a hall server",
    )
    soak.add_argument("--minutes", type=float, default=2.0, help="length of the rush")
    soak.add_argument("--rate", type=float, default=6.0, help="taxpayers per minute per kiosk")
    soak.add_argument("--kiosks", type=int, default=2, help="kiosks (1..5)")
    soak.add_argument(
        "--faults",
        default="all",
        help="all, none or NAME@FRACTION,... (paper, cover, reader, keypad, server, kiosk)",
    )
    soak.add_argument("--seed", type=int, default=1, help="random seed of the taxpayers")
    soak.add_argument("--keep", type=Path, help="keep the work directory under DIR")
