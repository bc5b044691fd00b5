"""ESC/POS ticket printer: documents, rendering, status and the device class."""
