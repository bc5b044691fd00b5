"""`kiosk diag`: talk to one real device (printer, ID card reader, keypads, scanner)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from typing import Any

from cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Handler, add_command, emit
from drivers.idcard.card import IdCard


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
        emit(args, {"ok": False, "error": str(error)}, f"cannot open the printer: {error}")
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
    emit(args, {"ok": ok, **result}, "\n".join(f"{key}: {value}" for key, value in result.items()))
    return EXIT_OK if ok else EXIT_PROBLEMS


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
        emit(args, result, f"ID card reader: {error}")
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
    emit(args, result, "\n".join(lines))
    return EXIT_OK if result["ok"] else EXIT_PROBLEMS


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
        emit(args, {"ok": False, "error": str(error)}, f"keypad bus: {error}")
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
            emit(
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
        from kiosk.terminal_evaluation import ticket_code
    except ImportError:
        return {**report, "kind": "unclassified"}
    if ticket_code(code) is not None:  # a ticket's slip: the kiosk screen's evaluation
        return {**report, "kind": "ticket_slip"}
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
        emit(args, {"ok": False, "error": str(error)}, f"scanner: {error}")
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


def add_device_command(
    diag_commands: Any, name: str, handler: Handler, help_text: str, baud: int | None
) -> argparse.ArgumentParser:
    """A command about one device: its port, and its baud rate (None: the profile's)."""
    command = add_command(diag_commands, name, handler, help_text)
    command.add_argument("--port", required=True, help="device path or pyserial URL")
    command.add_argument("--baud", type=int, default=baud)
    return command


def add_diag_commands(commands: Any) -> None:
    diag = commands.add_parser("diag", help="talk to one real device")
    diag_commands = diag.add_subparsers(dest="diag_command", required=True)
    diag_printer = add_device_command(
        diag_commands, "printer", cmd_diag_printer, "printer status, test ticket", None
    )
    diag_printer.add_argument("--profile", default="generic80")
    action = diag_printer.add_mutually_exclusive_group()
    action.add_argument("--status", action="store_true", help="report status (default)")
    action.add_argument("--test-ticket", action="store_true", help="print a test ticket")
    add_device_command(
        diag_commands,
        "idcard",
        cmd_diag_idcard,
        "SAM status and id, and the card on the reader (ID number masked)",
        115200,
    )
    diag_keypads = add_device_command(
        diag_commands,
        "keypads",
        cmd_diag_keypads,
        "scan the KP1 bus, or print its events as they come",
        9600,
    )
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
    diag_scanner = add_device_command(
        diag_commands,
        "scanner",
        cmd_diag_scanner,
        "print scanned codes (long numbers masked) and what the kiosk makes of them",
        9600,
    )
    diag_scanner.add_argument("--suffix", choices=["CR", "CRLF"], default="CR")
    diag_scanner.add_argument("--count", type=int, default=1, help="scans to wait for")
    diag_scanner.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for all the scans"
    )
