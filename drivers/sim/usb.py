"""An emulated USB printer on an emulated bus, as a pyusb back end.

`usb.core.find(backend=EmulatedUsbBus(printer), ...)` sees the printer as if
libusb had enumerated it, and every call the driver makes goes through
pyusb's own `usb.core` code (descriptor parsing, interface claiming, endpoint
lookup, transfers) down to this back end. The bulk OUT endpoint feeds the
bytes to a `PrinterEmulator`; the bulk IN endpoint hands back the status
answers it queued (`PrinterEmulator.take_answers`).

Like the kernel and libusb, the bus
- binds a kernel driver (usblp) to every printer-class interface when the
  printer is plugged in: claiming such an interface fails with EBUSY until
  the driver is detached;
- lets one handle at a time claim an interface (EBUSY for a second);
- after `unplug()` enumerates nothing and fails every transfer on an old
  handle with ENODEV; `plug()` makes it a new device (new address, the
  kernel driver bound again), so old handles stay dead.

A bulk read with nothing to send times out at once, raising USBTimeoutError
with ETIMEDOUT as libusb does after the timeout: the emulator has no clock to
wait on, which keeps tests fast (the driver must not depend on the wait).
`stalled` makes bulk OUT time out the same way, as a printer that stops
taking data does.

`events` records what the driver did to the device ("detach 0", "claim 0",
...) and `out_transfers` the bulk OUT transfers, for tests.
"""

from __future__ import annotations

import array
import errno
import itertools
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import usb.backend
import usb.core

from drivers.sim.printer import PrinterEmulator

PRINTER_CLASS = 7
BULK = 0x02
ENDPOINT_IN = 0x80
# libusb error codes, for USBError.backend_error_code.
_LIBUSB_ERROR_NOT_FOUND = -5
_LIBUSB_ERROR_BUSY = -6
_LIBUSB_ERROR_NO_DEVICE = -4
_LIBUSB_ERROR_TIMEOUT = -7
_LIBUSB_ERROR_PIPE = -9
# Standard requests on endpoint 0 the emulated device answers.
_GET_DESCRIPTOR = 0x06
_STRING_DESCRIPTOR = 0x03
_LANGID_EN_US = 0x0409


@dataclass(frozen=True)
class EmulatedEndpoint:
    address: int  # bEndpointAddress: bit 7 set for IN
    max_packet: int = 64
    attributes: int = BULK


@dataclass(frozen=True)
class EmulatedInterface:
    number: int = 0
    alternate: int = 0
    interface_class: int = PRINTER_CLASS
    subclass: int = 1  # printers
    protocol: int = 2  # bidirectional
    endpoints: tuple[EmulatedEndpoint, ...] = (
        EmulatedEndpoint(0x01),
        EmulatedEndpoint(0x82),
    )


# What most USB receipt printers offer: one bidirectional printer interface.
BIDIRECTIONAL = (EmulatedInterface(),)
# A printer that cannot answer: bulk OUT only.
UNIDIRECTIONAL = (EmulatedInterface(protocol=1, endpoints=(EmulatedEndpoint(0x01),)),)


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


def _stall() -> usb.core.USBError:
    return _usb_error("Pipe error", _LIBUSB_ERROR_PIPE, errno.EPIPE)


# -- descriptors: the fields usb.core copies, under the USB specification's names ----


@dataclass(frozen=True)
class _DeviceDescriptor:
    idVendor: int  # pyusb reads the USB field names
    idProduct: int
    address: int
    bus: int = 1
    port_number: int = 1
    port_numbers: tuple[int, ...] = (1,)
    speed: int = 2  # full speed, libusb's LIBUSB_SPEED_FULL
    bLength: int = 18
    bDescriptorType: int = 1
    bcdUSB: int = 0x0200
    bDeviceClass: int = 0  # class given per interface
    bDeviceSubClass: int = 0
    bDeviceProtocol: int = 0
    bMaxPacketSize0: int = 64
    bcdDevice: int = 0x0100
    iManufacturer: int = 1
    iProduct: int = 2
    iSerialNumber: int = 3
    bNumConfigurations: int = 1


@dataclass(frozen=True)
class _ConfigurationDescriptor:
    wTotalLength: int
    bNumInterfaces: int
    bLength: int = 9
    bDescriptorType: int = 2
    bConfigurationValue: int = 1
    iConfiguration: int = 0
    bmAttributes: int = 0xC0  # self-powered
    bMaxPower: int = 50  # 100 mA
    extra_descriptors: tuple[int, ...] = ()


@dataclass(frozen=True)
class _InterfaceDescriptor:
    bInterfaceNumber: int
    bAlternateSetting: int
    bNumEndpoints: int
    bInterfaceClass: int
    bInterfaceSubClass: int
    bInterfaceProtocol: int
    bLength: int = 9
    bDescriptorType: int = 4
    iInterface: int = 0
    extra_descriptors: tuple[int, ...] = ()


@dataclass(frozen=True)
class _EndpointDescriptor:
    bEndpointAddress: int
    bmAttributes: int
    wMaxPacketSize: int
    bLength: int = 7
    bDescriptorType: int = 5
    bInterval: int = 0
    bRefresh: int = 0
    bSynchAddress: int = 0
    extra_descriptors: tuple[int, ...] = ()


# -- the device ----------------------------------------------------------------------

_addresses = itertools.count(5)


@dataclass(frozen=True)
class _Connection:
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
        self._claimed: dict[int, _Handle] = {}
        self._connection: _Connection | None = None
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
            self._connection = _Connection(self, next(_addresses))
            self._kernel_bound = {
                i.number for i in self.interfaces if i.interface_class == PRINTER_CLASS
            }
            if self._kernel_bound:
                self._configuration = 1
            self.events.append("plug")

    @property
    def connection(self) -> _Connection | None:
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

    def configuration_descriptor(self) -> _ConfigurationDescriptor:
        total = 9 + sum(9 + 7 * len(i.endpoints) for i in self.interfaces)
        return _ConfigurationDescriptor(wTotalLength=total, bNumInterfaces=len(self._numbers))

    def string(self, index: int) -> str | None:
        return {1: self.manufacturer, 2: self.product, 3: self.serial}.get(index)

    # -- state the handles change ---------------------------------------------

    def check(self, connection: _Connection) -> None:
        """Raise ENODEV unless `connection` is the device as it is plugged in now."""
        if self._connection is not connection:
            raise _no_device()

    def claim(self, handle: _Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if number not in self._numbers:
                raise _not_found(f"interface {number}")
            holder = self._claimed.get(number)
            if number in self._kernel_bound or (holder is not None and holder is not handle):
                raise _busy()
            self._claimed[number] = handle
            self.events.append(f"claim {number}")

    def release(self, handle: _Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if self._claimed.get(number) is not handle:
                raise _not_found(f"interface {number} is not claimed")
            del self._claimed[number]
            handle.alternates.pop(number, None)
            self.events.append(f"release {number}")

    def release_all(self, handle: _Handle) -> None:
        """Closing a handle gives its interfaces back, as the kernel does."""
        with self._lock:
            for number in [n for n, h in self._claimed.items() if h is handle]:
                del self._claimed[number]
                self.events.append(f"release {number}")

    def detach(self, handle: _Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if number not in self._kernel_bound:
                raise _not_found(f"no kernel driver on interface {number}")
            self._kernel_bound.discard(number)
            self.events.append(f"detach {number}")

    def attach(self, handle: _Handle, number: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if number in self._claimed:
                raise _busy()
            self._kernel_bound.add(number)
            self.events.append(f"attach {number}")

    def set_configuration(self, handle: _Handle, value: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if value not in (0, 1):
                raise _not_found(f"configuration {value}")
            if self._claimed or self._kernel_bound:
                raise _busy()  # Linux refuses while any interface is in use
            self._configuration = value
            self.events.append(f"configure {value}")

    def configuration_value(self, handle: _Handle) -> int:
        self.check(handle.connection)
        return self._configuration

    def set_alternate(self, handle: _Handle, number: int, alternate: int) -> None:
        with self._lock:
            self.check(handle.connection)
            if self._claimed.get(number) is not handle:
                raise _not_found(f"interface {number} is not claimed")
            if not any(i.number == number and i.alternate == alternate for i in self.interfaces):
                raise _not_found(f"setting {alternate} of interface {number}")
            handle.alternates[number] = alternate
            self.events.append(f"setting {number}.{alternate}")

    def endpoint(self, handle: _Handle, address: int, number: int) -> EmulatedEndpoint:
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

    def bulk_out(self, handle: _Handle, address: int, number: int, data: bytes) -> int:
        with self._lock:
            endpoint = self.endpoint(handle, address, number)
            if address & ENDPOINT_IN or endpoint.attributes != BULK:
                raise _stall()
            if self.stalled:
                raise _timeout()
            self.out_transfers.append(data)
        # Outside our lock: the emulator takes its own, and parses as a printer would.
        self.emulator.feed(data)
        return len(data)

    def bulk_in(self, handle: _Handle, address: int, number: int, size: int) -> bytes:
        with self._lock:
            endpoint = self.endpoint(handle, address, number)
            if not address & ENDPOINT_IN or endpoint.attributes != BULK:
                raise _stall()
        answers = self.emulator.take_answers(size)
        if not answers:
            raise _timeout()
        return answers


@dataclass(eq=False)
class _Handle:
    """What open_device returns: one open of one enumerated device."""

    connection: _Connection
    alternates: dict[int, int] = field(default_factory=dict)  # interface -> current setting
    closed: bool = False

    @property
    def printer(self) -> EmulatedUsbPrinter:
        return self.connection.printer


# -- the bus, as pyusb sees it -----------------------------------------------------


class EmulatedUsbBus(usb.backend.IBackend):  # type: ignore[misc]  # pyusb has no types
    """A pyusb back end whose bus holds `printers` (those plugged in are listed)."""

    def __init__(self, *printers: EmulatedUsbPrinter) -> None:
        super().__init__()
        self.printers = list(printers)

    def enumerate_devices(self) -> Iterator[_Connection]:
        for printer in self.printers:
            connection = printer.connection
            if connection is not None:
                yield connection

    def get_parent(self, dev: _Connection) -> None:
        return None  # the root hub is not emulated

    def get_device_descriptor(self, dev: _Connection) -> _DeviceDescriptor:
        printer = dev.printer
        return _DeviceDescriptor(
            idVendor=printer.vendor_id, idProduct=printer.product_id, address=dev.address
        )

    def get_configuration_descriptor(
        self, dev: _Connection, config: int
    ) -> _ConfigurationDescriptor:
        if config != 0:
            raise IndexError(f"Invalid configuration index {config}")
        return dev.printer.configuration_descriptor()

    def get_interface_descriptor(
        self, dev: _Connection, intf: int, alt: int, config: int
    ) -> _InterfaceDescriptor:
        if config != 0:
            raise IndexError(f"Invalid configuration index {config}")
        setting = dev.printer.setting(intf, alt)
        return _InterfaceDescriptor(
            bInterfaceNumber=setting.number,
            bAlternateSetting=setting.alternate,
            bNumEndpoints=len(setting.endpoints),
            bInterfaceClass=setting.interface_class,
            bInterfaceSubClass=setting.subclass,
            bInterfaceProtocol=setting.protocol,
        )

    def get_endpoint_descriptor(
        self, dev: _Connection, ep: int, intf: int, alt: int, config: int
    ) -> _EndpointDescriptor:
        if config != 0:
            raise IndexError(f"Invalid configuration index {config}")
        endpoints = dev.printer.setting(intf, alt).endpoints
        if not 0 <= ep < len(endpoints):
            raise IndexError(f"Invalid endpoint index {ep}")
        endpoint = endpoints[ep]
        return _EndpointDescriptor(
            bEndpointAddress=endpoint.address,
            bmAttributes=endpoint.attributes,
            wMaxPacketSize=endpoint.max_packet,
        )

    # -- handles ---------------------------------------------------------------

    def open_device(self, dev: _Connection) -> _Handle:
        dev.printer.check(dev)
        dev.printer.events.append("open")
        return _Handle(dev)

    def close_device(self, dev_handle: _Handle) -> None:
        if not dev_handle.closed:
            dev_handle.closed = True
            dev_handle.printer.release_all(dev_handle)
            dev_handle.printer.events.append("close")

    def set_configuration(self, dev_handle: _Handle, config_value: int) -> None:
        dev_handle.printer.set_configuration(dev_handle, config_value)

    def get_configuration(self, dev_handle: _Handle) -> int:
        return dev_handle.printer.configuration_value(dev_handle)

    def set_interface_altsetting(self, dev_handle: _Handle, intf: int, altsetting: int) -> None:
        dev_handle.printer.set_alternate(dev_handle, intf, altsetting)

    def claim_interface(self, dev_handle: _Handle, intf: int) -> None:
        dev_handle.printer.claim(dev_handle, intf)

    def release_interface(self, dev_handle: _Handle, intf: int) -> None:
        dev_handle.printer.release(dev_handle, intf)

    def is_kernel_driver_active(self, dev_handle: _Handle, intf: int) -> bool:
        dev_handle.printer.check(dev_handle.connection)
        return dev_handle.printer.kernel_driver_bound(intf)

    def detach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        dev_handle.printer.detach(dev_handle, intf)

    def attach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        dev_handle.printer.attach(dev_handle, intf)

    # -- transfers -------------------------------------------------------------

    def bulk_write(
        self, dev_handle: _Handle, ep: int, intf: int, data: array.array[int], timeout: int
    ) -> int:
        return dev_handle.printer.bulk_out(dev_handle, ep, intf, data.tobytes())

    def bulk_read(
        self, dev_handle: _Handle, ep: int, intf: int, buff: array.array[int], timeout: int
    ) -> int:
        data = dev_handle.printer.bulk_in(dev_handle, ep, intf, len(buff))
        buff[: len(data)] = array.array("B", data)
        return len(data)

    def ctrl_transfer(
        self,
        dev_handle: _Handle,
        bmRequestType: int,  # pyusb's parameter names
        bRequest: int,
        wValue: int,
        wIndex: int,
        data: array.array[int],
        timeout: int,
    ) -> int:
        """Endpoint 0: string descriptors (serial number matching needs them); else a stall."""
        printer = dev_handle.printer
        printer.check(dev_handle.connection)
        if (
            bmRequestType != 0x80
            or bRequest != _GET_DESCRIPTOR
            or wValue >> 8 != _STRING_DESCRIPTOR
        ):
            raise _stall()
        index = wValue & 0xFF
        if index == 0:
            payload = _LANGID_EN_US.to_bytes(2, "little")
        else:
            text = printer.string(index)
            if text is None:
                raise _stall()
            payload = text.encode("utf-16-le")
        descriptor = (bytes([2 + len(payload), _STRING_DESCRIPTOR]) + payload)[: len(data)]
        data[: len(descriptor)] = array.array("B", descriptor)
        return len(descriptor)

    def clear_halt(self, dev_handle: _Handle, ep: int) -> None:
        dev_handle.printer.check(dev_handle.connection)
