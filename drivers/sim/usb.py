"""An emulated USB bus holding emulated printers, as a pyusb back end.

`usb.core.find(backend=EmulatedUsbBus(printer), ...)` sees the printer as if
libusb had enumerated it, and every call the driver makes goes through
pyusb's own `usb.core` code (descriptor parsing, interface claiming, endpoint
lookup, transfers) down to this back end. The bulk OUT endpoint feeds the
bytes to a `PrinterEmulator`; the bulk IN endpoint hands back the status
answers it queued (`PrinterEmulator.take_answers`). The printer's behaviour
as a USB device is `drivers.sim.usb_printer.EmulatedUsbPrinter`; after
`unplug()` the bus enumerates nothing.
"""

from __future__ import annotations

import array
from collections.abc import Iterator

import usb
import usb.backend

from drivers.sim.usb_descriptors import (
    ConfigurationDescriptor,
    DeviceDescriptor,
    EndpointDescriptor,
    InterfaceDescriptor,
)
from drivers.sim.usb_printer import Connection, EmulatedUsbPrinter, Handle, stall

# Standard requests on endpoint 0 the emulated device answers.
GET_DESCRIPTOR = usb.REQ_GET_DESCRIPTOR
STRING_DESCRIPTOR = usb.DT_STRING
_LANGID_EN_US = 0x0409


# -- the bus, as pyusb sees it -----------------------------------------------------


class EmulatedUsbBus(usb.backend.IBackend):  # type: ignore[misc]  # pyusb has no types
    """A pyusb back end whose bus holds `printers` (those plugged in are listed)."""

    def __init__(self, *printers: EmulatedUsbPrinter) -> None:
        super().__init__()
        self.printers = list(printers)

    def enumerate_devices(self) -> Iterator[Connection]:
        for printer in self.printers:
            connection = printer.connection
            if connection is not None:
                yield connection

    def get_parent(self, dev: Connection) -> None:
        return None  # the root hub is not emulated

    def get_device_descriptor(self, dev: Connection) -> DeviceDescriptor:
        printer = dev.printer
        return DeviceDescriptor(
            idVendor=printer.vendor_id, idProduct=printer.product_id, address=dev.address
        )

    def get_configuration_descriptor(self, dev: Connection, config: int) -> ConfigurationDescriptor:
        if config != 0:
            raise IndexError(f"Invalid configuration index {config}")
        return dev.printer.configuration_descriptor()

    def get_interface_descriptor(
        self, dev: Connection, intf: int, alt: int, config: int
    ) -> InterfaceDescriptor:
        if config != 0:
            raise IndexError(f"Invalid configuration index {config}")
        setting = dev.printer.setting(intf, alt)
        return InterfaceDescriptor(
            bInterfaceNumber=setting.number,
            bAlternateSetting=setting.alternate,
            bNumEndpoints=len(setting.endpoints),
            bInterfaceClass=setting.interface_class,
            bInterfaceSubClass=setting.subclass,
            bInterfaceProtocol=setting.protocol,
        )

    def get_endpoint_descriptor(
        self, dev: Connection, ep: int, intf: int, alt: int, config: int
    ) -> EndpointDescriptor:
        if config != 0:
            raise IndexError(f"Invalid configuration index {config}")
        endpoints = dev.printer.setting(intf, alt).endpoints
        if not 0 <= ep < len(endpoints):
            raise IndexError(f"Invalid endpoint index {ep}")
        endpoint = endpoints[ep]
        return EndpointDescriptor(
            bEndpointAddress=endpoint.address,
            bmAttributes=endpoint.attributes,
            wMaxPacketSize=endpoint.max_packet,
        )

    # -- handles ---------------------------------------------------------------

    def open_device(self, dev: Connection) -> Handle:
        dev.printer.check(dev)
        dev.printer.events.append("open")
        return Handle(dev)

    def close_device(self, dev_handle: Handle) -> None:
        if not dev_handle.closed:
            dev_handle.closed = True
            dev_handle.printer.release_all(dev_handle)
            dev_handle.printer.events.append("close")

    def set_configuration(self, dev_handle: Handle, config_value: int) -> None:
        dev_handle.printer.set_configuration(dev_handle, config_value)

    def get_configuration(self, dev_handle: Handle) -> int:
        return dev_handle.printer.configuration_value(dev_handle)

    def set_interface_altsetting(self, dev_handle: Handle, intf: int, altsetting: int) -> None:
        dev_handle.printer.set_alternate(dev_handle, intf, altsetting)

    def claim_interface(self, dev_handle: Handle, intf: int) -> None:
        dev_handle.printer.claim(dev_handle, intf)

    def release_interface(self, dev_handle: Handle, intf: int) -> None:
        dev_handle.printer.release(dev_handle, intf)

    def is_kernel_driver_active(self, dev_handle: Handle, intf: int) -> bool:
        dev_handle.printer.check(dev_handle.connection)
        return dev_handle.printer.kernel_driver_bound(intf)

    def detach_kernel_driver(self, dev_handle: Handle, intf: int) -> None:
        dev_handle.printer.detach(dev_handle, intf)

    def attach_kernel_driver(self, dev_handle: Handle, intf: int) -> None:
        dev_handle.printer.attach(dev_handle, intf)

    # -- transfers -------------------------------------------------------------

    def bulk_write(
        self, dev_handle: Handle, ep: int, intf: int, data: array.array[int], timeout: int
    ) -> int:
        return dev_handle.printer.bulk_out(dev_handle, ep, intf, data.tobytes())

    def bulk_read(
        self, dev_handle: Handle, ep: int, intf: int, buff: array.array[int], timeout: int
    ) -> int:
        data = dev_handle.printer.bulk_in(dev_handle, ep, intf, len(buff))
        buff[: len(data)] = array.array("B", data)
        return len(data)

    def ctrl_transfer(
        self,
        dev_handle: Handle,
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
        if bmRequestType != 0x80 or bRequest != GET_DESCRIPTOR or wValue >> 8 != STRING_DESCRIPTOR:
            raise stall()
        index = wValue & 0xFF
        if index == 0:
            payload = _LANGID_EN_US.to_bytes(2, "little")
        else:
            text = printer.string(index)
            if text is None:
                raise stall()
            payload = text.encode("utf-16-le")
        descriptor = (bytes([2 + len(payload), STRING_DESCRIPTOR]) + payload)[: len(data)]
        data[: len(descriptor)] = array.array("B", descriptor)
        return len(descriptor)

    def clear_halt(self, dev_handle: Handle, ep: int) -> None:
        dev_handle.printer.check(dev_handle.connection)
