"""The ticket printer as a device: status queries and printing over a Transport."""

from __future__ import annotations

import logging
import threading

from drivers.printer.commands import status_request
from drivers.printer.document import PrintDocument
from drivers.printer.escpos import RenderResult, render
from drivers.printer.profiles import PrinterProfile
from drivers.printer.status import (
    PrinterCondition,
    PrinterStatus,
    decode_status,
    worst,
)
from drivers.transport import Transport, TransportError

logger = logging.getLogger(__name__)


class PrintError(Exception):
    """A slip was not (or not surely) printed. The message never quotes the slip."""

    def __init__(self, message: str, status: PrinterStatus | None = None) -> None:
        super().__init__(message)
        # The printer status that caused the failure, when one was read.
        self.status = status


class Printer:
    """An ESC/POS ticket printer reached through `transport`.

    Safe to call from several threads: a status query and a print never
    interleave on the wire.
    """

    def __init__(
        self, transport: Transport, profile: PrinterProfile, *, status_timeout: float = 0.3
    ) -> None:
        self.profile = profile
        self._transport = transport
        self._status_timeout = status_timeout
        self._lock = threading.RLock()
        self._reported_substitutions: set[str] = set()
        self._last_condition: PrinterCondition | None = None

    def __repr__(self) -> str:
        return f"Printer({self._transport.url!r}, profile={self.profile.name!r})"

    # -- status ----------------------------------------------------------------

    def status(self) -> PrinterStatus:
        """Ask the printer how it is. Silence is UNKNOWN, a dead port OFFLINE; never raises."""
        return self._status()

    def _status(self, extra_wait: float = 0.0) -> PrinterStatus:
        with self._lock:
            try:
                result = self._read_status(extra_wait)
            except TransportError as exc:
                result = PrinterStatus(PrinterCondition.OFFLINE, str(exc))
            except Exception as exc:  # a status check must never take the kiosk down
                logger.exception("unexpected failure while reading printer status")
                result = PrinterStatus(PrinterCondition.UNKNOWN, f"status check failed: {exc!r}")
            self._log_change(result)
            return result

    def _read_status(self, extra_wait: float) -> PrinterStatus:
        if not self._transport.ensure_open():
            return PrinterStatus(
                PrinterCondition.OFFLINE, f"port {self._transport.url} not available (retrying)"
            )
        if not self._transport.readable:
            # Queries would only end up in a capture file or a one-way device.
            return PrinterStatus(
                PrinterCondition.UNKNOWN,
                f"port {self._transport.url} is write-only: no status answers",
            )
        return self._query(extra_wait)

    def _ask(self, n: int, extra_wait: float = 0.0) -> PrinterStatus:
        # A late answer to an earlier query must not be taken for this one.
        self._transport.reset_input()
        self._transport.write(status_request(n))
        answer = self._transport.read(1, timeout=self._status_timeout + extra_wait)
        return decode_status(n, answer[0] if answer else None)

    def _query(self, extra_wait: float = 0.0) -> PrinterStatus:
        printer = self._ask(1, extra_wait)
        if printer.condition is PrinterCondition.UNKNOWN:
            return printer
        found = [printer]
        if printer.condition is PrinterCondition.OFFLINE:
            cause = self._ask(2)
            found.append(cause)
            if cause.condition is PrinterCondition.ERROR:
                found.append(self._ask(3))
        found.append(self._ask(4))
        return worst(found)

    def _log_change(self, status: PrinterStatus) -> None:
        if status.condition is self._last_condition:
            return
        self._last_condition = status.condition
        level = logging.INFO if status.can_print else logging.WARNING
        logger.log(
            level, "printer %s: %s (%s)", self.profile.name, status.condition.value, status.detail
        )

    # -- printing --------------------------------------------------------------

    def print_document(self, doc: PrintDocument) -> RenderResult:
        """Print `doc`; raises PrintError unless the printer was fine before and after."""
        try:
            result = render(doc, self.profile)
        except ValueError as exc:
            raise PrintError(f"slip cannot be printed: {exc}") from exc
        with self._lock:
            self._report_substitutions(result.substituted)
            before = self.status()
            if not before.can_print:
                raise PrintError(f"printer not ready: {before.detail}", before)
            self._send(result.data)
            # Where the port cannot drain (a pty, some USB adapters) the query queues
            # behind the slip: allow the slip's wire time for the first answer.
            after = self._status(extra_wait=self._transport.wire_time(len(result.data)))
            if not after.can_print:
                raise PrintError(f"printer reported a fault after printing: {after.detail}", after)
        return result

    def print_raw(self, data: bytes) -> None:
        """Send bytes as they are (test pages, technician commands)."""
        with self._lock:
            self._send(data)

    def _send(self, data: bytes) -> None:
        try:
            self._transport.write(data)
        except TransportError as exc:
            raise PrintError(f"sending to the printer failed: {exc}") from exc

    def _report_substitutions(self, substituted: tuple[str, ...]) -> None:
        for char in substituted:
            if char not in self._reported_substitutions:
                self._reported_substitutions.add(char)
                # The code point only: the text around it may be a name.
                logger.warning("character U+%04X cannot be printed; printed as a box", ord(char))
