"""A USB printer reached with pyusb (libusb), for printers the kernel gives no /dev/usb/lp*.

URL: `usb://VID:PID`, four hex digits each as lsusb shows them
(`usb://0416:5011`), optionally `?serial=XYZ` to pick one of several equal
printers and `?interface=N` for a printer whose interface is not of the
printer class (7); both may be given (`?serial=XYZ&interface=1`).

Opening finds the device, detaches a kernel driver bound to the interface
(re-attached on close), claims the interface and finds its bulk OUT and bulk
IN endpoints. A printer without bulk IN is write-only: `readable` is False
and the printer driver reports UNKNOWN instead of waiting for answers.

It has the pyserial-like surface `drivers.transport.Transport` drives
(`timeout`, `write_timeout`, `read`, `write`, ...). pyusb's USBError is an
OSError, so the transport turns every failure into a TransportError naming
the URL and its reopening and back-off apply unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import usb.core
import usb.util

logger = logging.getLogger(__name__)

USB_SCHEME = "usb://"
PRINTER_CLASS = 7
NO_LIBUSB = "libusb-1.0 is not installed: apt-get install libusb-1.0-0"
_ID_PATTERN = re.compile(r"([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})")
_URL_HELP = "expected usb://VID:PID[?serial=S][&interface=N], e.g. usb://0416:5011"
# Reads while discarding stale input: enough for any status chatter, bounded for a babbler.
_MAX_DISCARD_READS = 64
# pyusb reads a timeout of 0 ms as "wait for ever": the shortest real wait is 1 ms.
_MIN_TIMEOUT_MS = 1


class UsbPortError(OSError):
    """The USB printer cannot be found or used; the message (no errno) says what to do."""


@dataclass(frozen=True)
class UsbAddress:
    """Which USB printer a `usb://` URL names."""

    vendor_id: int
    product_id: int
    serial: str | None = None
    interface: int | None = None

    @property
    def ids(self) -> str:
        """`0416:5011`, as lsusb shows it."""
        return f"{self.vendor_id:04x}:{self.product_id:04x}"

    def __str__(self) -> str:
        return self.ids if self.serial is None else f"{self.ids} (serial {self.serial})"


def usb_address(url: str) -> UsbAddress | None:
    """The printer a `usb://` URL names, or None for any other URL.

    Raises ValueError, naming what is wrong, for a malformed `usb://` URL.
    """
    if not url.startswith(USB_SCHEME):
        return None
    ids, _, query = url[len(USB_SCHEME) :].partition("?")
    match = _ID_PATTERN.fullmatch(ids)
    if match is None:
        raise ValueError(f"bad USB printer id {ids!r}: {_URL_HELP}")
    try:
        fields = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ValueError(f"bad query {query!r}: {_URL_HELP}") from None
    unknown = sorted(set(fields) - {"serial", "interface"})
    if unknown:
        raise ValueError(f"unknown USB URL option {unknown[0]!r}: {_URL_HELP}")
    for name, values in fields.items():
        if len(values) > 1:
            raise ValueError(f"USB URL option {name!r} given twice")
    serial = fields["serial"][0] if "serial" in fields else None
    if serial == "":
        raise ValueError("empty serial number in USB URL")
    return UsbAddress(
        int(match.group(1), 16),
        int(match.group(2), 16),
        serial,
        _interface_number(fields["interface"][0]) if "interface" in fields else None,
    )


def _interface_number(text: str) -> int:
    if not text.isdecimal() or not text.isascii() or int(text) > 255:
        raise ValueError(f"bad USB interface number {text!r}: 0 to 255")
    return int(text)


def _timeout_ms(seconds: float | None) -> int:
    """pyusb's timeout: milliseconds, never 0 unless we really mean "no limit" (None)."""
    if seconds is None:
        return 0
    return max(_MIN_TIMEOUT_MS, round(seconds * 1000))


def _timed_out(exc: usb.core.USBError) -> bool:
    # libusb1 raises USBTimeoutError; other back ends a USBError with ETIMEDOUT.
    return isinstance(exc, usb.core.USBTimeoutError) or exc.errno == errno.ETIMEDOUT


def _is_bulk(endpoint: Any, direction: int) -> bool:
    return bool(
        usb.util.endpoint_type(endpoint.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
        and usb.util.endpoint_direction(endpoint.bEndpointAddress) == direction
    )


def _bulk_endpoint(interface: Any, direction: int) -> Any:
    return usb.util.find_descriptor(interface, custom_match=lambda ep: _is_bulk(ep, direction))


@dataclass(frozen=True)
class _Choice:
    """The interface setting to claim and its bulk endpoints (bulk_in None: write-only)."""

    interface: Any
    bulk_out: Any
    bulk_in: Any


class UsbPort:
    """One claimed USB printer interface, owned by this object."""

    def __init__(
        self, device: Any, choice: _Choice, name: str, *, kernel_driver_detached: bool
    ) -> None:
        self._device: Any = device
        self._interface_number = int(choice.interface.bInterfaceNumber)
        self._bulk_out: Any = choice.bulk_out
        self._bulk_in: Any = choice.bulk_in
        self._out_packet = max(1, int(choice.bulk_out.wMaxPacketSize))
        self._in_packet = max(1, int(choice.bulk_in.wMaxPacketSize)) if choice.bulk_in else 0
        self._kernel_driver_detached = kernel_driver_detached
        self._unread = bytearray()  # rest of a bulk IN packet longer than the caller asked for
        self.name = name
        self.readable = choice.bulk_in is not None
        self.timeout: float | None = 0.2
        self.write_timeout: float | None = 5.0

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(cls, address: UsbAddress, *, name: str, backend: Any = None) -> UsbPort:
        """Find, prepare and claim the printer; raises OSError (USBError, UsbPortError).

        `backend` is passed to usb.core.find: None lets pyusb pick libusb.
        """
        device = _find(address, backend)
        number: int | None = None
        detached = False
        try:
            choice = _choose_interface(device, address)
            number = int(choice.interface.bInterfaceNumber)
            if _kernel_driver_active(device, number):
                # usblp (or another driver) holds the interface: libusb cannot claim it.
                device.detach_kernel_driver(number)
                detached = True
            usb.util.claim_interface(device, number)
            if int(choice.interface.bAlternateSetting) != 0:
                device.set_interface_altsetting(number, choice.interface.bAlternateSetting)
        except BaseException:
            _give_back(device, name, number, detached=detached)
            raise
        logger.info(
            "USB printer %s is %s, interface %d%s",
            name,
            _describe(device),
            number,
            " (kernel driver detached)" if detached else "",
        )
        return cls(device, choice, name, kernel_driver_detached=detached)

    # -- state ---------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._device is not None

    def _require_device(self) -> Any:
        if self._device is None:
            raise OSError(errno.EBADF, f"{self.name} is closed")
        return self._device

    def close(self) -> None:
        """Release the interface, give a detached kernel driver back; again does nothing."""
        device, self._device = self._device, None
        if device is None:
            return
        _give_back(device, self.name, self._interface_number, detached=self._kernel_driver_detached)

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"UsbPort({self.name!r}, {state}, readable={self.readable})"

    # -- data ----------------------------------------------------------------

    def write(self, data: bytes, /) -> int:
        """Send every byte in packets of the OUT endpoint's size within `write_timeout`.

        Raises TimeoutError when the printer stops taking data (paper out on
        some models), USBError when it is gone.
        """
        device = self._require_device()
        deadline = None if self.write_timeout is None else time.monotonic() + self.write_timeout
        sent = 0
        while sent < len(data):
            chunk = data[sent : sent + self._out_packet]
            remaining = None if deadline is None else deadline - time.monotonic()
            try:
                if remaining is not None and remaining <= 0:
                    raise usb.core.USBTimeoutError("write timed out", None, errno.ETIMEDOUT)
                sent += int(device.write(self._bulk_out, chunk, _timeout_ms(remaining)))
            except usb.core.USBError as exc:
                if not _timed_out(exc):
                    raise
                raise TimeoutError(
                    f"device is not accepting data ({sent} of {len(data)} bytes written)"
                ) from exc
        return len(data)

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes from bulk IN, waiting at most `timeout`; b"" is silence."""
        if not self.readable or size <= 0:
            return b""
        device = self._require_device()
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while len(self._unread) < size:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            packet = self._read_packet(device, _timeout_ms(remaining))
            if not packet:
                # Timed out (the whole remaining time), or a zero-length packet: stop either way.
                break
            self._unread += packet
        answer = bytes(self._unread[:size])
        del self._unread[:size]
        return answer

    def _read_packet(self, device: Any, timeout_ms: int) -> bytes:
        """One bulk IN transfer of a whole packet (asking less overflows); b"" on timeout."""
        try:
            return bytes(device.read(self._bulk_in, self._in_packet, timeout_ms))
        except usb.core.USBError as exc:
            if _timed_out(exc):
                return b""
            raise

    def flush(self) -> None:
        """Nothing to do: a bulk write returns once the device has taken the bytes."""

    def reset_input_buffer(self) -> None:
        """Discard answers that arrived but were not read."""
        self._unread.clear()
        if not self.readable:
            return
        device = self._require_device()
        for _ in range(_MAX_DISCARD_READS):
            if not self._read_packet(device, _MIN_TIMEOUT_MS):
                return

    def reset_output_buffer(self) -> None:
        """Nothing is queued on our side: every write is a finished transfer."""


# -- helpers for open and close ----------------------------------------------------


def _find(address: UsbAddress, backend: Any) -> Any:
    criteria: dict[str, Any] = {"idVendor": address.vendor_id, "idProduct": address.product_id}
    if address.serial is not None:
        criteria["serial_number"] = address.serial
    try:
        device = usb.core.find(backend=backend, **criteria)
    except usb.core.NoBackendError:
        raise UsbPortError(NO_LIBUSB) from None
    if device is None:
        raise UsbPortError(
            f"no USB device {address}; is it plugged in and is the kiosk allowed to use it "
            "(udev rule)?",
        )
    return device


def _active_configuration(device: Any) -> Any:
    try:
        return device.get_active_configuration()
    except usb.core.USBError:
        # Not configured yet (no kernel driver ever touched it): take the first configuration.
        device.set_configuration()
        return device.get_active_configuration()


def _choose_interface(device: Any, address: UsbAddress) -> _Choice:
    """The first setting of the wanted interface with bulk OUT, preferring one with bulk IN.

    Printer-class interfaces often offer setting 0 unidirectional and
    setting 1 bidirectional: status answers need the latter.
    """
    configuration = _active_configuration(device)
    if address.interface is None:
        settings = usb.util.find_descriptor(
            configuration, find_all=True, bInterfaceClass=PRINTER_CLASS
        )
        missing = f"USB device {address} has no printer-class interface (class 7): add ?interface=N"
    else:
        settings = usb.util.find_descriptor(
            configuration, find_all=True, bInterfaceNumber=address.interface
        )
        missing = f"USB device {address} has no interface {address.interface}"
    writable = [
        _Choice(setting, out, _bulk_endpoint(setting, usb.util.ENDPOINT_IN))
        for setting in settings
        if (out := _bulk_endpoint(setting, usb.util.ENDPOINT_OUT)) is not None
    ]
    if address.interface is None:
        # The first printer interface found decides; another one is not looked at.
        number = writable[0].interface.bInterfaceNumber if writable else None
        writable = [c for c in writable if c.interface.bInterfaceNumber == number]
    if not writable:
        raise UsbPortError(f"{missing} (or it has no bulk OUT endpoint)")
    return next((c for c in writable if c.bulk_in is not None), writable[0])


def _kernel_driver_active(device: Any, number: int) -> bool:
    try:
        return bool(device.is_kernel_driver_active(number))
    except NotImplementedError:  # not Linux: there is no kernel driver to detach
        return False


def _give_back(device: Any, name: str, number: int | None, *, detached: bool) -> None:
    """Undo what open() did to interface `number`, in reverse; a device that is gone cannot
    refuse. pyusb releases only an interface it claimed."""
    failures = (usb.core.USBError, NotImplementedError, ValueError)
    if number is not None:
        try:
            usb.util.release_interface(device, number)
        except failures as exc:
            logger.debug("releasing %s failed: %s", name, exc)
        if detached:
            try:
                device.attach_kernel_driver(number)
            except failures as exc:
                logger.debug("re-attaching the kernel driver of %s failed: %s", name, exc)
    with contextlib.suppress(*failures):
        usb.util.dispose_resources(device)


def _describe(device: Any) -> str:
    """`Maker Model (serial S)` from the string descriptors, where the kiosk may read them."""
    found = []
    for attribute in ("manufacturer", "product"):
        with contextlib.suppress(usb.core.USBError, ValueError, NotImplementedError):
            value = getattr(device, attribute)
            if value:
                found.append(str(value).strip())
    text = " ".join(found) or "a USB printer"
    with contextlib.suppress(usb.core.USBError, ValueError, NotImplementedError):
        if device.serial_number:
            text += f" (serial {device.serial_number})"
    return text
