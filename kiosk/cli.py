"""The `kiosk` command: the same commands for technicians and tests.

Every command prints JSON with `--json`. The screen is loaded only by the
commands that show it (`run`, `demo`), so `kiosk config check` and the device
commands work on a machine without Qt.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from drivers.idcard.card import IdCard
from kiosk.catalog import load_catalog
from kiosk.logs import setup_logging
from kiosk.settings import (
    SYSTEM_MACHINE_FILE,
    ConfigError,
    ConfigProblem,
    Settings,
    default_machine_file,
    load_settings,
    settings_json_schema,
)
from kiosk.triage import rule_problems

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else text)


def _config_file(args: argparse.Namespace) -> Path | None:
    given: Path | None = getattr(args, "file", None) or getattr(args, "config", None)
    return given if given is not None else default_machine_file()


def cmd_config_check(args: argparse.Namespace) -> int:
    file = _config_file(args)
    problems: list[ConfigProblem] = []
    summary: dict[str, Any] = {}
    try:
        settings = load_settings(file)
        catalog = load_catalog(settings.catalog_path)
        summary = {
            "kiosk": settings.kiosk.id,
            "queues": len(settings.queues),
            "catalog": catalog.version,
            "matters": len(catalog.matters),
        }
        problems = rule_problems(settings, catalog)  # unknown queue, never matches, shadowed
    except ConfigError as error:
        problems = error.problems
    ok = not problems
    source = str(file) if file else "defaults only"
    text = (
        (
            f"OK: configuration is valid ({source}; catalog {summary.get('catalog')}, "
            f"{summary.get('matters')} matters)"
        )
        if ok
        else (
            f"{len(problems)} problem(s) in the configuration:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )
    )
    _emit(
        args,
        {"ok": ok, "file": source, **summary, "problems": [vars(problem) for problem in problems]},
        text,
    )
    return EXIT_OK if ok else EXIT_PROBLEMS


def _settings_or_say_why(args: argparse.Namespace) -> Settings | None:
    """The effective settings, or None with every problem printed to stderr."""
    try:
        return load_settings(_config_file(args))
    except ConfigError as error:
        print("\n".join(str(problem) for problem in error.problems), file=sys.stderr)
        return None


def cmd_config_schema(args: argparse.Namespace) -> int:
    print(json.dumps(settings_json_schema(), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_config_show(args: argparse.Namespace) -> int:
    settings = _settings_or_say_why(args)
    if settings is None:
        return EXIT_PROBLEMS
    data = settings.model_dump(mode="json")
    # Secrets (the hall token) are never shown: only whether one is set.
    for section, values in data.items():
        model = getattr(settings, section, None)
        for name, info in getattr(type(model), "model_fields", {}).items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get("secret") and values.get(name):
                values[name] = "********"
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for section, values in data.items():
            print(f"{section} = {json.dumps(values, ensure_ascii=False)}")
    return EXIT_OK


def _read_new_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    import getpass

    first = getpass.getpass("New technician PIN (digits): ")
    if getpass.getpass("The same PIN again: ") != first:
        raise ValueError("the two PINs differ")
    return first


def cmd_config_set_pin(args: argparse.Namespace) -> int:
    """The technician PIN: only its salted hash goes into the machine file."""
    from kiosk.config_store import ConfigRefused, ConfigStore
    from kiosk.technician import PinError, check_new_pin, hash_pin

    file = _config_file(args) or SYSTEM_MACHINE_FILE
    try:
        pin = check_new_pin(_read_new_pin(args))
        ConfigStore(file).save({"technician.pin_hash": hash_pin(pin)})
    except (PinError, ValueError, ConfigRefused, OSError) as error:
        _emit(args, {"ok": False, "file": str(file), "error": str(error)}, f"PIN not set: {error}")
        return EXIT_PROBLEMS
    _emit(args, {"ok": True, "file": str(file)}, f"technician PIN set in {file}")
    return EXIT_OK


def cmd_install_service(args: argparse.Namespace) -> int:
    """A systemd unit: restart always, a watchdog fed by the GUI event loop."""
    from kiosk import service

    options = service.UnitOptions(
        executable=service.kiosk_executable(),
        user_unit=args.user,
        config_file=args.config.resolve() if args.config else None,
        qt_platform=args.qt_platform,
        display=args.display,
    )
    if args.dry_run:
        print(service.unit_text(options), end="")
        return EXIT_OK
    try:
        path = service.install_unit(options, args.path)
    except OSError as error:
        _emit(args, {"ok": False, "error": str(error)}, f"unit not written: {error}")
        return EXIT_PROBLEMS
    scope = "--user " if args.user else ""
    _emit(
        args,
        {"ok": True, "unit": str(path)},
        f"wrote {path}\nthen: systemctl {scope}daemon-reload && "
        f"systemctl {scope}enable --now {service.UNIT_NAME}",
    )
    return EXIT_OK


def _load_ui(function: str) -> Callable[..., int]:
    """The GUI is imported here, by name, so the core never depends on Qt."""
    try:
        module = importlib.import_module(function.rsplit(".", 1)[0])
    except ImportError as error:
        raise SystemExit(
            f"kiosk: the screen cannot start: {error}. "
            "Run `make demo` once to install what it needs."
        ) from None
    entry: Callable[..., int] = getattr(module, function.rsplit(".", 1)[1])
    return entry


def cmd_run(args: argparse.Namespace) -> int:
    return _load_ui("ui.main.run")(_config_file(args), log_json=args.log_json)


def cmd_demo(args: argparse.Namespace) -> int:
    headless = True if args.headless else (False if args.window else None)
    return _load_ui("ui.demo.run_demo")(args.out, headless=headless, config_file=_config_file(args))


def cmd_sim_printer(args: argparse.Namespace) -> int:
    """The emulator's own command line, so both accept the same options."""
    from drivers.sim.printer import main as printer_emulator

    return printer_emulator(list(args.emulator_args))


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
    _emit(args, {"verdict": result.verdict().splitlines()[0], **result.as_json()}, result.verdict())
    return EXIT_OK if result.passed else EXIT_PROBLEMS


def cmd_diag_printer(args: argparse.Namespace) -> int:
    from drivers.printer.device import Printer, PrintError
    from drivers.printer.document import Align, PrintDocument, QrBlock, TextBlock
    from drivers.printer.profiles import get_profile
    from drivers.transport import Transport, TransportError

    try:
        profile = get_profile(args.profile)
    except KeyError as error:
        print(f"kiosk: {error.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    transport = Transport(args.port, baudrate=args.baud or profile.default_baud)
    try:
        transport.open()
    except TransportError as error:
        _emit(args, {"ok": False, "error": str(error)}, f"cannot open the printer: {error}")
        return EXIT_PROBLEMS
    with transport:
        printer = Printer(transport, profile)
        status = printer.status()
        result: dict[str, Any] = {
            "port": args.port,
            "profile": profile.name,
            "condition": status.condition.value,
            "detail": status.detail,
        }
        ok = status.can_print
        if args.test_ticket:
            try:
                printer.print_document(
                    PrintDocument(
                        (
                            TextBlock("打印测试 Test ticket", Align.CENTER, 2, 2),
                            TextBlock("中文：办税服务厅 ABC 123：，。", Align.LEFT),
                            QrBlock("https://guide.hall.example/test"),
                        )
                    )
                )
                result["printed"] = True
            except PrintError as error:
                result.update(printed=False, error=str(error))
                ok = False
    _emit(args, {"ok": ok, **result}, "\n".join(f"{key}: {value}" for key, value in result.items()))
    return EXIT_OK if ok else EXIT_PROBLEMS


def cmd_hall_serve(args: argparse.Namespace) -> int:
    from kiosk.hall.server.cli import cmd_serve  # FastAPI is loaded only when serving

    return cmd_serve(args)


def cmd_hall_token(args: argparse.Namespace) -> int:
    from kiosk.hall.server.cli import cmd_token

    return cmd_token(args)


def cmd_hall_status(args: argparse.Namespace) -> int:
    """The kiosk's side of the hall link: reachable or not, and what waits to be sent."""
    from kiosk.hall.http import hall_link_report

    settings = _settings_or_say_why(args)
    if settings is None:
        return EXIT_PROBLEMS
    report = hall_link_report(settings)
    lines = [f"{key}: {value}" for key, value in report.items() if value is not None]
    _emit(args, report, "\n".join(lines))
    return EXIT_OK if report.get("online", True) else EXIT_PROBLEMS


def cmd_ticket_reprint(args: argparse.Namespace) -> int:
    """补打: print today's ticket again. The printer port must be free (kiosk stopped)."""
    from kiosk.app import StartupError, build_kiosk, load_configuration
    from kiosk.tickets import ReprintError

    try:
        settings, catalog = load_configuration(_config_file(args))
        kiosk = build_kiosk(settings, catalog)
    except StartupError as error:
        _emit(args, {"ok": False, "error": str(error)}, f"kiosk: {error}")
        return EXIT_PROBLEMS
    try:
        ticket_id = kiosk.tickets.reprint(args.number.strip().upper())
    except ReprintError as error:
        _emit(args, {"ok": False, "error": str(error)}, f"not reprinted: {error}")
        return EXIT_PROBLEMS
    finally:
        kiosk.close()
    _emit(
        args,
        {"ok": True, "number": args.number, "ticket_id": ticket_id},
        f"ticket {args.number} reprinted",
    )
    return EXIT_OK


def cmd_sim_idcard(args: argparse.Namespace) -> int:
    from drivers.sim.idcard import main as idcard_emulator

    return idcard_emulator(list(args.emulator_args))


def _card_summary(card: IdCard, today: date) -> dict[str, Any]:
    """What a technician needs to judge a card; the name and address stay on the card."""
    return {
        "card_type": card.card_type.name,
        "id_number": card.masked_id_number(),
        "check_digit_valid": card.id_number_valid,
        "gender": card.gender,
        "nation": card.nation,
        "valid_from": card.valid_from.isoformat(),
        "valid_to": card.valid_to.isoformat() if card.valid_to else "长期",
        "expired": card.is_expired(today),
    }


def cmd_diag_idcard(args: argparse.Namespace) -> int:
    from drivers.idcard.protocol import SamError
    from drivers.idcard.reader import IdCardReader
    from drivers.transport import Transport, TransportError

    transport = Transport(args.port, baudrate=args.baud)
    result: dict[str, Any] = {"port": args.port}
    try:
        transport.open()
        with transport:
            reader = IdCardReader(transport)
            status = reader.sam_status()
            result["sam"] = {"ok": status.ok, "message": status.message}
            result["sam_id"] = reader.sam_id() if status.ok else None
            card = reader.read_card()
    except (TransportError, SamError) as error:
        result.update(ok=False, error=str(error))
        _emit(args, result, f"ID card reader: {error}")
        return EXIT_PROBLEMS
    result["card"] = None if card is None else _card_summary(card, date.today())
    result["ok"] = bool(
        status.ok
        and card is not None
        and card.id_number_valid
        and not card.is_expired(date.today())
    )
    lines = [
        f"SAM: {status.message} ({result['sam_id']})",
        "card: none on the reader"
        if card is None
        else "\n".join(f"{key}: {value}" for key, value in result["card"].items()),
    ]
    _emit(args, result, "\n".join(lines))
    return EXIT_OK if result["ok"] else EXIT_PROBLEMS


def cmd_sim_keypads(args: argparse.Namespace) -> int:
    from drivers.sim.keypads import main as keypads_emulator

    return keypads_emulator(list(args.emulator_args))


def _address_range(text: str) -> list[int]:
    """ "1-32", "3", "1,4,7-9": keypad addresses on the bus."""
    addresses: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.partition("-")
            addresses += range(int(low), int(high or low) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an address list: {text!r}") from None
    if not addresses or not all(1 <= address <= 32 for address in addresses):
        raise argparse.ArgumentTypeError(f"addresses are 1..32: {text!r}")
    return sorted(set(addresses))


def cmd_diag_keypads(args: argparse.Namespace) -> int:
    from drivers.keypad.bus import KeypadBus
    from drivers.transport import Transport, TransportError
    from kiosk.evaluation import key_label

    transport = Transport(args.port, baudrate=args.baud)
    try:
        transport.open()
    except TransportError as error:
        _emit(args, {"ok": False, "error": str(error)}, f"keypad bus: {error}")
        return EXIT_PROBLEMS
    with transport:
        found = KeypadBus(transport, args.addresses, reply_timeout=args.timeout).scan(
            args.addresses
        )
        keypads = [
            {"address": address, "model": info.model, "firmware": info.firmware}
            for address, info in sorted(found.items())
        ]
        if args.listen is None:
            _emit(
                args,
                {"ok": bool(keypads), "keypads": keypads},
                "\n".join(f"keypad {k['address']}: {k['model']}/{k['firmware']}" for k in keypads)
                or "no keypad answered",
            )
            return EXIT_OK if keypads else EXIT_PROBLEMS
        bus = KeypadBus(transport, sorted(found) or args.addresses, reply_timeout=args.timeout)
        deadline = time.monotonic() + args.listen
        while time.monotonic() < deadline:
            try:
                records = bus.poll_cycle()
            except TransportError as error:
                print(f"keypad bus: {error}", file=sys.stderr)
                return EXIT_PROBLEMS
            for record in records:
                label = key_label(record.event).zh
                event = {
                    "address": record.address,
                    "seq": record.seq,
                    "event": record.event.name,
                    "label": label,
                    "arg": record.arg,
                }
                print(
                    json.dumps(event, ensure_ascii=False)
                    if args.json
                    else f"keypad {record.address}: {label} (seq {record.seq})",
                    flush=True,
                )
    return EXIT_OK


def cmd_sim_scanner(args: argparse.Namespace) -> int:
    from drivers.sim.scanner import main as scanner_emulator

    return scanner_emulator(list(args.emulator_args))


# 15 or more digits (an ID number may end in X): never printed whole.
_LONG_NUMBER = re.compile(r"\d{15,}[Xx]?|\d{14}[Xx]")


def _mask_long_numbers(text: str) -> str:
    from drivers.idcard.card import mask_id_number

    return _LONG_NUMBER.sub(lambda found: mask_id_number(found.group()), text)


def _scan_report(code: str) -> dict[str, Any]:
    """A scanned code for the technician: masked, with what the kiosk makes of it."""
    report: dict[str, Any] = {"ok": True, "code": _mask_long_numbers(code), "length": len(code)}
    try:
        from kiosk.identity import CodeProblem, classify_code
    except ImportError:
        return {**report, "kind": "unclassified"}
    found = classify_code(code)
    if isinstance(found, CodeProblem):  # what the taxpayer would be told
        return {**report, "kind": "unrecognised", "problem": found.message.en}
    return {**report, "kind": found.kind.value, "masked": _mask_long_numbers(found.masked)}


def cmd_diag_scanner(args: argparse.Namespace) -> int:
    from drivers.scanner import Scanner, ScannerError
    from drivers.transport import Transport

    suffix = b"\r\n" if args.suffix == "CRLF" else b"\r"
    scanner = Scanner(Transport(args.port, baudrate=args.baud), suffix)
    try:
        scanner.open()
    except ScannerError as error:
        _emit(args, {"ok": False, "error": str(error)}, f"scanner: {error}")
        return EXIT_PROBLEMS
    print(
        f"scanner on {args.port}: waiting {args.timeout:g} s for {args.count} scan(s)",
        file=sys.stderr,
        flush=True,
    )
    scanned = 0
    deadline = time.monotonic() + args.timeout
    try:
        while scanned < args.count and (remaining := deadline - time.monotonic()) > 0:
            try:
                code = scanner.read_code(min(remaining, 0.5))
            except ScannerError as error:
                report: dict[str, Any] = {"ok": False, "error": str(error)}
            else:
                if code is None:
                    continue
                scanned += 1
                report = _scan_report(code)
            text = (
                f"{report['kind']}: {report['code']}"
                if report["ok"]
                else f"bad scan: {report['error']}"
            )
            print(json.dumps(report, ensure_ascii=False) if args.json else text, flush=True)
    finally:
        scanner.close()
    if scanned < args.count:
        print(f"scanner: {scanned} of {args.count} scan(s) came", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Tax service hall kiosk.")
    parser.add_argument("--log-json", action="store_true", help="log as JSON lines")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True)

    def add(
        subparsers: Any, name: str, handler: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = subparsers.add_parser(name, help=help_text)
        sub.add_argument("--json", action="store_true", help="print JSON")
        sub.set_defaults(handler=handler)
        return sub

    run = add(commands, "run", cmd_run, "the kiosk, full screen")
    run.add_argument("--config", type=Path, help="machine configuration file")

    demo = add(commands, "demo", cmd_demo, "the kiosk on emulated devices and the embedded hall")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo-out"),
        help="where a headless demo writes screens, tickets and the journal",
    )
    demo.add_argument("--config", type=Path, help="machine configuration file")
    mode = demo.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true", help="play the scripted visit offscreen")
    mode.add_argument("--window", action="store_true", help="open the window even without DISPLAY")

    config = commands.add_parser("config", help="check, describe or show the configuration")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    check = add(config_commands, "check", cmd_config_check, "validate a configuration")
    check.add_argument(
        "file", nargs="?", type=Path, help="machine file (default: the effective configuration)"
    )
    add(config_commands, "schema", cmd_config_schema, "print the JSON schema of the settings")
    show = add(config_commands, "show", cmd_config_show, "print the effective settings")
    show.add_argument("--config", type=Path, help="machine configuration file")
    set_pin = add(
        config_commands, "set-pin", cmd_config_set_pin, "set the technician menu's PIN (hashed)"
    )
    set_pin.add_argument("--config", type=Path, help="machine file (default: the effective one)")
    set_pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")

    service = add(commands, "install-service", cmd_install_service, "write a systemd unit")
    service.add_argument("--user", action="store_true", help="a user unit (~/.config/systemd)")
    service.add_argument("--path", type=Path, help="directory for the unit file")
    service.add_argument("--dry-run", action="store_true", help="print the unit, write nothing")
    service.add_argument("--config", type=Path, help="machine configuration file for kiosk run")
    service.add_argument("--qt-platform", help="QT_QPA_PLATFORM, e.g. eglfs without X/Wayland")
    service.add_argument("--display", help="DISPLAY for an X session, e.g. :0")

    sim = commands.add_parser("sim", help="run a device emulator on a pty")
    sim_commands = sim.add_subparsers(dest="sim_command", required=True)
    sim_printer = sim_commands.add_parser(
        "printer",
        add_help=False,
        help="an ESC/POS printer on a pty or TCP port (--help for its options: "
        "--out, --baud, --tcp, --paper-out-after, --cover-open, --silent)",
    )
    sim_printer.set_defaults(handler=cmd_sim_printer, emulator_args=[])

    sim_idcard = sim_commands.add_parser(
        "idcard",
        add_help=False,
        help="an ID card reader (SAM) with fictitious cards (--help for its options)",
    )
    sim_idcard.set_defaults(handler=cmd_sim_idcard, emulator_args=[])

    sim_keypads = sim_commands.add_parser(
        "keypads",
        add_help=False,
        help="a bus of KP1 evaluation keypads: kiosk sim keypads 1 2 3 (--help for more)",
    )
    sim_keypads.set_defaults(handler=cmd_sim_keypads, emulator_args=[])

    sim_scanner = sim_commands.add_parser(
        "scanner",
        add_help=False,
        help="a serial QR / barcode scanner: kiosk sim scanner [CODE...] (--help for more)",
    )
    sim_scanner.set_defaults(handler=cmd_sim_scanner, emulator_args=[])

    soak = add(
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

    ticket = commands.add_parser("ticket", help="today's tickets")
    ticket_commands = ticket.add_subparsers(dest="ticket_command", required=True)
    reprint = add(
        ticket_commands, "reprint", cmd_ticket_reprint, "print a ticket of today again (补打)"
    )
    reprint.add_argument("number", help="the ticket number, e.g. G012")
    reprint.add_argument("--config", type=Path, help="machine configuration file")

    hall = commands.add_parser("hall", help="the reference hall server and its tokens")
    hall_commands = hall.add_subparsers(dest="hall_command", required=True)
    hall_serve = add(hall_commands, "serve", cmd_hall_serve, "run the reference hall server")
    hall_serve.add_argument("--db", type=Path, help="SQLite file (default hall.sqlite3)")
    hall_serve.add_argument("--host", default="127.0.0.1")
    hall_serve.add_argument("--port", type=int, default=8470, help="0: any free port")
    hall_serve.add_argument("--config", type=Path, help="settings file (queues, hall, catalog)")
    hall_serve.add_argument("--tls-cert", type=Path, help="PEM certificate: serve HTTPS")
    hall_serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    hall_serve.add_argument("--public-url", help="base URL of the ticket-status page links")
    hall_serve.add_argument(
        "--offline-floor",
        type=int,
        default=900,
        help="numbers from here to 999 are the kiosks' own offline ranges (default 900)",
    )
    hall_token = hall_commands.add_parser("token", help="kiosk bearer tokens")
    token_commands = hall_token.add_subparsers(dest="token_command", required=True)
    for name, help_text in (
        ("create", "a new token for a kiosk (printed once)"),
        ("revoke", "revoke a kiosk's token"),
        ("list", "the kiosks that have a token"),
    ):
        token_command = add(token_commands, name, cmd_hall_token, help_text)
        if name != "list":
            token_command.add_argument("client_id", metavar="KIOSK_ID")
        token_command.add_argument("--db", type=Path, help="SQLite file (default hall.sqlite3)")
        token_command.add_argument("--config", type=Path, help="settings file")
    hall_status = add(
        hall_commands,
        "status",
        cmd_hall_status,
        "this kiosk's link to the hall server: online or not, records waiting to be sent",
    )
    hall_status.add_argument("--config", type=Path, help="machine configuration file")

    diag = commands.add_parser("diag", help="talk to one real device")
    diag_commands = diag.add_subparsers(dest="diag_command", required=True)
    diag_printer = add(diag_commands, "printer", cmd_diag_printer, "printer status, test ticket")
    diag_printer.add_argument("--port", required=True, help="device path or pyserial URL")
    diag_printer.add_argument("--profile", default="generic80")
    diag_printer.add_argument("--baud", type=int)
    action = diag_printer.add_mutually_exclusive_group()
    action.add_argument("--status", action="store_true", help="report status (default)")
    action.add_argument("--test-ticket", action="store_true", help="print a test ticket")
    diag_idcard = add(
        diag_commands,
        "idcard",
        cmd_diag_idcard,
        "SAM status and id, and the card on the reader (ID number masked)",
    )
    diag_idcard.add_argument("--port", required=True, help="device path or pyserial URL")
    diag_idcard.add_argument("--baud", type=int, default=115200)
    diag_keypads = add(
        diag_commands,
        "keypads",
        cmd_diag_keypads,
        "scan the KP1 bus, or print its events as they come",
    )
    diag_keypads.add_argument("--port", required=True, help="device path or pyserial URL")
    diag_keypads.add_argument("--baud", type=int, default=9600)
    diag_keypads.add_argument(
        "--addresses",
        type=_address_range,
        default=list(range(1, 33)),
        help="addresses to ask, e.g. 1-8 (default 1-32)",
    )
    diag_keypads.add_argument(
        "--timeout", type=float, default=0.1, help="seconds to wait for a keypad's answer"
    )
    keypad_action = diag_keypads.add_mutually_exclusive_group()
    keypad_action.add_argument(
        "--scan", action="store_true", help="list the keypads that answer (default)"
    )
    keypad_action.add_argument(
        "--listen",
        type=float,
        metavar="SECONDS",
        help="poll the keypads that answer and print their events",
    )
    diag_scanner = add(
        diag_commands,
        "scanner",
        cmd_diag_scanner,
        "print scanned codes (long numbers masked) and what the kiosk makes of them",
    )
    diag_scanner.add_argument("--port", required=True, help="device path or pyserial URL")
    diag_scanner.add_argument("--baud", type=int, default=9600)
    diag_scanner.add_argument("--suffix", choices=["CR", "CRLF"], default="CR")
    diag_scanner.add_argument("--count", type=int, default=1, help="scans to wait for")
    diag_scanner.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for all the scans"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.handler not in (
            cmd_sim_printer,
            cmd_sim_idcard,
            cmd_sim_keypads,
            cmd_sim_scanner,
        ):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.emulator_args = extra  # the emulator parses its own options
    setup_logging(json_lines=args.log_json, level=logging.DEBUG if args.verbose else logging.INFO)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
