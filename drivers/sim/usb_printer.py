"""An emulated USB printer: a `PrinterEmulator` behind the USB device rules of Linux and libusb.

Like the kernel and libusb, the device
- has a kernel driver (usblp) bound to every printer-class interface when it
  is plugged in: claiming such an interface fails with EBUSY until the driver
  is detached;
- lets one handle at a time claim an interface (EBUSY for a second);
- after `unplug()` fails every transfer on an old handle with ENODEV;
  `plug()` makes it a new device (new address, the kernel driver bound
  again), so old handles stay dead.

A bulk read with nothing to send times out at once, raising USBTimeoutError
with ETIMEDOUT as libusb does after the timeout: the emulator has no clock to
wait on, which keeps tests fast (the driver must not depend on the wait).
`stalled` makes bulk OUT time out the same way, as a printer that stops
taking data does.

`events` records what the driver did to the device ("detach 0", "claim 0",
...) and `out_transfers` the bulk OUT transfers, for tests.
"""

from __future__ import annotations

import errno
import itertools
import threading
from collections import deque
from dataclasses import dataclass, field

import usb.core

from drivers.sim.printer import PrinterEmulator
from drivers.sim.usb_descriptors import (
    BIDIRECTIONAL,
    BULK,
    ENDPOINT_IN,
    ConfigurationDescriptor,
    EmulatedEndpoint,
    EmulatedInterface,
)
from drivers.usb_port import PRINTER_CLASS

# libusb error codes, for USBError.backend_error_code.
_LIBUSB_ERROR_NOT_FOUND = -5
_LIBUSB_ERROR_BUSY = -6
_LIBUSB_ERROR_NO_DEVICE = -4
_LIBUSB_ERROR_TIMEOUT = -7
_LIBUSB_ERROR_PIPE = -9


def _usb_error(message: str, code: int, number: int) -> usb.core.USBError:
    if code == _LIBUSB_ERROR_TIMEOUT:
        return usb.core.USBTimeoutError(message, code, number)
    return usb.core.USBError(message, code, number)


def _no_device() -> usb.core.USBError:
    return _usb_error(
        "No such device (it may have been disconnected)", _LIBUSB_ERROR_NO_DEVICE, errno.ENODEV
    )


def _busy() -> usb.core.USBError:
    return _usb_error("Resource busy", _LIBUSB_ERROR_BUSY, errno.EBUSY)


def _timeout() -> usb.core.USBError:
    return _usb_error("Operation timed out", _LIBUSB_ERROR_TIMEOUT, errno.ETIMEDOUT)


def _not_found(what: str) -> usb.core.USBError:
    return _usb_error(f"Entity not found: {what}", _LIBUSB_ERROR_NOT_FOUND, errno.ENOENT)


def stall() -> usb.core.USBError:
    return _usb_error("Pipe error", _LIBUSB_ERROR_PIPE, errno.EPIPE)


# -- the device ----------------------------------------------------------------------

_addresses = itertools.count(5)


@dataclass(frozen=True)
class Connection:
    """The printer as enumerated after one plug-in: what pyusb gets from enumerate_devices."""

    printer: EmulatedUsbPrinter
    address: int


class EmulatedUsbPrinter:
    """A USB printer wrapping `emulator`; plug it into an `EmulatedUsbBus`."""

    def __init__(
        self,
        emulator: PrinterEmulator,
        *,
        vendor_id: int = 0x0416,
        product_id: int = 0x5011,
        serial: str = "SIM0001",
        manufacturer: str = "Emulated",
        product: str = "POS-80 Printer",
        interfaces: tuple[EmulatedInterface, ...] = BIDIRECTIONAL,
        configured: bool = True,
    ) -> None:
        self.emulator = emulator
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.serial = serial
        self.manufacturer = manufacturer
        self.product = product
        self.interfaces = interfaces
        self.stalled = False  # bulk OUT times out: the printer stopped taking data
        self.events: list[str] = []
        # Bulk OUT transfers as they came, newest last (tests check the packet sizes).
        self.out_transfers: deque[bytes] = deque(maxlen=4096)
        self._numbers = sorted({i.number for i in interfaces})
        self._lock = threading.RLock()
        # 0 while unconfigured; the kernel sets configuration 1 when it binds a driver.
        self._configuration = 1 if configured else 0
        self._kernel_bound: set[int] = set()
        self._claimed: dict[int, Handle] = {}
        self._connection: Connection | None = None
        self.plug()

    # -- plugging ------------------------------------------------------------

    @property
    def plugged(self) -> bool:
        return self._connection is not None

    def unplug(self) -> None:
        """Pull the cable: the bus stops listing it and every old handle fails with ENODEV."""
        with self._lock:
            self._connection = None
            self._claimed.clear()
            self._kernel_bound.clear()
            self.events.append("unplug")

    def plug(self) -> None:
        """Plug it (back) in as a new device; the kernel binds usblp to printer interfaces."""
        with self._lock:
            if self._connection is not None:
                return
            self._connection = Connection(self, next(_addresses))
            self._kernel_bound = {
                i.number for i in self.interfaces if i.interface_class == PRINTER_CLASS
            }
            if self._kernel_bound:
                self._configuration = 1
            self.events.append("plug")

    @property
    def connection(self) -> Connection | None:
        return self._connection

    def kernel_driver_bound(self, number: int) -> bool:
        return number in self._kernel_bound

    # -- descriptors ---------------------------------------------------------

    def settings(self, index: int) -> list[EmulatedInterface]:
        """The alternate settings of the interface at logical `index`."""
        if not 0 <= index < len(self._numbers):
            raise IndexError(f"Invalid interface index {index}")
        return [i for i in self.interfaces if i.number == self._numbers[index]]

    def setting(self, index: int, alternate: int) -> EmulatedInterface:
        settings = self.settings(index)
        if not 0 <= alternate < len(settings):
            raise IndexError(f"Invalid alternate setting index {alternate}")
        return settings[alternate]

    def configuration_descriptor(self) -> ConfigurationDescriptor:
        total = 9 + sum(9 + 7 * len(i.endpoints) for i in self.interfaces)
        return ConfigurationDescriptor(wTotalLength=total, bNumInterfaces=len(self._numbers))

    def string(self, index: int) -> str | None:
        return {1: self.manufacturer, 2: self.product, 3: self.serial}.get(index)

    # -- state the handles change ---------------------------------------------

    def check(self, connection: Connection) -> None:
        """Raise ENODEV unless `connection` is the device as it is plugged in now."""
        if self._connection is not connection:
            raise _no_device()

    def claim(self, handle: Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if number not in self._numbers:
                raise _not_found(f"interface {number}")
            holder = self._claimed.get(number)
            if number in self._kernel_bound or (holder is not None and holder is not handle):
                raise _busy()
            self._claimed[number] = handle
            self.events.append(f"claim {number}")

    def release(self, handle: Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if self._claimed.get(number) is not handle:
                raise _not_found(f"interface {number} is not claimed")
            del self._claimed[number]
            handle.alternates.pop(number, None)
            self.events.append(f"release {number}")

    def release_all(self, handle: Handle) -> None:
        """Closing a handle gives its interfaces back, as the kernel does."""
        with self._lock:
            for number in [n for n, h in self._claimed.items() if h is handle]:
                del self._claimed[number]
                self.events.append(f"release {number}")

    def detach(self, handle: Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if number not in self._kernel_bound:
                raise _not_found(f"no kernel driver on interface {number}")
            self._kernel_bound.discard(number)
            self.events.append(f"detach {number}")

    def attach(self, handle: Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if number in self._claimed:
                raise _busy()
            self._kernel_bound.add(number)
            self.events.append(f"attach {number}")

    def set_configuration(self, handle: Handle, value: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if value not in (0, 1):
                raise _not_found(f"configuration {value}")
            if self._claimed or self._kernel_bound:
                raise _busy()  # Linux refuses while any interface is in use
            self._configuration = value
            self.events.append(f"configure {value}")

    def configuration_value(self, handle: Handle) -> int:
        self.check(handle.connection)
        return self._configuration

    def set_alternate(self, handle: Handle, number: int, alternate: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if self._claimed.get(number) is not handle:
                raise _not_found(f"interface {number} is not claimed")
            if not any(i.number == number and i.alternate == alternate for i in self.interfaces):
                raise _not_found(f"setting {alternate} of interface {number}")
            handle.alternates[number] = alternate
            self.events.append(f"setting {number}.{alternate}")

    def endpoint(self, handle: Handle, address: int, number: int) -> EmulatedEndpoint:
        """The endpoint `address` of interface `number` in its current setting, claimed."""
        self.check(handle.connection)
        if self._claimed.get(number) is not handle:
            raise _not_found(f"interface {number} is not claimed")
        alternate = handle.alternates.get(number, 0)
        for interface in self.interfaces:
            if interface.number == number and interface.alternate == alternate:
                for endpoint in interface.endpoints:
                    if endpoint.address == address:
                        return endpoint
        raise _not_found(f"endpoint {address:#04x}")

    # -- transfers -------------------------------------------------------------

    def bulk_out(self, handle: Handle, address: int, number: int, data: bytes) -> int:
        with self._lock:
            endpoint = self.endpoint(handle, address, number)
            if address & ENDPOINT_IN or endpoint.attributes != BULK:
                raise stall()
            if self.stalled:
                raise _timeout()
            self.out_transfers.append(data)
        # Outside our lock: the emulator takes its own, and parses as a printer would.
        self.emulator.feed(data)
        return len(data)

    def bulk_in(self, handle: Handle, address: int, number: int, size: int) -> bytes:
        with self._lock:
            endpoint = self.endpoint(handle, address, number)
            if not address & ENDPOINT_IN or endpoint.attributes != BULK:
                raise stall()
        answers = self.emulator.take_answers(size)
        if not answers:
            raise _timeout()
        return answers


@dataclass(eq=False)
class Handle:
    """What open_device returns: one open of one enumerated device."""

    connection: Connection
    alternates: dict[int, int] = field(default_factory=dict)  # interface -> current setting
    closed: bool = False

    @property
    def printer(self) -> EmulatedUsbPrinter:
        return self.connection.printer
