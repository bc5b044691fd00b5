"""What the emulated USB printer says about itself: its interfaces, endpoints and descriptors.

`EmulatedInterface` and `EmulatedEndpoint` configure a printer
(`drivers.sim.usb_printer`); the descriptor records carry the fields pyusb's
`usb.core` copies, under the USB specification's names.
"""

from __future__ import annotations

from dataclasses import dataclass

import usb.util

from drivers.usb_port import PRINTER_CLASS

BULK = usb.util.ENDPOINT_TYPE_BULK
ENDPOINT_IN = usb.util.ENDPOINT_IN


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


# -- descriptors: the fields usb.core copies, under the USB specification's names ----


@dataclass(frozen=True)
class DeviceDescriptor:
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
class ConfigurationDescriptor:
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
class InterfaceDescriptor:
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
class EndpointDescriptor:
    bEndpointAddress: int
    bmAttributes: int
    wMaxPacketSize: int
    bLength: int = 7
    bDescriptorType: int = 5
    bInterval: int = 0
    bRefresh: int = 0
    bSynchAddress: int = 0
    extra_descriptors: tuple[int, ...] = ()
