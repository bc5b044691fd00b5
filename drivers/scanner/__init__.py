"""A serial (USB-CDC) QR / barcode scanner (DEVICES.md §5)."""

from drivers.scanner.reader import (
    DEFAULT_SUFFIX,
    MAX_CODE_BYTES,
    ScanLineDecoder,
    Scanner,
    ScannerError,
)

__all__ = ["DEFAULT_SUFFIX", "MAX_CODE_BYTES", "ScanLineDecoder", "Scanner", "ScannerError"]
